"""Seed the kinds of problem a new site collects (see peoplezones/audits/categories.py)."""

from django.db import migrations

from peoplezones.audits.categories import ensure_default_issue_categories


def add_categories(apps, schema_editor):
    ensure_default_issue_categories(apps.get_model("audits", "IssueCategory"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
