"""The analysis pages over HTTP: who may open them, what they show, bad input, and the CSV."""

import csv
import re
from io import StringIO

import pytest
from django.urls import reverse

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.insight.next_zone import LSOA_COLUMNS
from peoplezones.insight.tests.test_impact import (
    make_zone_and_comparison,
    store_counts,
    store_synthetic,
    synthetic_counts,
)
from peoplezones.insight.tests.test_next_zone import build_grid, grid_code

IMPACT = "insight_analysis:impact"
NEXT_ZONE = "insight_analysis:next-zone"
NEXT_ZONE_CSV = "insight_analysis:next-zone-csv"
PAGES = [IMPACT, NEXT_ZONE, NEXT_ZONE_CSV]


@pytest.fixture
def analyst(client, db):
    client.force_login(UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]))
    return client


@pytest.fixture
def zone_and_comparison(db):
    return make_zone_and_comparison()


@pytest.fixture
def grid(db):
    # Crime grows across the grid and deprivation falls, so the two measures disagree.
    return build_grid(
        ranks=lambda row, col: 100 + 50 * (row * 4 + col),
        crimes=lambda row, col: 1 + 3 * (15 - (row * 4 + col)) % 17,
    )


def test_analysis_pages_send_anonymous_people_to_sign_in(client, db):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ([], 403),
        ([ProgrammeRole.COMMISSIONER], 403),
        ([ProgrammeRole.FINANCE], 403),
        ([ProgrammeRole.MODERATOR], 403),
        ([ProgrammeRole.PROGRAMME_TEAM], 200),
    ],
)
def test_analysis_pages_open_only_for_the_programme_team(client, grid, roles, status):
    client.force_login(UserFactory(roles=roles))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == status, (name, roles)


# --- impact --------------------------------------------------------------------------------


def test_impact_page_starts_with_the_form(analyst, zone_and_comparison):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)

    response = analyst.get(reverse(IMPACT))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="test-park">Test Park</option>' in page
    assert "Crime is imported for 2020-01 to 2021-12." in page
    assert "Rate ratio" not in page


def test_impact_page_shows_counts_estimate_and_reading(analyst, zone_and_comparison):
    counts = store_synthetic(zone_and_comparison, effect=0.7, seed=21)

    response = analyst.get(
        reverse(IMPACT), {"zone": "test-park", "start": "2021-01", "crime_types": ["Burglary"]}
    )

    assert response.status_code == 200
    result = response.context["result"]
    page = response.content.decode()
    assert "Test Park, from January 2021" in page
    assert result.reading[0] in page
    assert f"{result.estimate.ci_low:.2f} to {result.estimate.ci_high:.2f}" in page
    assert result.estimate.ci_low < 0.7 < result.estimate.ci_high
    table = page[page.index('id="months"') :]
    table = table[: table.index("</table>")]
    assert table.count('<tr class="govuk-table__row">') == 1 + 24  # header and every month
    first = table[table.index("Jan 2020") :]
    assert f">{counts[:4, 0].sum()}</td>" in first[: first.index("</tr>")]
    assert '<svg class="pz-chart"' in page
    assert "What this cannot show" in page
    assert "Open Government Licence" in page
    assert 'value="2021-01"' in page  # the form keeps the question


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"zone": "test-park", "start": "2999-01"}, "“2999-01” is in the future."),
        ({"zone": "test-park", "start": "March"}, "“March” is not a month"),
        ({"zone": "test-park", "start": ""}, "Give the first month, for example 2021-01."),
        ({"zone": "elsewhere", "start": "2021-01"}, "Choose one of the zones listed."),
        ({"zone": "test-park", "start": "2020-01"}, "There is no crime data before 2020-01"),
        ({"zone": "test-park", "start": "2022-06"}, "the last month imported is 2021-12"),
        (
            {"zone": "test-park", "start": "2021-01", "crime_types": ["Arson"]},
            "“Arson” is not a crime type stored here.",
        ),
    ],
)
def test_impact_page_bad_input_is_a_400_with_the_reason(
    analyst, zone_and_comparison, query, message
):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)

    response = analyst.get(reverse(IMPACT), query)

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "result" not in response.context
    if query["start"]:
        assert f'value="{query["start"]}"' in page  # what was typed stays


