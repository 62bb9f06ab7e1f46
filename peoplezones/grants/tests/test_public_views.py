"""Public grants pages: rounds, funding tables, awards and a zone's grants, over real HTTP.

`seed_2022_23()` loads the three 2022/23 zone rounds and their 12 awards exactly as the panel
report of 26 July 2023 published them, through the real services. It reads the copies of
../shared/data/seed_report/ kept in the grants and zones apps' demo_data folders.
"""

import csv
import datetime
import html
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.money import parse_gbp
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.grants import selectors, services
from peoplezones.grants.models import Application, Award, Organisation
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    GrantRoundFactory,
    OrganisationFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory

APPS = Path(__file__).resolve().parents[2]
SEED = {
    "zones.csv": APPS / "zones" / "demo_data" / "zones.csv",
    "themes.csv": APPS / "zones" / "demo_data" / "themes.csv",
    "rounds_2022_23.csv": APPS / "grants" / "demo_data" / "rounds_2022_23.csv",
    "awards_2022_23.csv": APPS / "grants" / "demo_data" / "awards_2022_23.csv",
}
LONDON = ZoneInfo("Europe/London")
S = Application.Status

# Every application made in these tests carries these; no public page or file may show them.
PRIVATE = {
    "contact_name": "Priya Privateperson",
    "contact_email": "priya.private@example.org",
    "contact_phone": "07700 900461",
}
HIDDEN_PROJECT = "Secret Pending Project"
DECLINED_PROJECT = "Declined Dream Project"


def _london(day: str, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON
    )


def _rows(name: str) -> list[dict[str, str]]:
    with SEED[name].open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed_2022_23() -> dict:
    """The three 2022/23 rounds (09:00 to 17:00 London time), the 12 awards, and two
    applications that must stay private: one still being assessed, one declined."""
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    year = BudgetYearFactory(start_year=2022)
    line = BudgetLineFactory(year=year, title="Grant funding", amount=Decimal("180000.00"))
    zones = {}
    for row in _rows("zones.csv"):
        zones[row["slug"]] = ZoneFactory(
            slug=row["slug"], name=row["name"], local_authority=row["local_authority"]
        )
    for row in _rows("themes.csv"):
        ThemeFactory(zone=zones[row["zone"]], title=row["theme"], order=int(row["order"]))
    rounds = {}
    for row in _rows("rounds_2022_23.csv"):
        rounds[row["zone"]] = GrantRoundFactory(
            name=row["round"],
            slug=slugify(row["round"]),
            zones=[zones[row["zone"]]],
            opens_at=_london(row["opens"], 9),
            closes_at=_london(row["closes"], 17),
            budget_year=year,
            budget_line=line,
        )
    organisations: dict[str, Organisation] = {}
    awards = []
    for row in _rows("awards_2022_23.csv"):
        organisation = organisations.get(row["organisation"])
        if organisation is None:
            organisation = organisations[row["organisation"]] = OrganisationFactory(
                name=row["organisation"]
            )
        amount = parse_gbp(row["amount"])
        application = ApplicationFactory(
            round=rounds[row["zone"]],
            organisation=organisation,
            zone=zones[row["zone"]],
            project_name=row["project"],
            brief=row["brief"],
            amount_requested=amount,
            status=S.RECOMMENDED,
            **PRIVATE,
        )
        awards.append(
            services.approve(
                application=application,
                actor=commissioner,
                amount=amount,
                reasons="Meets the zone's research themes.",
                conditions="Send a monitoring return after six months.",
                decided_on=datetime.date(2023, 4, 14),
            )
        )
    pending = ApplicationFactory(
        round=rounds["new-parks"],
        zone=zones["new-parks"],
        project_name=HIDDEN_PROJECT,
        status=S.ASSESSMENT,
        **PRIVATE,
    )
    declined = ApplicationFactory(
        round=rounds["new-parks"],
        zone=zones["new-parks"],
        project_name=DECLINED_PROJECT,
        status=S.DECLINED,
        **PRIVATE,
    )
    return {
        "zones": zones,
        "rounds": rounds,
        "awards": awards,
        "year": year,
        "pending": pending,
        "declined": declined,
        "commissioner": commissioner,
    }


