import factory

from peoplezones.core import geo
from peoplezones.zones.models import ResearchReport, Theme, Zone

# A small square in west Leicester (about 700 m across), counter-clockwise as RFC 7946 asks.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-1.19, 52.635], [-1.18, 52.635], [-1.18, 52.642], [-1.19, 52.642], [-1.19, 52.635]]
    ],
}


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    name = factory.Sequence(lambda n: f"Test Zone {n}")
    slug = factory.Sequence(lambda n: f"test-zone-{n}")
    local_authority = "Leicester City Council"
    description = "A zone made for a test."
    established = 2018
    status = Zone.Status.ACTIVE
    boundary = factory.LazyFunction(lambda: geo.validate_geometry(SQUARE))
    min_lon = factory.LazyAttribute(lambda z: geo.geometry_bbox(z.boundary)[0])
    min_lat = factory.LazyAttribute(lambda z: geo.geometry_bbox(z.boundary)[1])
    max_lon = factory.LazyAttribute(lambda z: geo.geometry_bbox(z.boundary)[2])
    max_lat = factory.LazyAttribute(lambda z: geo.geometry_bbox(z.boundary)[3])


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    zone = factory.SubFactory(ZoneFactory)
    title = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n + 1)


class ResearchReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchReport

    zone = factory.SubFactory(ZoneFactory)
    title = "Research report"
    publisher = "Mapping for Change"
