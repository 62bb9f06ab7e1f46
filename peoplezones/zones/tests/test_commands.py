import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from peoplezones.accounts.models import User, ZoneMembership
from peoplezones.core.models import AuditEvent
from peoplezones.zones.models import Theme, Zone


@pytest.fixture
def geojson_file(tmp_path):
    def write(data, name="area.geojson"):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    return write


FEATURE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Somewhere"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-1.2, 52.63], [-1.19, 52.63], [-1.19, 52.64], [-1.2, 52.64], [-1.2, 52.63]]
                ],
            },
        }
    ],
}


def test_import_zone_boundary_stores_a_valid_file(zone, geojson_file):
    out = io.StringIO()

    call_command("import_zone_boundary", zone.slug, str(geojson_file(FEATURE)), stdout=out)

    zone.refresh_from_db()
    assert zone.bbox == pytest.approx((-1.2, 52.63, -1.19, 52.64))
    assert "Stored the boundary" in out.getvalue()


def test_import_zone_boundary_dry_run_stores_nothing(zone, geojson_file):
    before = zone.boundary

    call_command(
        "import_zone_boundary",
        zone.slug,
        str(geojson_file(FEATURE)),
        "--dry-run",
        stdout=io.StringIO(),
    )

    zone.refresh_from_db()
    assert zone.boundary == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid GeoJSON"),
        ({"type": "Point", "coordinates": [-1.2, 52.6]}, "Point"),
        (
            {"type": "Polygon", "coordinates": [[[-1.2, 52.63], [-1.19, 52.63], [-1.19, 52.64]]]},
            "4",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[52.63, -1.2], [52.63, -1.19], [52.64, -1.19], [52.63, -1.2]]],
            },
            "swapped",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[-1.2, 95], [-1.19, 52.63], [-1.19, 52.64], [-1.2, 95]]],
            },
            "atitude",
        ),
    ],
)
def test_import_zone_boundary_explains_bad_files_and_changes_nothing(
    zone, geojson_file, content, message
):
    before = zone.boundary

    with pytest.raises(CommandError, match=message):
        call_command("import_zone_boundary", zone.slug, str(geojson_file(content)))

    zone.refresh_from_db()
    assert zone.boundary == before
    assert not AuditEvent.objects.exists()


def test_import_zone_boundary_unknown_zone_lists_known_ones(zone, geojson_file):
    with pytest.raises(CommandError, match=zone.slug):
        call_command("import_zone_boundary", "atlantis", str(geojson_file(FEATURE)))


def test_import_zone_boundary_missing_file(zone, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_zone_boundary", zone.slug, str(tmp_path / "missing.geojson"))


def _snapshot():
    return (
        list(Zone.objects.order_by("slug").values()),
        list(Theme.objects.order_by("pk").values("zone__slug", "title", "order")),
        list(User.objects.order_by("email").values_list("email", "password")),
        list(
            ZoneMembership.objects.order_by("pk").values_list("user__email", "zone__slug", "role")
        ),
        AuditEvent.objects.count(),
    )


def test_load_demo_creates_the_three_zones_and_is_idempotent(db, settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("load_demo", stdout=out)
    first = _snapshot()
    call_command("load_demo", stdout=io.StringIO())

    assert _snapshot() == first
    zones = {z.slug: z for z in Zone.objects.all()}
    assert set(zones) == {"bell-foundry", "new-parks", "thringstone-whitwick"}
    assert [t.title for t in zones["new-parks"].themes.order_by("order")] == [
        "Crime and Anti-Social Behaviour",
        "Community Safety",
        "Health and Wellbeing",
        "Substance Abuse",
        "Pride of Place",
    ]
    # Each zone's boundary contains a point well inside it (from the LSOA crime centroids).
    assert zones["new-parks"].contains_point(lat=52.6422, lon=-1.1889)
    assert zones["bell-foundry"].contains_point(lat=52.7725, lon=-1.1925)
    assert not zones["bell-foundry"].contains_point(lat=52.6422, lon=-1.1889)
    assert "people-zones-demo" in out.getvalue()
    assert User.objects.filter(is_superuser=True).count() == 1
    assert ZoneMembership.objects.count() == 4


def test_load_demo_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG is off"):
        call_command("load_demo")
    assert not Zone.objects.exists()

    call_command("load_demo", "--force", stdout=io.StringIO())
    assert Zone.objects.count() == 3
