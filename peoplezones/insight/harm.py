"""The starting harm weights of police.uk crime types, seeded by a migration and edited by staff.

These are the platform's own assumption, not a published index. The Cambridge Crime Harm Index
weighs each offence by its starting-point sentence, which needs the exact offence; police.uk gives
only 14 broad categories (a "Violence and sexual offences" row may be a common assault or a
rape), so no such index can be reproduced from it. The weights below only say, in round
numbers, that some categories usually hurt people more than others. Staff change them in the
admin; every harm-weighted hotspot run keeps a copy of the weights it used.
"""

from decimal import Decimal
from typing import Any

# (police.uk crime type, weight, why); weight 1 is a typical theft or anti-social behaviour.
DEFAULT_WEIGHTS: list[tuple[str, str, str]] = [
    (
        "Violence and sexual offences",
        "10",
        "Harm to a person's body or safety; the category runs from common assault to rape.",
    ),
    ("Robbery", "8", "Theft by force or threat of force against a person."),
    ("Possession of weapons", "5", "Carries a risk of serious violence."),
    ("Burglary", "5", "Intrusion into a home or business; lasting fear for victims."),
    ("Drugs", "3", "Harm to users and the neighbourhood; counts reflect police activity too."),
    ("Criminal damage and arson", "3", "Damage to property; arson endangers people."),
    ("Theft from the person", "3", "Theft from someone's person, without force."),
    ("Public order", "2", "Fear, alarm or distress caused in public."),
    ("Vehicle crime", "2", "Theft of or from a vehicle, or interfering with one."),
    ("Other crime", "2", "Mixed offences not in another category."),
    ("Shoplifting", "1", "Loss to a business, rarely to a person."),
    ("Bicycle theft", "1", "Property loss."),
    ("Other theft", "1", "Property loss."),
    ("Anti-social behaviour", "1", "Nuisance and disorder; not a crime, but felt by residents."),
]
# A crime type without a row of its own (a new police.uk category) counts this much.
DEFAULT_WEIGHT = Decimal(1)


def ensure_default_weights(model: Any) -> None:
    """Create the default weight of every type that has none; never changes an existing weight.

    Takes the model class so that a data migration can pass its historical model.
    """
    existing = set(model.objects.values_list("crime_type", flat=True))
    model.objects.bulk_create(
        [
            model(crime_type=crime_type, weight=Decimal(weight), note=note)
            for crime_type, weight, note in DEFAULT_WEIGHTS
            if crime_type not in existing
        ]
    )
