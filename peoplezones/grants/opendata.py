"""Awards as 360Giving open data: a JSON package (360Giving package schema 1.4) and the flat CSV.

Only awards are published: an application that was not approved never leaves the building, and
neither do the contact details of anyone on an application. The CSV is made from the same
records as the JSON, so the two cannot disagree.

The files are data, not pages: their titles and descriptions are English whatever language the
reader chose, so that everyone downloading them gets the same bytes.
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from peoplezones.core.csvsafe import csv_safe
from peoplezones.grants import selectors
from peoplezones.grants.models import Application, Award

SCHEMA_VERSION = "1.4"
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CURRENCY = "GBP"
COUNTRY = "GB"

Url = Callable[[str], str]


def published_awards() -> QuerySet[Award]:
    """Every award the public may see (approved applications only), oldest round first."""
    return (
        selectors.awards()
        .filter(application__status=Application.Status.APPROVED)
        .select_related("application__round__budget_year")
        .order_by("application__round__opens_at", "application__round__name", "identifier")
    )


def award_date(award: Award) -> str:
    """360Giving needs an award date: the decision date, or for an award imported without one,
    the day its round's decisions were complete or else the day the round closed."""
    grant_round = award.application.round
    if award.decided_on is not None:
        day = award.decided_on
    elif grant_round.decided_at is not None:
        day = timezone.localdate(grant_round.decided_at)
    else:
        day = timezone.localdate(grant_round.closes_at)
    return day.isoformat()


def _number(amount: Decimal) -> int | float:
    """A JSON number for an amount of pounds.

    JSON has no decimal type. Amounts have two places and at most twelve significant figures
    (under £1,000,000,000.00), so the shortest float text is exactly the amount ("9740.98").
    """
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _modified_at(award: Award) -> datetime.datetime:
    """When anything published about the award last changed (the award, the application or
    the organisation's name and numbers)."""
    application = award.application
    return max(award.modified, application.modified, application.organisation.modified)


def _date_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _recipient(award: Award) -> dict[str, Any]:
    organisation = award.application.organisation
    record: dict[str, Any] = {
        "id": organisation.org_id(award.application.round.fund),
        "name": organisation.name,
    }
    if organisation.charity_number:
        record["charityNumber"] = organisation.charity_number
    if organisation.company_number:
        record["companyNumber"] = organisation.company_number
    if organisation.postcode:
        record["postalCode"] = organisation.postcode
    return record


def grant(award: Award, *, absolute: Url) -> dict[str, Any]:
    """One award as a 360Giving grant. Never add contactName, email or telephone here."""
    application = award.application
    grant_round = application.round
    fund = grant_round.fund
    zone = application.zone
    record: dict[str, Any] = {
        "id": award.identifier,
        "title": application.project_name,
        "description": application.brief or application.project_name,
        "currency": CURRENCY,
        "amountAwarded": _number(award.amount),
        "awardDate": award_date(award),
        "recipientOrganization": [_recipient(award)],
        "fundingOrganization": [{"id": fund.funder_org_id, "name": fund.funder_name}],
        "grantProgramme": [
            {
                "code": grant_round.slug,
                "title": grant_round.name,
                "url": absolute(grant_round.get_absolute_url()),
            }
        ],
        "beneficiaryLocation": [
            {"name": zone.name, "countryCode": COUNTRY},
            {"name": zone.local_authority, "countryCode": COUNTRY},
        ],
        "fromOpenCall": "Yes",
        "url": absolute(award.get_absolute_url()),
        "dateModified": _date_time(_modified_at(award)),
    }
    if application.amount_requested is not None:
        record["amountAppliedFor"] = _number(application.amount_requested)
    if application.starts_on is not None:
        planned = {"startDate": application.starts_on.isoformat()}
        if application.ends_on is not None:
            planned["endDate"] = application.ends_on.isoformat()
        record["plannedDates"] = [planned]
    return record


