"""The starting taxonomy of community assets. Staff change it in the admin site afterwards.

Plain data, so that the migration that seeds a new site and the demo loader share one list.
"""

# (slug, name, marker colour, parent slug or None)
DEFAULT_CATEGORIES = [
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


def ensure_default_categories(category_model) -> int:
    """Create whichever default categories are missing (by slug); returns how many were made."""
    made = 0
    by_slug = {c.slug: c for c in category_model.objects.all()}
    for order, (slug, name, colour, parent) in enumerate(DEFAULT_CATEGORIES, start=1):
        if slug in by_slug:
            continue
        by_slug[slug] = category_model.objects.create(
            slug=slug, name=name, colour=colour, order=order, parent=by_slug.get(parent)
        )
        made += 1
    return made
