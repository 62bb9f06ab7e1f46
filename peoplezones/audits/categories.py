"""The kinds of problem a new site collects. Staff change them in the admin site afterwards.

Plain data, shared by the migration that seeds a new site and the demo loader.
"""

DEFAULT_ISSUE_CATEGORIES = [
    {
        "code": "street-light",
        "name": "Street light",
        "icon": "street-light",
        "group": "Lighting",
        "description": "A street light that is out, flickering, too dim or on in the daytime.",
        "extra_attributes": [
            {
                "code": "fault",
                "label": "What is wrong with the light?",
                "type": "choice",
                "choices": ["Light is out", "Flickering", "Too dim", "On in the daytime"],
                "required": True,
            },
            {
                "code": "column_number",
                "label": "Number on the lamp post (if you can see one)",
                "type": "text",
                "required": False,
            },
        ],
    },
    {
        "code": "dark-area",
        "name": "Dark area",
        "icon": "street-light",
        "group": "Lighting",
        "description": "A path, alley or corner with no lighting that feels unsafe after dark.",
        "extra_attributes": [],
    },
    {
        "code": "overgrowth",
        "name": "Overgrown trees or bushes",
        "icon": "tree",
        "group": "Environment",
        "description": "Vegetation that blocks a path or light, or hides what goes on behind it.",
        "extra_attributes": [],
    },
    {
        "code": "bin-store",
        "name": "Bin store",
        "icon": "bin",
        "group": "Environment",
        "description": "An overflowing, broken or unlocked bin store.",
        "extra_attributes": [],
    },
    {
        "code": "fly-tipping",
        "name": "Litter or fly-tipping",
        "icon": "litter",
        "group": "Environment",
        "description": "Rubbish dumped or left lying about.",
        "extra_attributes": [],
    },
    {
        "code": "graffiti",
        "name": "Graffiti",
        "icon": "graffiti",
        "group": "Environment",
        "description": "Graffiti or vandalism.",
        "extra_attributes": [],
    },
    {
        "code": "path",
        "name": "Path or pavement",
        "icon": "path",
        "group": "Streets",
        "description": "A broken, blocked or unsafe path or pavement.",
        "extra_attributes": [],
    },
    {
        "code": "other",
        "name": "Something else",
        "icon": "other",
        "group": "Other",
        "description": "Any other problem that makes the area feel less safe.",
        "extra_attributes": [],
    },
]


def ensure_default_issue_categories(category_model) -> int:
    """Create whichever default categories are missing (by code); returns how many were made."""
    existing = set(category_model.objects.values_list("code", flat=True))
    made = 0
    for order, spec in enumerate(DEFAULT_ISSUE_CATEGORIES, start=1):
        if spec["code"] in existing:
            continue
        category_model.objects.create(order=order, service_code=spec["code"], **spec)
        made += 1
    return made
