import csv
import datetime
import gzip
import io
import json

import pytest
from django.core.management import call_command

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.insight import demo
from peoplezones.insight.demo import AREA_FILES, COMPARISON_FILE, FILE, IMD_FILE
from peoplezones.insight.impact import ImpactParams, impact_analyse
from peoplezones.insight.models import ImportRun, ReferenceArea
from peoplezones.insight.tests.factories import stored_crimes
from peoplezones.zones import demo as zones_demo
from peoplezones.zones.models import Zone

pytestmark = pytest.mark.django_db


def _rows(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_insight_demo_stores_the_zone_crimes_and_areas_once(settings):
    settings.DEBUG = True
    rows = _rows(FILE)
    comparison_rows = _rows(COMPARISON_FILE)
    with gzip.open(IMD_FILE, "rt", encoding="utf-8-sig", newline="") as handle:
        imd = list(csv.DictReader(handle))
    with gzip.open(AREA_FILES[0], "rt", encoding="utf-8") as handle:
        districts = json.load(handle)["features"]
    zone_lsoas = json.loads(AREA_FILES[1].read_text())["features"]

    call_command("load_demo", stdout=io.StringIO())
    first = int(stored_crimes().is_demo.sum())
    recorded = (ImportRun.objects.count(), AuditEvent.objects.count())
    call_command("load_demo", stdout=io.StringIO())

    assert first == len(rows) + len(comparison_rows) == len(stored_crimes())
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
    assert (stored_crimes().zone != 0).sum() > 0.9 * len(rows)
    # The comparison sample is outside every zone.
    assert not {row["LSOA code"] for row in rows} & {row["LSOA code"] for row in comparison_rows}


def test_the_demo_can_estimate_each_zones_impact_against_comparison_areas():
    for module in (zones_demo, demo):  # the zones, then their crime and comparison areas
        module.load(out=io.StringIO())
    comparison_codes = {row["LSOA code"] for row in _rows(COMPARISON_FILE)}
    for zone in Zone.objects.filter(boundary__isnull=False):
        start = datetime.date(2021, 1, 1)
        result = impact_analyse(ImpactParams(zone=zone.slug, start=start))
        # Every IMD decile of the zone has comparison LSOAs, all from the shipped sample.
        assert all(result.areas.comparison.get(decile) for decile in result.areas.deciles)
        assert result.comparison_codes
        assert set(result.comparison_codes) <= comparison_codes
        assert result.before.comparison > 0
        assert result.after.comparison > 0
        low, high = result.estimate.ci_low, result.estimate.ci_high
        assert low < result.estimate.rate_ratio < high
