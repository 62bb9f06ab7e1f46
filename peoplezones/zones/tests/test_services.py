import pytest
from django.core.exceptions import ValidationError

from peoplezones.core.geo import GeoError
from peoplezones.core.models import AuditEvent
from peoplezones.zones.models import Zone
from peoplezones.zones.services import (
    research_report_create,
    theme_create,
    theme_update,
    zone_create,
    zone_set_boundary,
    zone_update,
)
from peoplezones.zones.tests.factories import SQUARE

CLOCKWISE_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-1.19, 52.635], [-1.19, 52.642], [-1.18, 52.642], [-1.18, 52.635], [-1.19, 52.635]]
    ],
}


def test_zone_create_validates_boundary_and_derives_bbox(programme_team_user):
    zone = zone_create(
        actor=programme_team_user,
        name="Braunstone",
        slug="braunstone",
        local_authority="Leicester City Council",
        boundary=CLOCKWISE_SQUARE,
    )

    zone.refresh_from_db()
    assert zone.boundary["type"] == "MultiPolygon"
    assert zone.bbox == pytest.approx((-1.19, 52.635, -1.18, 52.642))
    assert zone.contains_point(lat=52.638, lon=-1.185)
    assert not zone.contains_point(lat=52.65, lon=-1.185)
    event = AuditEvent.objects.get(verb="zone.create")
    assert event.actor == programme_team_user
    assert event.zone == zone


def test_zone_create_with_a_bad_boundary_saves_nothing(db):
    swapped = {
        "type": "Polygon",
        "coordinates": [[[52.6, -1.2], [52.7, -1.2], [52.7, -1.1], [52.6, -1.2]]],
    }

    with pytest.raises(GeoError, match="swapped"):
        zone_create(actor=None, name="X", slug="x", local_authority="Y", boundary=swapped)
    assert not Zone.objects.exists()
    assert not AuditEvent.objects.exists()


def test_zone_create_rejects_duplicate_slug(zone):
    with pytest.raises(ValidationError) as excinfo:
        zone_create(actor=None, name="Other", slug=zone.slug, local_authority="Y")
    assert "slug" in excinfo.value.message_dict


def test_zone_update_records_before_and_after_and_skips_no_op(zone, programme_team_user):
    zone_update(zone=zone, actor=programme_team_user, status=Zone.Status.CLOSED)
    zone_update(zone=zone, actor=programme_team_user, status=Zone.Status.CLOSED)

    events = AuditEvent.objects.filter(verb="zone.update")
    assert events.count() == 1
    assert events.get().data == {"before": {"status": "active"}, "after": {"status": "closed"}}


def test_zone_update_rejects_unknown_fields(zone):
    with pytest.raises(TypeError, match="boundary"):
        zone_update(zone=zone, actor=None, boundary=SQUARE)


def test_zone_set_boundary_keeps_the_old_boundary_when_the_new_one_is_bad(zone):
    before = zone.boundary
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[-1.19, 52.63], [-1.18, 52.64], [-1.18, 52.63], [-1.19, 52.64], [-1.19, 52.63]]
        ],
    }

    with pytest.raises(GeoError):
        zone_set_boundary(zone=zone, actor=None, geometry=bow_tie)

    zone.refresh_from_db()
    assert zone.boundary == before
    assert not AuditEvent.objects.filter(verb="zone.boundary.set").exists()


def test_zone_set_boundary_same_area_twice_records_once(zone):
    zone_set_boundary(zone=zone, actor=None, geometry=CLOCKWISE_SQUARE)
    zone.refresh_from_db()
    zone_set_boundary(zone=zone, actor=None, geometry=CLOCKWISE_SQUARE)

    # The factory's square and this clockwise copy normalise to the same area: nothing changed.
    assert AuditEvent.objects.filter(verb="zone.boundary.set").count() == 0


def test_theme_create_goes_last_without_an_order(zone):
    first = theme_create(zone=zone, actor=None, title="Community Safety")
    second = theme_create(zone=zone, actor=None, title="Pride of Place")

    assert (first.order, second.order) == (1, 2)
    theme_update(theme=second, actor=None, order=0)
    assert [t.title for t in zone.themes.order_by("order")] == [
        "Pride of Place",
        "Community Safety",
    ]


def test_theme_titles_are_unique_within_a_zone(zone):
    theme_create(zone=zone, actor=None, title="Community Safety")

    with pytest.raises(ValidationError):
        theme_create(zone=zone, actor=None, title="Community Safety")


def test_research_report_create_rejects_a_bad_web_address(zone):
    with pytest.raises(ValidationError) as excinfo:
        research_report_create(
            zone=zone, actor=None, title="R", publisher="P", url="not a web address"
        )
    assert "url" in excinfo.value.message_dict
