import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.insight.models import CrimeTypeWeight
from peoplezones.insight.services import HotspotParams, run_hotspots
from peoplezones.insight.tests.factories import CrimeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "model",
    ["crimebatch", "importrun", "referencearea", "crimetypeweight", "hotspotrun"],
)
def test_insight_admin_lists_open(admin_client, zone, model):
    CrimeFactory.create_batch(3)
    CrimeFactory(latitude=52.640, longitude=-1.182)
    month = datetime.date(2020, 3, 1)
    run_hotspots(HotspotParams(area=f"zone:{zone.slug}", month_from=month, month_to=month))

    assert admin_client.get(f"/admin/insight/{model}/").status_code == 200


def test_harm_weight_edited_in_the_admin_is_audited(admin_client, staff):
    weight = CrimeTypeWeight.objects.get(crime_type="Drugs")

    response = admin_client.post(
        reverse("admin:insight_crimetypeweight_change", args=[weight.pk]),
        {"weight": "4.50", "note": "Raised after the steering group's review."},
    )

    assert response.status_code == 302
    weight.refresh_from_db()
    assert weight.weight == Decimal("4.50")
    assert weight.crime_type == "Drugs"
    event = AuditEvent.objects.get(verb="insight.harm_weight_set")
    assert (event.actor, event.data["before"], event.data["weight"]) == (staff, "3.00", "4.50")