@pytest.fixture
def seeded(db):
    return seed_2022_23()


def _text(response) -> str:
    """The page's words without tags or entities, with runs of white space made single."""
    body = response.content.decode()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _captions(response) -> list[str]:
    """The captions of the page's tables: one per zone in a funding table."""
    body = response.content.decode()
    return [html.unescape(c.strip()) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", body)]


# Rounds ---------------------------------------------------------------------------------------


def test_round_list_puts_open_then_upcoming_rounds_before_past_ones(client, db):
    now = timezone.now()
    zone = ZoneFactory(name="Bell Foundry", slug="bell-foundry")
    upcoming = GrantRoundFactory(
        name="Future round",
        zones=[zone],
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=30),
    )
    open_round = GrantRoundFactory(name="Current round", zones=[zone])
    past = GrantRoundFactory(
        name="Old spring round",
        zones=[zone],
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
    )

    response = client.get(reverse("grants:round-list"))

    assert response.status_code == 200
    text = _text(response)
    assert text.index(open_round.name) < text.index(upcoming.name) < text.index("Past rounds")
    assert text.index("Past rounds") < text.index(past.name)
    assert "Opens soon" in text
    assert "Closed" in text
    assert "Grants of up to £10,000.00" in text


def test_round_list_filters_by_zone(client, db):
    here, there = ZoneFactory(slug="here"), ZoneFactory(slug="there")
    GrantRoundFactory(name="Round for here", zones=[here])
    GrantRoundFactory(name="Round for there", zones=[there])
    GrantRoundFactory(name="Round for both", zones=[here, there])

    response = client.get(reverse("grants:round-list"), {"zone": "here"})

    assert response.status_code == 200
    text = _text(response)
    assert "Round for here" in text
    assert "Round for both" in text
    assert "Round for there" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"zone": "atlantis"}, "There is no zone called “atlantis”. Choose a zone from the list."),
        ({"zone": "<script>x</script>"}, "There is no zone called"),
    ],
)
def test_round_list_answers_a_bad_zone_clearly(client, db, query, message):
    GrantRoundFactory(name="Any round")

    response = client.get(reverse("grants:round-list"), query)

    assert response.status_code == 400
    assert message in _text(response)
    assert "<script>x</script>" not in response.content.decode()
    assert "Any round" not in _text(response)


def test_round_list_pages_past_rounds_and_survives_a_bad_page_number(client, db):
    now = timezone.now()
    zone = ZoneFactory()
    for n in range(22):
        GrantRoundFactory(
            name=f"Old round {n:02d}",
            zones=[zone],
            opens_at=now - datetime.timedelta(days=100 + n),
            closes_at=now - datetime.timedelta(days=50 + n),
        )

    first = client.get(reverse("grants:round-list"))
    second = client.get(reverse("grants:round-list"), {"page": "2"})
    nonsense = client.get(reverse("grants:round-list"), {"page": "many"})

    assert "Old round 00" in _text(first)
    assert "Old round 21" not in _text(first)
    assert "Old round 21" in _text(second)
    assert "Old round 00" not in _text(second)
    assert nonsense.status_code == 200


def test_round_list_reads_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    zones = [ZoneFactory() for _ in range(3)]
    for n in range(12):
        GrantRoundFactory(zones=zones[: 1 + n % 3])

    with django_assert_max_num_queries(8):
        response = client.get(reverse("grants:round-list"))
    assert response.status_code == 200


def test_round_page_gives_london_times_limits_themes_eligibility_and_guidance(client, seeded):
    grant_round = seeded["rounds"]["bell-foundry"]

    response = client.get(grant_round.get_absolute_url())

    assert response.status_code == 200
    text = _text(response)
    assert "Opened 09:00 Monday 30 January 2023 (UK time)" in text
    assert "Closed 17:00 Monday 27 February 2023 (UK time)" in text
    assert "Up to £10,000.00 for each application" in text
    for theme in ["Health and Wellbeing", "Community Safety", "Pride of Place"]:
        assert theme in text
    assert "Celebrating the People" in text
    assert "We are a not-for-profit group." in text
    assert "Tell us what you will do and who it is for." in text
    assert "no longer takes applications" in text
    assert "See the 2 grants awarded in this round" in text


