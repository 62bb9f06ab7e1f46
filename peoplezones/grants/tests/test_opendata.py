"""360Giving open data: the JSON package validates against the standard's own schemas (copied
into tests/schemas/360giving, no network), the CSV reads back, and nothing private leaks."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.grants import opendata
from peoplezones.grants.models import Application
from peoplezones.grants.services import approve
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    GrantRoundFactory,
    OrganisationFactory,
)
from peoplezones.grants.tests.test_public_views import (
    DECLINED_PROJECT,
    HIDDEN_PROJECT,
    PRIVATE,
    seed_2022_23,
)

SCHEMAS = Path(__file__).parent / "schemas" / "360giving"
PACKAGE_SCHEMA = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
GRANT_SCHEMA = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
# The package schema (1.4.3) points at the grant schema's 1.4.2 address; the grant schema's own
# $id is 1.4.3. Both addresses resolve to the local copy, so nothing is fetched. The files name
# their dialect as "http://json-schema.org/draft/2020-12/schema" (http, not https), which
# referencing does not recognise, so the dialect is given.
PACKAGE_REFERENCE = PACKAGE_SCHEMA["properties"]["grants"]["items"]["$ref"]
_grant_resource = DRAFT202012.create_resource(GRANT_SCHEMA)
REGISTRY = Registry().with_resources(
    [(PACKAGE_REFERENCE, _grant_resource), (GRANT_SCHEMA["$id"], _grant_resource)]
)
EXPECTED_TOTAL = Decimal("62408.06")


def _date_time(value: object) -> bool:
    """RFC 3339 date-time: a date, "T", a time and an offset (jsonschema checks it only with an
    optional library, so the test brings its own). A bare date is not a date-time."""
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        return False
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


FORMATS = FormatChecker()
FORMATS.checks("date-time")(_date_time)


def validator(schema=PACKAGE_SCHEMA) -> Draft202012Validator:
    # The standard's date fields are "oneOf: date-time format, or YYYY-MM-DD pattern": they can
    # only be told apart when formats are checked, as 360Giving's own data quality tool does.
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS)


def _errors(data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(data)]


@pytest.fixture
def seeded(db):
    return seed_2022_23()


def _json(client) -> dict:
    response = client.get(reverse("grants:open-data-json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # Amounts parsed as Decimal: the published text must be the exact pounds and pence.
    return json.loads(response.content, parse_float=Decimal)


def _csv(client) -> list[dict[str, str]]:
    response = client.get(reverse("grants:open-data-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="360giving.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# The schema and the validator -----------------------------------------------------------------


def test_the_validator_checks_formats_and_required_fields():
    good = {
        "id": "360G-x-1",
        "title": "A project",
        "description": "What it does",
        "currency": "GBP",
        "amountAwarded": 100,
        "awardDate": "2023-04-14",
        "recipientOrganization": [{"id": "GB-CHC-1000000", "name": "A charity"}],
        "fundingOrganization": [{"id": "GB-GOR-PC000123", "name": "A funder"}],
        "dateModified": "2023-04-14T10:00:00+01:00",
    }
    assert _errors({"grants": [good]}) == []
    assert _errors({"grants": [{**good, "dateModified": "2023-04-14"}]})
    assert _errors({"grants": [{**good, "awardDate": "14/04/2023"}]})
    assert _errors({"grants": [{k: v for k, v in good.items() if k != "amountAwarded"}]})
    assert _errors({"grants": [{**good, "currency": "XYZ"}]})


def test_an_empty_package_would_not_be_valid_so_none_is_served(client, db):
    # Why the views answer 404 rather than {"grants": []}: the schema asks for one grant or more.
    assert _errors({"grants": []})

    as_json = client.get(reverse("grants:open-data-json"))
    as_csv = client.get(reverse("grants:open-data-csv"))

    assert as_json.status_code == 404
    assert as_json["Content-Type"] == "application/json"
    assert "No grants have been awarded yet" in json.loads(as_json.content)["detail"]
    assert as_csv.status_code == 404
    assert "360Giving standard needs at least one grant" in as_csv.content.decode()


def test_unapproved_applications_alone_publish_nothing(client, db):
    ApplicationFactory(status=Application.Status.ASSESSMENT, project_name=HIDDEN_PROJECT)

    response = client.get(reverse("grants:open-data-json"))

    assert response.status_code == 404
    assert HIDDEN_PROJECT not in response.content.decode()


# JSON -----------------------------------------------------------------------------------------


def test_json_package_is_valid_360giving(client, seeded):
    data = json.loads(client.get(reverse("grants:open-data-json")).content)

    assert _errors(data) == []
    assert data["version"] == "1.4"
    assert data["modified"] == max(g["dateModified"] for g in data["grants"])
    assert data["license"].startswith("https://www.nationalarchives.gov.uk/doc/open-government")
    assert data["downloadURL"] == "http://testserver/grants/360giving.json"
    assert data["accessURL"] == "http://testserver/grants/awards/"
    assert data["publisher"] == {
        "identifier": "GB-GOR-PC000123",
        "name": "Office of the Police and Crime Commissioner for Leicestershire",
        "website": "http://testserver/",
    }


def test_json_package_has_each_award_with_its_amount_exactly(client, seeded):
    data = _json(client)

    grants = {g["id"]: g for g in data["grants"]}
    assert set(grants) == {a.identifier for a in seeded["awards"]}
    for award in seeded["awards"]:
        assert grants[award.identifier]["amountAwarded"] == award.amount
        assert grants[award.identifier]["amountAppliedFor"] == award.application.amount_requested
    assert sum(g["amountAwarded"] for g in data["grants"]) == EXPECTED_TOTAL


def test_json_grant_carries_recipient_funder_programme_and_places(client, seeded):
    award = next(a for a in seeded["awards"] if a.application.project_name == "Venny Social Spot")
    organisation = award.application.organisation

    grant = next(g for g in _json(client)["grants"] if g["id"] == award.identifier)

    assert grant["title"] == "Venny Social Spot"
    assert grant["description"].startswith("Aim is to reduce Anti-Social Behaviour")
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == Decimal("9135")
    assert grant["awardDate"] == "2023-04-14"
    assert grant["recipientOrganization"] == [
        {
            "id": f"GB-CHC-{organisation.charity_number}",
            "name": "New Parks Adventure Playground",
            "charityNumber": organisation.charity_number,
            "postalCode": "LE3 6RR",
        }
    ]
    assert grant["fundingOrganization"] == [
        {
            "id": "GB-GOR-PC000123",
            "name": "Office of the Police and Crime Commissioner for Leicestershire",
        }
    ]
    assert grant["grantProgramme"] == [
        {
            "code": award.application.round.slug,
            "title": "People Zone Grants 2022/23 - New Parks",
            "url": f"http://testserver{award.application.round.get_absolute_url()}",
        }
    ]
    assert grant["beneficiaryLocation"] == [
        {"name": "New Parks", "countryCode": "GB"},
        {"name": "Leicester City Council", "countryCode": "GB"},
    ]
    assert grant["url"] == f"http://testserver{award.get_absolute_url()}"
    assert datetime.datetime.fromisoformat(grant["dateModified"]).tzinfo is not None
    assert "plannedDates" not in grant


def test_json_grant_gives_planned_dates_and_register_numbers_when_known(client, db):
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    company = OrganisationFactory(
        name="Estate CIC", charity_number="", company_number="01234567", postcode=""
    )
    group = OrganisationFactory(name="Friends of the Park", charity_number="", postcode="")
    dated = ApplicationFactory(
        organisation=company,
        status=Application.Status.RECOMMENDED,
        starts_on=datetime.date(2024, 5, 1),
        ends_on=datetime.date(2025, 3, 31),
    )
    undated = ApplicationFactory(organisation=group, status=Application.Status.RECOMMENDED)
    for application in (dated, undated):
        approve(application=application, actor=commissioner)

    data = json.loads(client.get(reverse("grants:open-data-json")).content)

    assert _errors(data) == []
    grants = {g["title"]: g for g in data["grants"]}
    assert grants[dated.project_name]["plannedDates"] == [
        {"startDate": "2024-05-01", "endDate": "2025-03-31"}
    ]
    assert grants[dated.project_name]["recipientOrganization"] == [
        {"id": "GB-COH-01234567", "name": "Estate CIC", "companyNumber": "01234567"}
    ]
    fund = undated.round.fund
    assert grants[undated.project_name]["recipientOrganization"] == [
        {"id": f"{fund.identifier_prefix}-org-{group.pk}", "name": "Friends of the Park"}
    ]


def test_award_without_a_decision_date_takes_its_round_closing_day(db):
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    grant_round = GrantRoundFactory(
        opens_at=datetime.datetime(2023, 2, 13, 9, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2023, 3, 13, 17, tzinfo=datetime.UTC),
    )
    application = ApplicationFactory(round=grant_round, status=Application.Status.RECOMMENDED)
    award = approve(application=application, actor=commissioner)
    award.decided_on = None
    award.save(update_fields=["decided_on"])

    (grant,) = opendata.package(opendata.published_awards(), absolute=lambda p: p)["grants"]

    assert grant["awardDate"] == "2023-03-13"


def test_json_has_no_contact_details_or_unapproved_applications(client, seeded):
    body = client.get(reverse("grants:open-data-json")).content.decode()

    for value in PRIVATE.values():
        assert value not in body
    for key in ("contactName", "email", "telephone"):
        assert key not in body
    assert HIDDEN_PROJECT not in body
    assert DECLINED_PROJECT not in body


def test_json_reads_a_fixed_number_of_queries(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("grants:open-data-json")).status_code == 200


# CSV ------------------------------------------------------------------------------------------


def test_csv_uses_360giving_column_titles_and_reads_back(client, seeded):
    rows = _csv(client)

    assert list(rows[0]) == [title for title, _path in opendata.CSV_COLUMNS]
    for title in [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Title",
        "Beneficiary Location:0:Name",
    ]:
        assert title in rows[0]
    assert len(rows) == 12
    assert sum(Decimal(row["Amount Awarded"]) for row in rows) == EXPECTED_TOTAL
    venny = next(row for row in rows if row["Title"] == "Venny Social Spot")
    assert venny["Amount Awarded"] == "9135.00"
    assert venny["Currency"] == "GBP"
    assert venny["Award Date"] == "2023-04-14"
    assert venny["Recipient Org:Name"] == "New Parks Adventure Playground"
    assert venny["Beneficiary Location:0:Name"] == "New Parks"
    assert venny["Beneficiary Location:1:Name"] == "Leicester City Council"
    assert venny["Grant Programme:Title"] == "People Zone Grants 2022/23 - New Parks"
    assert venny["Funding Org:Identifier"] == "GB-GOR-PC000123"


def test_csv_and_json_agree(client, seeded):
    grants = {g["id"]: g for g in _json(client)["grants"]}
    rows = _csv(client)

    assert {row["Identifier"] for row in rows} == set(grants)
    for row in rows:
        grant = grants[row["Identifier"]]
        assert Decimal(row["Amount Awarded"]) == grant["amountAwarded"]
        assert row["Recipient Org:Identifier"] == grant["recipientOrganization"][0]["id"]
        assert row["Last Modified"] == grant["dateModified"]


def test_csv_cannot_run_formulas_in_a_spreadsheet(client, db):
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    organisation = OrganisationFactory(name='=HYPERLINK("http://evil.example","Click")')
    application = ApplicationFactory(
        organisation=organisation,
        project_name="+SUM(A1:A9)",
        brief="@cmd|' /C calc'!A0",
        status=Application.Status.RECOMMENDED,
    )
    approve(application=application, actor=commissioner)

    (row,) = _csv(client)
    (grant,) = _json(client)["grants"]

    assert row["Recipient Org:Name"] == "'" + organisation.name
    assert row["Title"] == "'+SUM(A1:A9)"
    assert row["Description"] == "'@cmd|' /C calc'!A0"
    # JSON is not a spreadsheet: it keeps the text as it is.
    assert grant["recipientOrganization"][0]["name"] == organisation.name


def test_csv_has_no_contact_details_or_unapproved_applications(client, seeded):
    body = client.get(reverse("grants:open-data-csv")).content.decode("utf-8-sig")

    for value in PRIVATE.values():
        assert value not in body
    assert HIDDEN_PROJECT not in body
    assert DECLINED_PROJECT not in body
