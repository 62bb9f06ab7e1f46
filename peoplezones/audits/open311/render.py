"""Open311 answers as JSON or XML, and the mapping from our rows to the spec's elements.

Element names and nesting follow GeoReport v2: a JSON list becomes an XML root holding one
element per item (`<services><service>…`), and a list inside an item holds singular elements
(`<attributes><attribute>…`). Absent values are JSON null and empty XML elements.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.audits.models import Issue, IssueCategory
from peoplezones.audits.workflow import open311_status

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The name of each item of a list inside an item, by the list's own name.
XML_ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# XML 1.0 cannot carry most control characters, even escaped; residents' text sometimes has them.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def open311_datetime(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset, in local time, to the second: 2026-11-21T10:00:00+00:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


# Writers.


def _xml_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _xml_fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = XML_ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _xml_text(value)


def xml_document(*, root: str, item: str | None, data: Any) -> str:
    """The XML text: a list under `root` with one `item` element each, or one object as `root`."""
    element = ET.Element(root)
    if item is not None:
        for entry in data:
            _xml_fill(ET.SubElement(element, item), entry)
    else:
        _xml_fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def answer(
    *, fmt: str, data: Any, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    """`data` in the asked format; `root` and `item` name the XML elements."""
    if fmt == "xml":
        content = xml_document(root=root, item=item, data=data)
    else:
        content = json.dumps(data, ensure_ascii=False)
    return HttpResponse(content.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def error_answer(*, fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error body: a list of {code, description} under <errors><error>."""
    return answer(
        fmt=fmt,
        data=[{"code": status, "description": description}],
        root="errors",
        item="error",
        status=status,
    )


# Mapping.


def service(category: IssueCategory) -> dict[str, Any]:
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.extra_attributes),
        "type": "realtime",
        "keywords": str(category.get_icon_display()).lower(),
        "group": category.group,
    }


def _attribute(question: dict[str, Any], order: int) -> dict[str, Any]:
    choices = [str(choice) for choice in question.get("choices") or []]
    is_choice = question.get("type") == "choice"
    return {
        "variable": True,
        "code": question["code"],
        "datatype": "singlevaluelist" if is_choice else "string",
        "required": bool(question.get("required")),
        "datatype_description": (
            _("Send one of the keys below.") if is_choice else _("Up to 200 characters.")
        ),
        "order": order,
        "description": question.get("label") or question["code"],
        # Our answers are the choice texts themselves, so key and name are the same.
        "values": [{"key": choice, "name": choice} for choice in choices] if is_choice else [],
    }


def service_definition(category: IssueCategory) -> dict[str, Any]:
    questions = [q for q in category.extra_attributes if isinstance(q, dict) and q.get("code")]
    return {
        "service_code": category.service_code,
        "attributes": [
            _attribute(question, order) for order, question in enumerate(questions, start=1)
        ],
    }


def status_notes(issue: Issue) -> str:
    """The latest public word on the issue, else its state in words."""
    updates = getattr(issue, "open311_public_updates", None)
    if updates is None:
        updates = list(issue.updates.filter(public=True).order_by("-created", "-pk")[:1])
    if updates and updates[0].text:
        return updates[0].text
    state = str(issue.get_state_display())
    if issue.state == Issue.State.ACTION_SCHEDULED and issue.term:
        return _("%(state)s (%(term)s)") % {
            "state": state,
            "term": str(issue.get_term_display()).lower(),
        }
    return state


def request_fields(issue: Issue, *, request: HttpRequest) -> dict[str, Any]:
    """A public issue as an Open311 request. Never the reporter's name, email or phone."""
    photos = getattr(issue, "open311_public_photos", [])
    referrals = getattr(issue, "open311_referrals", [])
    closed = open311_status(issue.state) == "closed"
    return {
        "service_request_id": str(issue.pk),
        "status": open311_status(issue.state),
        "status_notes": status_notes(issue),
        "service_name": issue.category.name,
        "service_code": issue.category.service_code,
        "description": issue.description,
        "agency_responsible": referrals[0].body.name if referrals else None,
        "service_notice": None,
        "requested_datetime": open311_datetime(issue.created),
        # For a closed request the spec wants the date it was closed.
        "updated_datetime": open311_datetime(
            issue.closed_at if closed and issue.closed_at else issue.modified
        ),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": issue.latitude,
        "long": issue.longitude,
        "media_url": request.build_absolute_uri(photos[0].image.url) if photos else None,
    }