def test_round_page_shows_summer_time_as_uk_time(client, db):
    # 09:00 in June is 08:00 UTC: the page must still say 09:00.
    grant_round = GrantRoundFactory(
        opens_at=_london("2031-06-02", 9),
        closes_at=_london("2031-06-30", 17),
        minimum_award=Decimal("500.00"),
        maximum_award=Decimal("5000.00"),
    )

    text = _text(client.get(grant_round.get_absolute_url()))

    assert "Opens 09:00 Monday 2 June 2031 (UK time)" in text
    assert "Closes 17:00 Monday 30 June 2031 (UK time)" in text
    assert "From £500.00 to £5,000.00 for each application" in text
    assert "Applications can be made from 09:00 Monday 2 June 2031 (UK time)" in text


def test_round_page_of_an_open_round_says_how_to_apply(client, db):
    grant_round = GrantRoundFactory()

    response = client.get(grant_round.get_absolute_url())

    text = _text(response)
    assert "Apply online before" in text
    try:
        apply_url = reverse("grants:apply", kwargs={"slug": grant_round.slug})
    except NoReverseMatch:
        assert "The online application form is not available yet." in text
    else:
        assert f'href="{apply_url}"' in response.content.decode()
        assert "Start an application" in text


def test_round_page_of_an_unknown_round_is_a_clear_404(client, db):
    response = client.get(reverse("grants:round-detail", kwargs={"slug": "no-such-round"}))

    assert response.status_code == 404


def test_public_pages_refuse_to_be_posted_to(client, seeded):
    grant_round = seeded["rounds"]["new-parks"]

    assert client.post(grant_round.get_absolute_url()).status_code == 405
    assert client.post(reverse("grants:funding")).status_code == 405


# Funding tables -------------------------------------------------------------------------------

PUBLISHED_TOTALS = {
    "bell-foundry": ("£9,950.00", 2),
    # The report printed £38,277.06; its own six rows add up to £38,261.06.
    "new-parks": ("£38,261.06", 6),
    "thringstone-whitwick": ("£14,197.00", 4),
}


def test_funding_table_totals_are_the_sums_of_the_published_rows(seeded):
    for slug, (total, count) in PUBLISHED_TOTALS.items():
        table = selectors.funding_table(seeded["rounds"][slug])

        assert table.count == count
        assert table.total == parse_gbp(total)
        assert [z.zone.slug for z in table.zones] == [slug]
        assert table.zones[0].total == parse_gbp(total)


@pytest.mark.parametrize("slug", list(PUBLISHED_TOTALS))
def test_round_funding_page_shows_each_award_and_the_totals(client, seeded, slug):
    total, count = PUBLISHED_TOTALS[slug]
    grant_round = seeded["rounds"][slug]

    response = client.get(reverse("grants:round-funding", kwargs={"slug": grant_round.slug}))

    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-total="zone">{total}<' in body
    text = _text(response)
    assert f"Total for the round: {total}" in text
    assert f"approved {count} bids in this round: a funding commitment of {total}" in text
    assert _captions(response) == [grant_round.zones.get().name]
    for award in seeded["awards"]:
        if award.application.round == grant_round:
            assert award.application.project_name in text
            assert award.application.brief in text
            assert award.get_absolute_url() in body


def test_round_funding_page_shows_the_messy_published_amounts_exactly(client, seeded):
    body = client.get(
        reverse("grants:round-funding", kwargs={"slug": seeded["rounds"]["new-parks"].slug})
    ).content.decode()

    # Published as "£9,740.98." and "£9,135" in the report.
    assert "£9,740.98<" in body
    assert "£9,135.00<" in body


