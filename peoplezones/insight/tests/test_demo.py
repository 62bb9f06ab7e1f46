import csv
import gzip
import io

import pytest
from django.core.management import call_command

from peoplezones.core import geo
from peoplezones.core.models import AuditEvent
from peoplezones.insight.demo import FILE
from peoplezones.insight.models import Crime, ImportRun
from peoplezones.zones.models import Zone

pytestmark = pytest.mark.django_db


def test_insight_demo_stores_the_zone_crimes_once(settings):
    settings.DEBUG = True
    with gzip.open(FILE, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    call_command("load_demo", stdout=io.StringIO())
    first = Crime.objects.filter(is_demo=True).count()
    recorded = (ImportRun.objects.count(), AuditEvent.objects.count())
    call_command("load_demo", stdout=io.StringIO())

    assert first == len(rows) == Crime.objects.count()
    assert (ImportRun.objects.count(), AuditEvent.objects.count()) == recorded
    # Each located crime's zone is exactly the zone whose boundary holds its point.
    zones = list(Zone.objects.all())
    points = Crime.objects.filter(latitude__isnull=False).values_list(
        "latitude", "longitude", "zone"
    )
    for lat, lon, zone_id in set(points):
        inside = [
            z.pk for z in zones if geo.point_in_geometry(lat=lat, lon=lon, geometry=z.boundary)
        ]
        assert (inside[0] if inside else None) == zone_id
    assert Crime.objects.filter(zone__isnull=False).count() > 0.9 * first
