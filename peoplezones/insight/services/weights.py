"""Writes of the harm weights that harm-weighted hotspot analyses use (see insight/harm.py)."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from peoplezones.core.services import audit_record
from peoplezones.insight.models import CrimeTypeWeight


def harm_weight_set(
    *, crime_type: str, weight: Decimal, note: str = "", actor: Any
) -> CrimeTypeWeight:
    """Set the harm weight of a police.uk crime type (creating its row), with an audit event.

    Hotspot runs copy the weights they used, so changing one never changes a stored result.
    """
    with transaction.atomic():
        item = CrimeTypeWeight.objects.select_for_update().filter(crime_type=crime_type).first()
        before = str(item.weight) if item is not None else None
        if item is None:
            item = CrimeTypeWeight(crime_type=crime_type)
        item.weight = weight
        item.note = note
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            verb="insight.harm_weight_set",
            target=item,
            data={"crime_type": crime_type, "weight": str(weight), "before": before},
        )
    return item