def test_round_funding_page_of_a_round_without_awards_says_so(client, db):
    grant_round = GrantRoundFactory()

    response = client.get(reverse("grants:round-funding", kwargs={"slug": grant_round.slug}))

    assert response.status_code == 200
    assert "No grants have been awarded in this round yet." in _text(response)


def test_funding_page_adds_up_every_round(client, seeded):
    response = client.get(reverse("grants:funding"))

    assert response.status_code == 200
    text = _text(response)
    assert "12 grants: £62,408.06 in all." in text
    for total, _count in PUBLISHED_TOTALS.values():
        assert f"Total for the round: {total}" in text


def test_funding_page_for_one_zone_and_year_matches_the_zone_year_total(client, seeded):
    response = client.get(reverse("grants:funding"), {"zone": "new-parks", "year": "2022/23"})

    assert response.status_code == 200
    text = _text(response)
    assert "6 grants to New Parks in 2022/23: £38,261.06 in all." in text
    assert "Total for New Parks in this round: £38,261.06" in text
    assert _captions(response) == ["New Parks"]
    assert "10th Loughborough Rainbows" not in text
    computed = selectors.zone_year_total(zone=seeded["zones"]["new-parks"], start_year=2022)
    assert computed == Decimal("38261.06")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "2023/24"}, "“2023/24” is not a budget year with grant rounds."),
        ({"year": "nonsense"}, "“nonsense” is not a budget year with grant rounds."),
        ({"zone": "mars"}, "There is no zone called “mars”."),
        ({"zone": "new-parks", "year": "1999/00"}, "“1999/00” is not a budget year"),
    ],
)
def test_funding_page_answers_bad_filters_clearly(client, seeded, query, message):
    response = client.get(reverse("grants:funding"), query)

    assert response.status_code == 400
    assert message in _text(response)
    assert "There is a problem" in _text(response)
    assert "£62,408.06" not in _text(response)


