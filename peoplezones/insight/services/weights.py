"""Writes of the harm weights that harm-weighted hotspot analyses use (see insight/harm.py)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from peoplezones.core.services import audit_record
from peoplezones.insight.harm import DEFAULT_WEIGHT
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


def harm_weights_save(*, weights: Iterable[tuple[str, Decimal, str]], actor: Any) -> int:
    """Set many harm weights, as `(crime type, weight, note)`, all or none; returns how many
    changed. A weight and note the same as stored is left alone, and so is a crime type without
    a row that keeps the default weight and no note (it already counts that)."""
    weights = list(weights)
    with transaction.atomic():
        stored = {
            item.crime_type: item
            for item in CrimeTypeWeight.objects.select_for_update().filter(
                crime_type__in=[crime_type for crime_type, _weight, _note in weights]
            )
        }
        changed = 0
        for crime_type, weight, note in weights:
            item = stored.get(crime_type)
            if item is not None and item.weight == weight and item.note == note:
                continue
            if item is None and weight == DEFAULT_WEIGHT and not note:
                continue
            harm_weight_set(crime_type=crime_type, weight=weight, note=note, actor=actor)
            changed += 1
    return changed