def test_impact_page_says_when_comparison_areas_have_no_crime(analyst, zone_and_comparison):
    counts, *_ = synthetic_counts(effect=0.7, seed=25, areas=4, treated=4)
    store_counts(counts, zone_and_comparison["zone_codes"])

    response = analyst.get(reverse(IMPACT), {"zone": "test-park", "start": "2021-01"})

    assert response.status_code == 400
    assert "No LSOA outside the zones matches Test Park" in response.content.decode()


def test_impact_page_queries_do_not_grow_with_areas(
    analyst, zone_and_comparison, django_assert_max_num_queries
):
    store_synthetic(zone_and_comparison, effect=0.7, seed=21)

    with django_assert_max_num_queries(30):
        response = analyst.get(reverse(IMPACT), {"zone": "test-park", "start": "2021-01"})

    assert response.status_code == 200


# --- next zone -----------------------------------------------------------------------------


def _rows(page: str) -> list[str]:
    """The LSOA codes of the table's rows, in order."""
    return re.findall(r'<tr class="govuk-table__row" id="lsoa-(E\d+)">', page)


def test_next_zone_page_ranks_with_the_default_weights(analyst, grid):
    response = analyst.get(reverse(NEXT_ZONE))

    assert response.status_code == 200
    page = response.content.decode()
    for name, value in (("deprivation", "0.4"), ("crime", "0.4"), ("assets", "0.2")):
        assert re.search(rf'name="{name}" type="text"[^>]* value="{value}"', page), name
    assert "Deprivation 40 %; Crime and anti-social behaviour 40 %" in page
    result = response.context["result"]
    assert _rows(page) == [item.code for item in result.lsoas]
    assert "Groups of neighbouring LSOAs" in page
    assert response.context["map_data"]["features"]
    assert 'data-tile-url="' in page


def test_next_zone_page_order_follows_the_weights(analyst, grid):
    by_deprivation = analyst.get(reverse(NEXT_ZONE), {"deprivation": "1", "crime": "0"})
    by_crime = analyst.get(reverse(NEXT_ZONE), {"deprivation": "0", "crime": "100%"})

    assert _rows(by_deprivation.content.decode())[0] == grid_code(0, 0)  # most deprived
    top_crime = max(by_crime.context["result"].lsoas, key=lambda item: item.crimes)
    assert _rows(by_crime.content.decode())[0] == top_crime.code
    # A weight box left out counts 0 and stays empty: no default is filled in.
    assert re.search(r'name="assets" type="text"(?![^>]*value=)[^>]*>', by_crime.content.decode())


def test_next_zone_table_sorts_by_each_column_with_links(analyst, grid):
    response = analyst.get(reverse(NEXT_ZONE), {"sort": "crimes"})

    page = response.content.decode()
    result = response.context["result"]
    crimes = {item.code: item.crimes for item in result.lsoas}
    order = _rows(page)
    assert [crimes[code] for code in order] == sorted(crimes.values(), reverse=True)
    header = re.search(r'<th scope="col"[^>]*aria-sort="descending"><a[^>]*href="([^"]+)"', page)
    assert header is not None
    assert "sort=crimes" in header.group(1)
    assert "order=asc" in header.group(1)
    assert page.count('aria-sort="none"') == 5

    by_name = analyst.get(reverse(NEXT_ZONE), {"sort": "name", "order": "desc"})
    names = {item.code: item.name for item in result.lsoas}
    assert [names[c] for c in _rows(by_name.content.decode())] == sorted(
        names.values(), reverse=True
    )


