"""The starting taxonomy of community assets; staff change it in the admin site."""

from django.db import migrations

# (slug, name, colour, parent slug or None)
CATEGORIES = [
    ("food", "Food", "#00703c", None),
    ("food-banks", "Food banks and pantries", "#00703c", "food"),
    ("community-meals", "Community meals and cafés", "#00703c", "food"),
    ("health-and-wellbeing", "Health and wellbeing", "#d4351c", None),
    ("mental-health", "Mental health", "#d4351c", "health-and-wellbeing"),
    ("physical-activity", "Physical activity", "#d4351c", "health-and-wellbeing"),
    ("youth", "Children and young people", "#912b88", None),
    ("youth-clubs", "Youth clubs", "#912b88", "youth"),
    ("uniformed-groups", "Uniformed groups", "#912b88", "youth"),
    ("sport", "Sport", "#1d70b8", None),
    ("education", "Education and learning", "#003078", None),
    ("faith", "Faith", "#5694ca", None),
    ("advice", "Advice and support", "#f47738", None),
    ("community-hub", "Community hubs and halls", "#4c2c92", None),
    ("green-space", "Parks and green spaces", "#85994b", None),
    ("business", "Local businesses", "#505a5f", None),
    ("safety", "Community safety", "#0b0c0c", None),
]


def add_categories(apps, schema_editor):
    category = apps.get_model("assets", "Category")
    made = {}
    for order, (slug, name, colour, parent) in enumerate(CATEGORIES, start=1):
        made[slug], _ = category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "colour": colour, "order": order, "parent": made.get(parent)},
        )


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