def package(awards: Iterable[Award], *, absolute: Url) -> dict[str, Any]:
    """A 360Giving package of these awards, with its metadata.

    The schema asks for at least one grant: callers publish nothing (see the views) rather
    than an empty package.
    """
    awards = list(awards)
    grants = [grant(award, absolute=absolute) for award in awards]
    funds = {a.application.round.fund for a in awards}
    funders = {(fund.funder_org_id, fund.funder_name) for fund in funds}
    if len(funders) == 1:
        ((identifier, name),) = funders
        publisher = {"identifier": identifier, "name": name, "website": absolute("/")}
    else:
        publisher = {"name": settings.SITE_NAME, "website": absolute("/")}
    modified = max((_modified_at(award) for award in awards), default=None)
    data: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "title": f"{settings.SITE_NAME}: grants awarded",
        "description": (
            f"Every grant awarded through {settings.SITE_NAME}, with its recipient, purpose, "
            "amount, date, grant round and the People Zone it benefits."
        ),
        "identifier": f"{publisher.get('identifier') or settings.SITE_NAME}-grants",
        "issued": timezone.localdate().isoformat(),
        "publisher": publisher,
        "license": LICENSE,
        "accessURL": absolute(reverse("grants:award-list")),
        "downloadURL": absolute(reverse("grants:open-data-json")),
        "grants": grants,
    }
    if modified is not None:
        data["modified"] = _date_time(modified)
    return data


def package_json(awards: Iterable[Award], *, absolute: Url) -> str:
    return json.dumps(package(awards, absolute=absolute), ensure_ascii=False, indent=1)


# 360Giving's flat column titles. Two beneficiary locations (the zone, then its local authority)
# are numbered, as the 360Giving spreadsheet guidance does for several locations in one row.
CSV_COLUMNS: list[tuple[str, tuple[str | int, ...]]] = [
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Applied For", ("amountAppliedFor",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Org:Charity Number", ("recipientOrganization", 0, "charityNumber")),
    ("Recipient Org:Company Number", ("recipientOrganization", 0, "companyNumber")),
    ("Recipient Org:Postal Code", ("recipientOrganization", 0, "postalCode")),
    ("Beneficiary Location:0:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:0:Country Code", ("beneficiaryLocation", 0, "countryCode")),
    ("Beneficiary Location:1:Name", ("beneficiaryLocation", 1, "name")),
    ("Beneficiary Location:1:Country Code", ("beneficiaryLocation", 1, "countryCode")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Grant Programme:URL", ("grantProgramme", 0, "url")),
    ("From An Open Call?", ("fromOpenCall",)),
    ("URL", ("url",)),
    ("Last Modified", ("dateModified",)),
]
_MONEY_COLUMNS = {"Amount Applied For", "Amount Awarded"}


def _lookup(record: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        try:
            record = record[step]
        except (KeyError, IndexError):
            return ""
    return record


def csv_rows(awards: Iterable[Award], *, absolute: Url) -> Iterable[list[Any]]:
    """The flat rows, headings first; text that a spreadsheet would run as a formula is defused."""
    yield [title for title, _path in CSV_COLUMNS]
    for award in awards:
        record = grant(award, absolute=absolute)
        amounts = {
            "Amount Awarded": award.amount,
            "Amount Applied For": award.application.amount_requested,
        }
        row = []
        for title, path in CSV_COLUMNS:
            if title in _MONEY_COLUMNS:
                # Pounds and pence exactly as recorded ("5150.00"), never through a float.
                value = amounts[title]
                row.append("" if value is None else f"{value:.2f}")
            else:
                row.append(csv_safe(_lookup(record, path)))
        yield row


def package_csv(awards: Iterable[Award], *, absolute: Url) -> bytes:
    buffer = io.StringIO()
    # The byte order mark makes Excel read the file as UTF-8 rather than Windows-1252.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(csv_rows(awards, absolute=absolute))
    return buffer.getvalue().encode("utf-8")
