import csv
import gzip
import io
import json

import pytest
from django.core.management import call_command

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.insight.demo import AREA_FILES, FILE, IMD_FILE
from peoplezones.insight.models import ImportRun, ReferenceArea
from peoplezones.insight.tests.factories import stored_crimes
from peoplezones.zones.models import Zone

pytestmark = pytest.mark.django_db


def test_insight_demo_stores_the_zone_crimes_and_areas_once(settings):
    settings.DEBUG = True
    with gzip.open(FILE, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with gzip.open(IMD_FILE, "rt", encoding="utf-8-sig", newline="") as handle:
        imd = list(csv.DictReader(handle))
    with gzip.open(AREA_FILES[0], "rt", encoding="utf-8") as handle:
        districts = json.load(handle)["features"]
    zone_lsoas = json.loads(AREA_FILES[1].read_text())["features"]

    call_command("load_demo", stdout=io.StringIO())
    first = int(stored_crimes().is_demo.sum())
    recorded = (ImportRun.objects.count(), AuditEvent.objects.count())
    call_command("load_demo", stdout=io.StringIO())

    assert first == len(rows) == len(stored_crimes())
    assert (ImportRun.objects.count(), AuditEvent.objects.count()) == recorded
    lsoas = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LSOA, is_demo=True)
    assert lsoas.count() == len(imd)
    assert lsoas.filter(imd_decile__isnull=True).count() == 0
    assert set(lsoas.filter(geometry__isnull=False).values_list("code", flat=True)) == {
        item["properties"]["lsoa_code"] for item in zone_lsoas
    }
    assert set(
        ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD)
        .filter(geometry__isnull=False)
        .values_list("code", flat=True)
    ) == {item["properties"]["lad19cd"] for item in districts}
    # Each located crime's zone is exactly the zone whose boundary holds its point.
    zones = list(Zone.objects.all())
    located = stored_crimes(located=True)
    points = zip(located.latitude, located.longitude, located.zone, strict=True)
    for lat, lon, zone_id in set(points):
        inside = [
            z.pk for z in zones if geo.point_in_geometry(lat=lat, lon=lon, geometry=z.boundary)
        ]
        assert (inside[0] if inside else 0) == zone_id
    assert (stored_crimes().zone != 0).sum() > 0.9 * first
