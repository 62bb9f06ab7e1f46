"""Saving the harm weights: all or none, and only what changed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from peoplezones.core.models import AuditEvent
from peoplezones.insight.models import CrimeTypeWeight
from peoplezones.insight.services import harm_weights_save


@pytest.fixture
def stored(db):
    CrimeTypeWeight.objects.all().delete()  # the migration's defaults
    return CrimeTypeWeight.objects.create(crime_type="Burglary", weight=Decimal("3.00"), note="")


def test_only_changed_weights_are_saved_and_recorded(stored, programme_team_user):
    changed = harm_weights_save(
        weights=[
            ("Burglary", Decimal("3.00"), ""),  # as stored
            ("Bicycle theft", Decimal("1"), ""),  # no row, the default: nothing to store
            ("Robbery", Decimal("4.50"), "Violence against the person"),
        ],
        actor=programme_team_user,
    )

    assert changed == 1
    assert dict(CrimeTypeWeight.objects.values_list("crime_type", "weight")) == {
        "Burglary": Decimal("3.00"),
        "Robbery": Decimal("4.50"),
    }
    assert AuditEvent.objects.filter(verb="insight.harm_weight_set").count() == 1


def test_a_refused_weight_saves_none_of_them(stored, programme_team_user):
    with pytest.raises(ValidationError):
        harm_weights_save(
            weights=[("Burglary", Decimal("5.00"), ""), ("Robbery", Decimal("-1.00"), "")],
            actor=programme_team_user,
        )

    assert CrimeTypeWeight.objects.get().weight == Decimal("3.00")
    assert not AuditEvent.objects.filter(verb="insight.harm_weight_set").exists()
