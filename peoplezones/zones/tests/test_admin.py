import json

import pytest
from django.urls import reverse

from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.zones.tests.factories import ThemeFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "zones/zone",
        "zones/theme",
        "zones/researchreport",
        "accounts/user",
        "accounts/zonemembership",
        "accounts/apitoken",
        "core/auditevent",
    ],
)
def test_admin_lists_and_forms_open(admin_client, zone, model):
    ThemeFactory(zone=zone)

    assert admin_client.get(f"/admin/{model}/").status_code == 200
    if model not in {"accounts/apitoken", "core/auditevent"}:
        assert admin_client.get(f"/admin/{model}/add/").status_code == 200


def _zone_form(zone, boundary):
    return {
        "name": zone.name,
        "slug": zone.slug,
        "local_authority": zone.local_authority,
        "description": zone.description,
        "established": zone.established,
        "status": zone.status,
        "boundary": json.dumps(boundary),
        "themes-TOTAL_FORMS": 0,
        "themes-INITIAL_FORMS": 0,
        "research_reports-TOTAL_FORMS": 0,
        "research_reports-INITIAL_FORMS": 0,
    }


def test_admin_explains_a_bad_boundary_and_keeps_the_old_one(admin_client, zone):
    before = zone.boundary
    unclosed = {
        "type": "Polygon",
        "coordinates": [[[-1.2, 52.63], [-1.19, 52.63], [-1.19, 52.64], [-1.2, 52.64]]],
    }

    response = admin_client.post(
        reverse("admin:zones_zone_change", args=[zone.pk]), _zone_form(zone, unclosed)
    )

    assert response.status_code == 200
    assert "not closed" in response.content.decode()
    zone.refresh_from_db()
    assert zone.boundary == before


def test_admin_saves_a_good_boundary_with_its_bbox_and_audits(admin_client, zone):
    square = {
        "type": "Polygon",
        "coordinates": [[[-1.3, 52.7], [-1.29, 52.7], [-1.29, 52.71], [-1.3, 52.71], [-1.3, 52.7]]],
    }

    response = admin_client.post(
        reverse("admin:zones_zone_change", args=[zone.pk]), _zone_form(zone, square)
    )

    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.bbox == pytest.approx((-1.3, 52.7, -1.29, 52.71))
    assert AuditEvent.objects.filter(verb="zone.update", zone=zone).exists()