def _queries(client, address: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def test_funding_page_reads_the_same_few_queries_however_many_rounds(client, seeded):
    address = reverse("grants:funding")
    with_three_rounds = _queries(client, address)
    Award.objects.exclude(application__round=seeded["rounds"]["new-parks"]).delete()

    assert _queries(client, address) == with_three_rounds <= 9


def test_zone_grants_page_reads_the_same_few_queries_however_many_rounds(client, seeded):
    address = reverse("grants:zone-grants", kwargs={"slug": "new-parks"})
    with_one_round = _queries(client, address)
    zone = seeded["rounds"]["new-parks"].zones.get()
    GrantRoundFactory.create_batch(3, zones=[zone])

    assert _queries(client, address) == with_one_round <= 9


# A zone's grants ------------------------------------------------------------------------------


def test_zone_grants_page_lists_its_rounds_and_funded_projects_with_totals(client, seeded):
    response = client.get(reverse("grants:zone-grants", kwargs={"slug": "new-parks"}))

    assert response.status_code == 200
    text = _text(response)
    assert "People Zone Grants 2022/23 - New Parks" in text
    assert "Awarded to projects in New Parks in 2022/23: £38,261.06" in text
    assert "Total for New Parks (6 grants)" in text
    assert "Venny Social Spot" in text
    assert "Project Outreach" not in text  # Bell Foundry's


def test_zone_grants_page_of_a_zone_without_rounds_says_so(client, db):
    zone = ZoneFactory(name="Quiet Zone", slug="quiet")

    response = client.get(reverse("grants:zone-grants", kwargs={"slug": zone.slug}))

    assert response.status_code == 200
    assert "No grant round has been open to groups in Quiet Zone yet." in _text(response)


def test_zone_grants_page_of_an_unknown_zone_is_404(client, db):
    response = client.get(reverse("grants:zone-grants", kwargs={"slug": "nowhere"}))

    assert response.status_code == 404


def test_zone_page_links_to_its_grants(client, seeded):
    response = client.get(reverse("zones:zone-detail", kwargs={"slug": "new-parks"}))

    body = response.content.decode()
    assert f'href="{reverse("grants:zone-grants", kwargs={"slug": "new-parks"})}"' in body
    assert "Grant rounds open to groups working here" in _text(response)


# Awards ---------------------------------------------------------------------------------------


def test_award_page_publishes_recipient_purpose_amount_date_conditions_and_reasons(client, seeded):
    award = next(a for a in seeded["awards"] if a.application.project_name == "Venny Social Spot")

    response = client.get(award.get_absolute_url())

    assert response.status_code == 200
    text = _text(response)
    assert "New Parks Adventure Playground" in text
    assert "Venny Social Spot" in text
    assert "Aim is to reduce Anti-Social Behaviour" in text
    assert "£9,135.00" in text
    assert "14 April 2023" in text
    assert "Send a monitoring return after six months." in text
    assert "Meets the zone's research themes." in text
    assert "People Zone Grants 2022/23 - New Parks" in text
    assert "New Parks" in text
    assert award.identifier in text
    assert f"Registered charity {award.application.organisation.charity_number}" in text


def test_award_pages_exist_only_for_awards(client, seeded):
    for application in (seeded["pending"], seeded["declined"]):
        guess = services.award_identifier(application)
        response = client.get(reverse("grants:award-detail", kwargs={"identifier": guess}))
        assert response.status_code == 404


def test_award_list_shows_awards_only_and_filters(client, seeded):
    everything = client.get(reverse("grants:award-list"))
    bell = client.get(reverse("grants:award-list"), {"zone": "bell-foundry"})
    bad = client.get(reverse("grants:award-list"), {"year": "20x2"})

    assert everything.status_code == 200
    assert "12 grants" in _text(everything)
    assert HIDDEN_PROJECT not in _text(everything)
    assert DECLINED_PROJECT not in _text(everything)
    assert "2 grants in Bell Foundry" in _text(bell)
    assert "Venny Social Spot" not in _text(bell)
    assert bad.status_code == 400
    assert "is not a budget year with grant rounds" in _text(bad)
    assert reverse("grants:open-data-json") in everything.content.decode()


def test_award_list_before_any_award_explains_the_open_data(client, db):
    response = client.get(reverse("grants:award-list"))

    assert response.status_code == 200
    text = _text(response)
    assert "once the first grant is awarded" in text
    assert reverse("grants:open-data-json") not in response.content.decode()


def test_award_list_reads_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("grants:award-list"))
    assert response.status_code == 200


# Privacy --------------------------------------------------------------------------------------


def _public_addresses(seeded) -> list[str]:
    award = seeded["awards"][0]
    addresses = [
        reverse("grants:round-list"),
        reverse("grants:funding"),
        reverse("grants:funding") + "?zone=new-parks&year=2022%2F23",
        reverse("grants:award-list"),
        reverse("grants:open-data-json"),
        reverse("grants:open-data-csv"),
        award.get_absolute_url(),
    ]
    for grant_round in seeded["rounds"].values():
        addresses.append(grant_round.get_absolute_url())
        addresses.append(reverse("grants:round-funding", kwargs={"slug": grant_round.slug}))
    for zone in seeded["zones"].values():
        addresses.append(reverse("grants:zone-grants", kwargs={"slug": zone.slug}))
        addresses.append(zone.get_absolute_url())
    for award in seeded["awards"]:
        addresses.append(award.get_absolute_url())
    return addresses


def test_no_page_or_download_shows_contact_details_or_unapproved_applications(client, seeded):
    assert Award.objects.count() == 12
    for address in _public_addresses(seeded):
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode("utf-8-sig")
        for value in PRIVATE.values():
            assert value not in body, (address, value)
        assert "priya" not in body.lower(), address
        assert HIDDEN_PROJECT not in body, address
        assert DECLINED_PROJECT not in body, address


def test_signed_in_staff_see_the_same_public_pages(client, seeded):
    client.force_login(UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]))
    for address in _public_addresses(seeded):
        body = client.get(address).content.decode("utf-8-sig")
        assert PRIVATE["contact_email"] not in body, address
        assert HIDDEN_PROJECT not in body, address
