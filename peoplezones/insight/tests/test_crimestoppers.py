"""Crimestoppers targeting: theme to crime type links, the ranking of streets by hotspot
strength with counts and trends, the pages, the printable map and the CSV."""

import csv
import datetime
import io

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from peoplezones.core.models import AuditEvent
from peoplezones.insight.comparison import add_months
from peoplezones.insight.crimestoppers import (
    CSV_COLUMNS,
    DEFAULT_THEME_CRIME_TYPES,
    targeting,
    theme_crime_types_set,
    theme_key,
    zone_theme_links,
)
from peoplezones.insight.models import ThemeCrimeTypes
from peoplezones.insight.tests.factories import CrimeFactory
from peoplezones.zones.tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

LAST = datetime.date(2021, 11, 1)
DRUG_LANE = (52.6365, -1.1885)  # in the zone's south-west
NEEDLE_STREET = (52.6369, -1.1879)
# Around Drug Lane, so that the hotspot covers a neighbourhood, as Gi* looks for.
SYRINGE_ROW = [(52.6377, -1.1885), (52.6365, -1.1903), (52.6353, -1.1885), (52.6365, -1.1867)]


def crime(zone, *, point, month, location, crime_type="Drugs"):
    lat, lon = point
    return CrimeFactory(
        latitude=lat,
        longitude=lon,
        month=month,
        location=location,
        crime_type=crime_type,
    )


def make_drugs(zone):
    """A drugs hotspot at Drug Lane (20 crimes in the last 6 months, 10 in the 6 before),
    Syringe Row and Needle Street around it, drugs scattered about, and crime of unlinked
    types."""
    ThemeFactory(zone=zone, title="Substance Abuse", order=1)
    ThemeFactory(zone=zone, title="Health and Wellbeing", order=2)
    for index in range(30):
        month = add_months(LAST, -(index % 6)) if index < 20 else add_months(LAST, -6 - index % 6)
        crime(zone, point=DRUG_LANE, month=month, location="On or near Drug Lane")
    for index in range(5):
        crime(zone, point=NEEDLE_STREET, month=add_months(LAST, -index),
              location="On or near Needle Street")  # fmt: skip
    for index in range(28):
        crime(zone, point=SYRINGE_ROW[index % 4], month=add_months(LAST, -(index % 12)),
              location="On or near Syringe Row")  # fmt: skip
    rng = np.random.default_rng(7)
    for index, (lat, lon) in enumerate(
        zip(rng.uniform(52.630, 52.647, 40), rng.uniform(-1.198, -1.172, 40), strict=True)
    ):
        crime(zone, point=(lat, lon), month=add_months(LAST, -(index % 12)),
              location=f"On or near Quiet Road {index}")  # fmt: skip
    # Not counted: a month before the 12, and a type no theme is linked to.
    crime(zone, point=DRUG_LANE, month=add_months(LAST, -12), location="On or near Drug Lane")
    for _ in range(30):
        crime(zone, point=(52.6400, -1.1820), month=LAST, location="On or near Shop Street",
              crime_type="Shoplifting")  # fmt: skip
    return zone


@pytest.fixture
def drugs(zone):
    return make_drugs(zone)


def test_default_links_are_seeded_by_the_migration():
    links = {row.key: row.crime_types for row in ThemeCrimeTypes.objects.all()}

    assert links["substance abuse"] == ["Drugs"]
    assert links["crime and anti-social behaviour"] == [
        "Anti-social behaviour",
        "Criminal damage and arson",
        "Public order",
    ]
    assert links["health and wellbeing"] == []
    assert len(links) == len(DEFAULT_THEME_CRIME_TYPES)


def test_themes_match_ignoring_case_ampersands_and_spaces(zone):
    ThemeFactory(zone=zone, title="Crime  &  anti-social   behaviour", order=1)
    ThemeFactory(zone=zone, title="Knitting", order=2)

    links = zone_theme_links(zone=zone)

    assert theme_key("Crime & Anti-Social Behaviour") == "crime and anti-social behaviour"
    assert [(link.title, link.crime_types, link.mapped) for link in links] == [
        (
            "Crime  &  anti-social   behaviour",
            ["Anti-social behaviour", "Criminal damage and arson", "Public order"],
            True,
        ),
        ("Knitting", [], False),
    ]


