"""Crime in the zone: the choice of the zone's LSOAs, district and comparison areas, the rates,
the public zone page section and the programme team's dashboard."""

import datetime
import re

import pytest
from django.urls import reverse

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core import geo
from peoplezones.insight.comparison import comparison_areas, crime_comparison, zones_lsoa_codes
from peoplezones.insight.models import ReferenceArea
from peoplezones.insight.tests.factories import CrimeFactory
from peoplezones.zones.tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2021, month, 1) for month in (1, 2, 3))
# Somewhere in Leicester outside every test zone: the comparison areas' crimes go here.
ELSEWHERE = {"latitude": 52.600, "longitude": -1.100}


def square(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


def area(code: str, *, kind: str, lad: str = "", decile: int | None = None, polygon=None):
    fields = {}
    if polygon is not None:
        geometry = geo.validate_geometry(polygon)
        min_lon, min_lat, max_lon, max_lat = geo.geometry_bbox(geometry)
        fields = {
            "geometry": geometry,
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }
    return ReferenceArea.objects.create(
        code=code, name=f"Area {code}", kind=kind, lad_code=lad, imd_decile=decile, **fields
    )


def crimes(count: int, *, lsoa: str, month=JAN, crime_type="Burglary", **point):
    """Crimes in an LSOA; their zone is the one whose boundary holds their point."""
    point = point or ELSEWHERE
    CrimeFactory.create_batch(
        count,
        lsoa_code=lsoa,
        month=month,
        crime_type=crime_type,
        location="On or near Secret Street",
        **point,
    )


def make_places() -> dict:
    """A zone in Leicester (a unitary authority) with two LSOAs of deciles 1 and 2, its
    district, and LSOAs that are and are not comparison areas, each with crime."""
    lsoa, lad = ReferenceArea.Kind.LSOA, ReferenceArea.Kind.LAD
    area("E06000016", kind=lad, polygon=square(-1.25, 52.58, -1.05, 52.70))
    area("E06000017", kind=lad, polygon=square(-0.80, 52.55, -0.50, 52.75))
    area("E07000130", kind=lad, polygon=square(-1.30, 52.71, -1.00, 52.85))
    zone = ZoneFactory(name="Test Zone", slug="test-zone")
    other_zone = ZoneFactory(
        name="Other Zone",
        slug="other-zone",
        boundary=geo.validate_geometry(square(-1.16, 52.62, -1.15, 52.63)),
    )
    # The zone is the square (-1.19, 52.635)-(-1.18, 52.642): one LSOA in each half.
    area(
        "E01000001",
        kind=lsoa,
        lad="E06000016",
        decile=1,
        polygon=square(-1.19, 52.635, -1.185, 52.642),
    )
    area(
        "E01000002",
        kind=lsoa,
        lad="E06000016",
        decile=2,
        polygon=square(-1.185, 52.635, -1.18, 52.642),
    )
    area("E01000011", kind=lsoa, lad="E06000016", decile=1)  # comparison
    area("E01000012", kind=lsoa, lad="E06000017", decile=1)  # comparison, Rutland
    area("E01000013", kind=lsoa, lad="E06000016", decile=2)  # comparison
    area("E01000014", kind=lsoa, lad="E06000016", decile=5)  # another decile
    area("E01000015", kind=lsoa, lad="E07000130", decile=1)  # another type of district
    area("E01000016", kind=lsoa, lad="E06000016", decile=1)  # no crime stored
    area("E01000017", kind=lsoa, lad="E06000099", decile=1)  # outside the force area
    area(
        "E01000018",
        kind=lsoa,
        lad="E06000016",
        decile=1,
        polygon=square(-1.16, 52.62, -1.15, 52.63),
    )  # in the other zone
    west = {"latitude": 52.638, "longitude": -1.188}
    east = {"latitude": 52.638, "longitude": -1.182}
    crimes(4, lsoa="E01000001", **west)
    crimes(2, lsoa="E01000001", month=FEB, crime_type="Drugs", **west)
    crimes(2, lsoa="E01000002", **east)
    crimes(2, lsoa="E01000002", month=MAR, crime_type="Anti-social behaviour", **east)
    crimes(6, lsoa="E01000011")
    crimes(3, lsoa="E01000011", month=FEB, crime_type="Drugs")
    crimes(2, lsoa="E01000012")
    crimes(5, lsoa="E01000013")
    crimes(10, lsoa="E01000014")
    crimes(1, lsoa="E01000015")
    crimes(3, lsoa="E01000017")
    crimes(2, lsoa="E01000018", latitude=52.625, longitude=-1.155)
    return {"zone": zone, "other_zone": other_zone}


@pytest.fixture
def places(db):
    return make_places()


def test_zone_lsoas_are_those_whose_inside_point_is_in_the_zone(places):
    codes = zones_lsoa_codes()

    assert codes[places["zone"].pk] == {"E01000001", "E01000002"}
    assert codes[places["other_zone"].pk] == {"E01000018"}


def test_zone_lsoa_without_boundary_goes_by_where_most_of_its_crimes_are(places):
    zone = places["zone"]
    area("E01000031", kind=ReferenceArea.Kind.LSOA, lad="E06000016", decile=1)
    crimes(3, lsoa="E01000031", latitude=52.640, longitude=-1.186)
    crimes(2, lsoa="E01000031")  # fewer outside the zone
    area("E01000032", kind=ReferenceArea.Kind.LSOA, lad="E06000016", decile=1)
    crimes(1, lsoa="E01000032", latitude=52.640, longitude=-1.186)
    crimes(1, lsoa="E01000032")  # half is not most

    assert zones_lsoa_codes()[zone.pk] == {"E01000001", "E01000002", "E01000031"}


def test_comparison_areas_are_same_type_same_deciles_in_the_force_area_and_in_no_zone(places):
    areas = comparison_areas(zone=places["zone"])

    assert areas.lad_code == "E06000016"
    assert areas.lad_type == "E06"
    assert str(areas.lad_type_label) == "unitary authority"
    assert areas.deciles == {1: 1, 2: 1}
    assert {d: [a.code for a in found] for d, found in areas.comparison.items()} == {
        1: ["E01000011", "E01000012"],
        2: ["E01000013"],
    }
    assert areas.left_out == {"in_a_zone": 1, "no_crime_stored": 1, "outside_force_area": 1}
    assert [district.code for district in areas.districts] == ["E06000016", "E06000017"]
    # The district's rate is over its LSOAs with crime stored (not E01000016).
    assert areas.lad_lsoa_codes == {
        "E01000001",
        "E01000002",
        "E01000011",
        "E01000013",
        "E01000014",
        "E01000018",
    }
    assert areas.lad_lsoa_count == 7


def test_rates_are_per_lsoa_a_month_and_comparison_is_standardised_to_the_zones_deciles(places):
    result = crime_comparison(zone=places["zone"], month_from=JAN, month_to=MAR)

    by_month = dict(result.by_month)
    january = by_month[JAN]
    assert january.zone_count == 6
    assert january.zone == pytest.approx(6 / 2)
    assert january.lad == pytest.approx((4 + 2 + 6 + 5 + 10 + 2) / 6)
    # Decile 1: (6 + 2) crimes over 2 LSOAs; decile 2: 5 over 1; the zone has one LSOA of each.
    assert january.comparison == pytest.approx(0.5 * (8 / 2) + 0.5 * (5 / 1))
    assert by_month[FEB].comparison == pytest.approx(0.5 * (3 / 2))
    assert by_month[MAR].zone == pytest.approx(2 / 2)
    totals = dict(result.by_type)
    assert totals[""].zone_count == 10
    assert totals[""].zone == pytest.approx(10 / 2 / 3)
    assert totals["Drugs"].comparison == pytest.approx(0.5 * (3 / 2) / 3)
    assert result.types[0] == "Burglary"
    assert result.zone_matrix()[0] == (JAN, [6, 0, 0], 6)


def test_a_crime_type_filters_the_month_by_month_figures(places):
    result = crime_comparison(zone=places["zone"], month_from=JAN, month_to=MAR, crime_type="Drugs")

    by_month = dict(result.by_month)
    assert by_month[JAN].zone_count == 0
    assert by_month[FEB].zone_count == 2
    assert by_month[FEB].zone == pytest.approx(1.0)


def test_months_with_no_crime_stored_have_no_figures_rather_than_zero(places):
    result = crime_comparison(
        zone=places["zone"], month_from=datetime.date(2020, 11, 1), month_to=JAN
    )

    rows = dict(result.by_month)
    assert rows[datetime.date(2020, 11, 1)].zone is None
    assert rows[datetime.date(2020, 11, 1)].zone_count is None
    assert rows[JAN].zone == pytest.approx(3.0)
    assert result.months_without_data == [datetime.date(2020, 11, 1), datetime.date(2020, 12, 1)]
    # Averages are over the months with data only.
    assert dict(result.by_type)[""].zone == pytest.approx(3.0)


def crime_url(zone, **query) -> str:
    url = reverse("insight:zone-crime", kwargs={"slug": zone.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_public_section_shows_tables_chart_and_caveats(
    client, places, django_assert_max_num_queries
):
    zone = places["zone"]

    with django_assert_max_num_queries(30):
        response = client.get(crime_url(zone, month_from="2021-01", month_to="2021-03"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Crime by type, Jan 2021 to Mar 2021" in content
    assert "Month by month: All crime" in content
    # The chart is an image with a title and a description, and the table comes first.
    assert re.search(
        r'<svg class="pz-chart"[^>]*role="img"[^>]*aria-labelledby="crime-chart-title', content
    )
    assert '<title id="crime-chart-title">' in content
    assert '<desc id="crime-chart-desc">' in content
    assert content.index("by-month-caption") < content.index('class="pz-chart"')
    assert "snap point" in content
    assert "about two months after" in content
    assert "without a location are left out" in content
    assert "Open Government Licence" in content
    assert ">3.0<" in content  # the zone's January rate
    assert ">4.5<" in content  # the comparison areas' January rate
    assert "unitary authority" in content


def test_zone_page_links_to_its_crime_section(client, places):
    zone = places["zone"]

    content = client.get(zone.get_absolute_url()).content.decode()

    assert crime_url(zone) in content
    assert "Crime and anti-social behaviour" in content


def test_public_section_shows_only_aggregates(client, places):
    """police.uk data has no personal details, but even its places and IDs stay off the page."""
    zone = places["zone"]
    secret = CrimeFactory(
        lsoa_code="E01000001",
        month=JAN,
        crime_id="SECRET-CRIME-ID-123",
        location="On or near Very Private Close",
        latitude=52.6381234,
        longitude=-1.1871234,
        last_outcome="Investigation complete; no suspect identified",
    )

    content = client.get(crime_url(zone, month_from="2021-01", month_to="2021-03")).content.decode()

    for detail in (
        secret.crime_id,
        "Very Private Close",
        "Secret Street",
        "On or near",
        "52.638",
        "-1.187",
        "no suspect identified",
    ):
        assert detail not in content
    assert "test-crime-" not in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month_from": "2021-13"}, "“2021-13” is not a month"),
        ({"month_from": "January"}, "“January” is not a month"),
        ({"month_to": "2099-01"}, "“2099-01” is in the future"),
        ({"month_from": "2009-01"}, "starts in 2010-12"),
        ({"month_from": "2021-03", "month_to": "2021-01"}, "is after the last"),
        ({"month_from": "2015-01", "month_to": "2021-03"}, "at most 60 months"),
        ({"crime_type": "Jaywalking"}, "Select a valid choice"),
    ],
)
def test_bad_month_range_or_type_is_a_400_that_keeps_what_was_typed(client, places, query, message):
    response = client.get(crime_url(places["zone"], **query))

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content.replace("&quot;", '"')
    for value in query.values():
        if value != "Jaywalking":
            assert f'value="{value}"' in content
    assert "Crime by type" not in content


def test_page_says_when_no_crime_is_imported(client, db):
    zone = ZoneFactory()

    response = client.get(crime_url(zone))

    assert response.status_code == 200
    assert "No police.uk crime has been imported yet" in response.content.decode()


def test_unknown_zone_is_404(client, db):
    assert client.get("/zones/atlantis/crime/").status_code == 404


def test_zone_without_areas_says_there_is_nothing_to_compare(client, db):
    zone = ZoneFactory()
    CrimeFactory(month=JAN)

    response = client.get(crime_url(zone, month_from="2021-01", month_to="2021-01"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "are not known yet" in content
    assert "Crime by type" in content


def test_dashboard_needs_the_programme_team(client, places, moderator):
    url = reverse("insight:dashboard")

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))

    client.force_login(moderator)
    assert client.get(url).status_code == 403


def test_dashboard_shows_a_zone_beside_its_comparison_areas_and_links_to_insight(
    client, places, programme_team_user, django_assert_max_num_queries
):
    client.force_login(programme_team_user)

    with django_assert_max_num_queries(40):
        response = client.get(
            reverse("insight:dashboard")
            + "?zone=test-zone&month_from=2021-01&month_to=2021-03&crime_type=Burglary"
        )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Month by month: Burglary" in content
    for code in ("E01000001", "E01000002", "E01000011", "E01000012", "E01000013"):
        assert code in content
    assert "E01000014" not in content
    for name in ("hotspots", "crimestoppers", "theme-crime-types", "harm-weights"):
        assert reverse(f"insight:{name}") in content
    assert crime_url(places["zone"]) in content


def test_dashboard_refuses_an_unknown_zone_with_a_400(client, places, programme_team_user):
    client.force_login(programme_team_user)

    response = client.get(reverse("insight:dashboard") + "?zone=atlantis")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_dashboard_for_a_user_with_another_role_is_403(client, places):
    client.force_login(UserFactory(roles=[ProgrammeRole.COMMISSIONER]))

    assert client.get(reverse("insight:dashboard")).status_code == 403
