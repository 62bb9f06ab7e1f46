"""Seed the starting taxonomy of community assets (see peoplezones/assets/taxonomy.py)."""

from django.db import migrations

from peoplezones.assets.taxonomy import ensure_default_categories


def add_categories(apps, schema_editor):
    ensure_default_categories(apps.get_model("assets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