def test_streets_are_ranked_by_hotspot_strength_with_counts_and_trend(drugs):
    plan = targeting(zone=drugs, month_to=LAST)

    assert plan.error == ""
    assert plan.crime_types == ["Drugs"]
    assert (plan.month_from, plan.month_to) == (datetime.date(2020, 12, 1), LAST)
    assert plan.significant
    first = plan.streets[0]
    assert first.rank == 1
    assert first.location == "On or near Drug Lane"
    assert first.area == "A"
    z = plan.result.stats.z
    assert f"hot_{first.level}" == plan.result.stats.classes[max(first.cells, key=lambda c: z[c])]
    assert first.in_zone
    assert first.crimes == 30  # not the one of a month before the 12
    assert (first.recent, first.earlier, first.change, first.change_percent) == (20, 10, 10, 100)
    assert first.by_type == {"Drugs": 30}
    assert (first.latitude, first.longitude) == DRUG_LANE
    needle = next(s for s in plan.streets if s.location == "On or near Needle Street")
    assert needle.area == "A"
    assert needle.crimes == 5
    assert needle.rank > first.rank
    assert plan.areas[0].letter == "A"
    assert plan.areas[0].streets[0].location == "On or near Drug Lane"
    assert all(s.location != "On or near Shop Street" for s in plan.streets)
    # Streets come area by area, strongest area first, and by crimes within an area.
    assert [area.strength for area in plan.areas] == sorted(
        (area.strength for area in plan.areas), reverse=True
    )
    keys = [(s.area, -s.crimes) for s in plan.streets]
    assert keys == sorted(keys)
    assert [s.rank for s in plan.streets] == list(range(1, len(plan.streets) + 1))


def test_a_zone_without_linked_themes_is_told_why(zone):
    ThemeFactory(zone=zone, title="Health and Wellbeing")

    plan = targeting(zone=zone, month_to=LAST)

    assert "None of this zone's research themes is linked" in plan.error
    assert plan.streets == []


def test_linked_types_without_crimes_are_told_why(zone):
    ThemeFactory(zone=zone, title="Substance Abuse")
    CrimeFactory(crime_type="Burglary")

    plan = targeting(zone=zone, month_to=LAST)

    assert plan.error == "No crimes of the linked types (Drugs) are stored."