def test_next_zone_shows_the_first_fifty_or_all(analyst, db):
    build_grid(rows=8, cols=8)

    first = analyst.get(reverse(NEXT_ZONE))
    everything = analyst.get(reverse(NEXT_ZONE), {"show": "all"})

    assert len(_rows(first.content.decode())) == 50
    assert "Show all 64" in first.content.decode()
    assert len(_rows(everything.content.decode())) == 64


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ({"deprivation": "-1", "crime": "1", "assets": "0"}, "A weight cannot be negative", "-1"),
        (
            {"deprivation": "lots", "crime": "1", "assets": "0"},
            "Give the weight as a number",
            "lots",
        ),
        (
            {"deprivation": "0", "crime": "0", "assets": "0"},
            "At least one weight must be more than 0",
            "0",
        ),
        ({"month_from": "2021-13"}, "“2021-13” is not a month", "2021-13"),
        ({"month_to": "2999-01"}, "“2999-01” is in the future.", "2999-01"),
        ({"month_from": "2018-01", "month_to": "2018-03"}, "No crime is imported", "2018-01"),
        ({"min_group": "9", "max_group": "4"}, "The smallest group (9) is larger", "9"),
        ({"radius": "far"}, "Give the distance in whole metres", "far"),
    ],
)
def test_next_zone_bad_input_is_a_400_that_keeps_what_was_typed(
    analyst, grid, query, message, kept
):
    response = analyst.get(reverse(NEXT_ZONE), query)

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'value="{kept}"' in page
    assert "result" not in response.context


def test_next_zone_page_reports_every_problem_at_once(analyst, grid):
    response = analyst.get(
        reverse(NEXT_ZONE),
        {"deprivation": "-1", "crime": "x", "min_group": "9", "max_group": "3"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "A weight cannot be negative" in page
    assert "Give the weight as a number" in page
    assert "The smallest group (9) is larger than the largest (3)." in page


def test_next_zone_page_queries_do_not_grow_with_lsoas(analyst, db, django_assert_max_num_queries):
    build_grid(rows=6, cols=6)

    with django_assert_max_num_queries(30):
        response = analyst.get(reverse(NEXT_ZONE), {"show": "all"})

    assert response.status_code == 200


def test_next_zone_csv_parses_back_in_the_page_order(analyst, grid):
    query = {"deprivation": "0.2", "crime": "0.8", "assets": "0", "sort": "imd"}
    page = analyst.get(reverse(NEXT_ZONE), query).content.decode()

    response = analyst.get(reverse(NEXT_ZONE_CSV), {**query, "kind": "lsoas"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "next-zone-lsoas.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(StringIO(response.content.decode())))
    assert list(rows[0]) == LSOA_COLUMNS
    assert [row["lsoa_code"] for row in rows] == _rows(page)
    assert [int(row["imd_rank"]) for row in rows] == sorted(int(row["imd_rank"]) for row in rows)

    groups = analyst.get(reverse(NEXT_ZONE_CSV), {**query, "kind": "groups"})
    group_rows = list(csv.DictReader(StringIO(groups.content.decode())))
    assert group_rows
    assert all(5 <= int(row["lsoas"]) <= 8 for row in group_rows)


def test_next_zone_csv_refuses_bad_parameters(analyst, grid):
    bad_weight = analyst.get(reverse(NEXT_ZONE_CSV), {"deprivation": "-2"})
    bad_kind = analyst.get(reverse(NEXT_ZONE_CSV), {"kind": "everything"})

    assert bad_weight.status_code == 400
    assert "A weight cannot be negative" in bad_weight.content.decode()
    assert bad_kind.status_code == 400
    assert "kind must be lsoas or groups" in bad_kind.content.decode()


def test_next_zone_page_without_data_says_what_to_import(analyst, db):
    response = analyst.get(reverse(NEXT_ZONE))

    assert response.status_code == 200
    assert "manage.py import_police_uk" in response.content.decode()
