"""Seed the starting harm weight of each police.uk crime type (see peoplezones/insight/harm.py)."""

from django.db import migrations

from peoplezones.insight.harm import ensure_default_weights


def add_weights(apps, schema_editor):
    ensure_default_weights(apps.get_model("insight", "CrimeTypeWeight"))


class Migration(migrations.Migration):
    dependencies = [("insight", "0002_reference_areas_hotspots")]

    operations = [migrations.RunPython(add_weights, migrations.RunPython.noop)]