def test_zone_page_warns_when_too_few_crimes_for_hotspots(client, zone, programme_team_user):
    ThemeFactory(zone=zone, title="Substance Abuse")
    for index in range(3):
        crime(
            zone, point=DRUG_LANE, month=add_months(LAST, -index), location="On or near Drug Lane"
        )
    client.force_login(programme_team_user)

    response = client.get(reverse("insight:crimestoppers-zone", kwargs={"slug": zone.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Too few crimes for reliable hot spots (3 counted; at least 30 are needed)" in content
    assert "On or near Drug Lane" in content  # still listed, under the warning


def test_zone_page_shows_no_warning_with_enough_crimes(client, drugs, programme_team_user):
    client.force_login(programme_team_user)

    response = client.get(reverse("insight:crimestoppers-zone", kwargs={"slug": drugs.slug}))

    assert "Too few crimes for reliable hot spots" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("insight:crimestoppers", {}),
        ("insight:crimestoppers-zone", {"slug": "ZONE"}),
        ("insight:crimestoppers-print", {"slug": "ZONE"}),
        ("insight:crimestoppers-csv", {"slug": "ZONE"}),
        ("insight:theme-crime-types", {}),
        ("insight:theme-crime-types-edit", {"slug": "substance-abuse"}),
    ],
)
def test_crimestoppers_pages_need_sign_in_and_the_programme_team(
    client, drugs, moderator, programme_team_user, name, kwargs
):
    kwargs = {key: drugs.slug if value == "ZONE" else value for key, value in kwargs.items()}
    url = reverse(name, kwargs=kwargs)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    client.force_login(programme_team_user)
    assert client.get(url).status_code == 200


def test_zone_page_shows_themes_ranked_streets_map_and_links(client, drugs, programme_team_user):
    client.force_login(programme_team_user)

    response = client.get(reverse("insight:crimestoppers-zone", kwargs={"slug": drugs.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Substance Abuse: Drugs" in content
    assert "Health and Wellbeing: no crime types" in content
    assert "On or near Drug Lane" in content
    assert "up 10 (100 %)" in content
    assert '<svg class="pz-cell-map"' in content
    assert 'id="targets-map-title"' in content
    assert "cross-hatched" in content
    query = "?month_to=2021-11&amp;buffer=500"
    assert reverse("insight:crimestoppers-csv", kwargs={"slug": drugs.slug}) + query in content
    assert reverse("insight:crimestoppers-print", kwargs={"slug": drugs.slug}) + query in content


def test_csv_parses_back_to_the_ranked_streets(client, drugs, programme_team_user):
    client.force_login(programme_team_user)
    plan = targeting(zone=drugs, month_to=LAST, buffer=300)

    response = client.get(
        reverse("insight:crimestoppers-csv", kwargs={"slug": drugs.slug})
        + "?month_to=2021-11&buffer=300"
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"crimestoppers-{drugs.slug}-2021-11.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == CSV_COLUMNS
    assert [row["street"] for row in rows] == [street.location for street in plan.streets]
    first = rows[0]
    assert first["street"] == "On or near Drug Lane"
    assert first["rank"] == "1"
    assert first["in_zone"] == "yes"
    assert first["confidence"] in ("90", "95", "99")
    assert first["area"] == "A"
    assert (first["crimes"], first["last_6_months"], first["previous_6_months"]) == (
        "30",
        "20",
        "10",
    )
    assert first["crime_types"] == "Drugs: 30"
    assert float(first["latitude"]) == pytest.approx(DRUG_LANE[0])


def test_print_page_is_a_static_map_and_list_with_print_styles(client, drugs, programme_team_user):
    client.force_login(programme_team_user)

    response = client.get(reverse("insight:crimestoppers-print", kwargs={"slug": drugs.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "@media print" in content
    assert "@page" in content
    assert '<svg class="pz-cell-map"' in content
    assert "leaflet.js" not in content  # no tiles to load when printing
    assert "tile" not in content.lower()
    assert "On or near Drug Lane (30)" in content
    assert "pz-no-print" in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("month_to=2021-15", "is not a month"),
        ("month_to=2099-01", "is in the future"),
        ("buffer=5000", "less than or equal to 2000"),
        ("buffer=wide", "Enter a whole number"),
    ],
)
def test_bad_month_or_buffer_is_a_400(client, drugs, programme_team_user, query, message):
    client.force_login(programme_team_user)

    for name in ("insight:crimestoppers-zone", "insight:crimestoppers-csv"):
        response = client.get(reverse(name, kwargs={"slug": drugs.slug}) + "?" + query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_unknown_zone_is_404(client, programme_team_user):
    client.force_login(programme_team_user)

    assert client.get("/insight/crimestoppers/atlantis/").status_code == 404


def test_theme_links_are_edited_on_a_page_with_an_audit_event(client, zone, programme_team_user):
    ThemeFactory(zone=zone, title="Youth Provision")
    client.force_login(programme_team_user)
    listing = client.get(reverse("insight:theme-crime-types")).content.decode()
    assert "Youth Provision" in listing
    url = reverse("insight:theme-crime-types-edit", kwargs={"slug": "youth-provision"})

    response = client.post(
        url, {"crime_types": ["Public order", "Anti-social behaviour"], "note": "Residents said"}
    )

    assert response.status_code == 302
    row = ThemeCrimeTypes.objects.get(key="youth provision")
    assert row.crime_types == ["Anti-social behaviour", "Public order"]  # police.uk's order
    assert row.note == "Residents said"
    event = AuditEvent.objects.get(verb="insight.theme_crime_types_set")
    assert event.actor == programme_team_user
    assert event.data["before"] == ["Anti-social behaviour"]


def test_a_theme_without_a_row_gets_one(client, zone, programme_team_user):
    ThemeFactory(zone=zone, title="Knitting Circles")
    client.force_login(programme_team_user)
    listing = client.get(reverse("insight:theme-crime-types")).content.decode()
    assert "Not linked yet" in listing

    url = reverse("insight:theme-crime-types-edit", kwargs={"slug": "knitting-circles"})
    client.post(url, {"crime_types": ["Theft from the person"], "note": ""})

    assert ThemeCrimeTypes.objects.get(key="knitting circles").crime_types == [
        "Theft from the person"
    ]


def test_bad_theme_edit_is_a_400_and_saves_nothing(client, programme_team_user):
    client.force_login(programme_team_user)
    url = reverse("insight:theme-crime-types-edit", kwargs={"slug": "substance-abuse"})

    response = client.post(url, {"crime_types": ["Drugs", "Jaywalking"], "note": "x"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert ThemeCrimeTypes.objects.get(key="substance abuse").crime_types == ["Drugs"]
    assert not AuditEvent.objects.filter(verb="insight.theme_crime_types_set").exists()
    assert client.get("/insight/theme-crime-types/no-such-theme/").status_code == 404


def test_service_refuses_types_that_are_not_police_uk_categories(programme_team_user):
    with pytest.raises(ValidationError, match=r"Not police\.uk crime types"):
        theme_crime_types_set(
            title="Substance Abuse", crime_types=["Drugs", "Jaywalking"], actor=programme_team_user
        )

    assert ThemeCrimeTypes.objects.get(key="substance abuse").crime_types == ["Drugs"]


def test_the_index_costs_no_query_per_zone(client, programme_team_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peoplezones.zones.tests.factories import ZoneFactory

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("insight:crimestoppers"))
        assert response.status_code == 200
        return len(captured)

    client.force_login(programme_team_user)
    ThemeFactory(zone=ZoneFactory(slug="first"), title="Substance Abuse")
    one_zone = queries()
    for slug in ("second", "third", "fourth"):
        ThemeFactory(zone=ZoneFactory(slug=slug), title="Substance Abuse")
    assert queries() == one_zone
