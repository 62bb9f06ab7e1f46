"""Seed the starting links of research themes to police.uk crime types (see
peoplezones/insight/crimestoppers.py and docs/insight.md, "Crimestoppers targeting")."""

from django.db import migrations

from peoplezones.insight.crimestoppers import ensure_default_theme_crime_types


def add_links(apps, schema_editor):
    ensure_default_theme_crime_types(apps.get_model("insight", "ThemeCrimeTypes"))


class Migration(migrations.Migration):
    dependencies = [("insight", "0004_hotspot_run_progress_theme_crime_types")]

    operations = [migrations.RunPython(add_links, migrations.RunPython.noop)]
