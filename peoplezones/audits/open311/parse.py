"""Reading Open311 parameters. Anything that does not parse raises Open311Error, which the
views turn into the spec's error body, so bad input is always a 4xx that says what is wrong."""

import datetime
import math
import re
import uuid
from collections.abc import Iterable

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from peoplezones.audits.models import Issue
from peoplezones.audits.workflow import CLOSED_STATES, OPEN_STATES

MAX_SPAN = datetime.timedelta(days=90)
MAX_IDS = 1000
MIN_YEAR, MAX_YEAR = 1900, 2999
ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]+)\]$")
# What a council's system may send as `external_status`: the workflow action each one means.
EXTERNAL_STATUSES = {
    "investigating": "investigate",
    "action_scheduled": "schedule",
    "in_progress": "start",
    "fixed": "fix",
    "not_responsible": "not_responsible",
    "unable_to_fix": "unable",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def bad_request(description: str) -> Open311Error:
    return Open311Error(400, description)


def not_found(description: str) -> Open311Error:
    return Open311Error(404, description)


def request_id(raw: str, *, in_path: bool = False) -> int:
    """A request number; in a URL path anything else names no request, so it is a 404."""
    raw = raw.strip()
    if not re.fullmatch(r"\d{1,18}", raw):
        if in_path:
            raise not_found(_("There is no request %(id)s.") % {"id": raw})
        raise bad_request(_("service_request_id must be a request number."))
    return int(raw)


def request_ids(query: QueryDict) -> list[int]:
    """`service_request_id=1,2,3` (or repeated): the ids, in the order given."""
    raw = ",".join(query.getlist("service_request_id"))
    ids = [request_id(part) for part in raw.split(",") if part.strip()]
    if len(ids) > MAX_IDS:
        raise bad_request(_("Ask for at most %(count)s requests at once.") % {"count": MAX_IDS})
    return ids


def statuses(query: QueryDict) -> list[str] | None:
    """`status=open`, `closed` or both (comma-separated or repeated): our states, or None."""
    wanted = {part.strip().lower() for part in ",".join(query.getlist("status")).split(",")}
    wanted.discard("")
    unknown = wanted - {"open", "closed"}
    if unknown:
        raise bad_request(_("status must be open or closed."))
    if wanted == {"open"}:
        return sorted(OPEN_STATES)
    if wanted == {"closed"}:
        return sorted(CLOSED_STATES)
    return None


def moment(query: QueryDict, name: str) -> datetime.datetime | None:
    """An ISO 8601 date and time (a bare date means its midnight here), or None if absent."""
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        value = None
    if value is None:
        raise bad_request(
            _("%(name)s must be a date and time like 2026-11-21T10:00:00+00:00.") % {"name": name}
        )
    # Far-off years overflow when shifted to UTC or by the 90-day window: refuse them here.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise bad_request(
            _("%(name)s must be between the years %(min)s and %(max)s.")
            % {"name": name, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def window(query: QueryDict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The requested_datetime range: the last 90 days unless asked, and never over 90 days."""
    start, end = moment(query, "start_date"), moment(query, "end_date")
    if start is None and end is None:
        return timezone.now() - MAX_SPAN, None
    if start is None and end is not None:
        return end - MAX_SPAN, end
    if start is not None and end is not None:
        if end < start:
            raise bad_request(_("end_date must not be before start_date."))
        if end - start > MAX_SPAN:
            raise bad_request(_("start_date and end_date may not span more than 90 days."))
    return start, end


def coordinate(data: QueryDict, name: str) -> float:
    raw = data.get(name, "").strip()
    if not raw:
        raise bad_request(
            _("%(name)s is required: we need a point (lat and long) for every request.")
            % {"name": name}
        )
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise bad_request(_("%(name)s must be a number in degrees (WGS 84).") % {"name": name})
    return value


def attributes(data: QueryDict) -> dict[str, str]:
    """The answers sent as `attribute[code]=value`."""
    answers = {}
    for key in data:
        if match := ATTRIBUTE.match(key):
            answers[match["code"]] = data.get(key, "")
    return answers


def reporter_name(data: QueryDict) -> str:
    names: Iterable[str] = (data.get("first_name", ""), data.get("last_name", ""))
    return " ".join(name.strip() for name in names if name.strip())


def token(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found(_("There is no request with that token.")) from None


def update_action(*, current: str, status: str, external_status: str, term: str) -> str | None:
    """The workflow action a pushed status means for an issue now in state `current`, or None
    when the state stays as it is (the text, if any, is then a note).

    A plain `closed` means fixed: councils close most street faults by fixing them. A plain
    `open` reopens a closed issue, but never one a moderator hid.
    """
    status = status.strip().lower()
    external_status = external_status.strip().lower()
    if status not in ("open", "closed"):
        raise bad_request(_("status must be open or closed."))
    if not external_status:
        if status == "closed":
            return None if current in CLOSED_STATES else "fix"
        return "reopen" if current in CLOSED_STATES else None
    action = EXTERNAL_STATUSES.get(external_status)
    if action is None:
        raise bad_request(
            _("external_status must be one of: %(values)s.")
            % {"values": ", ".join(EXTERNAL_STATUSES)}
        )
    target_closed = external_status in CLOSED_STATES
    if target_closed != (status == "closed"):
        raise bad_request(
            _("status %(status)s does not agree with external_status %(external)s.")
            % {"status": status, "external": external_status}
        )
    if action == "schedule" and term not in Issue.Term.values:
        raise bad_request(_("term must be short, medium or long when action is scheduled."))
    # Sent twice (councils' systems retry): the second time changes nothing but the notes.
    return None if external_status == current else action
