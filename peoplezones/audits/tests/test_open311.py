"""The Open311 GeoReport v2 server, used as a council's or an app's client would: over HTTP."""

import datetime
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.services import api_token_create, api_token_revoke
from peoplezones.audits.models import Issue, IssuePhoto, IssueUpdate, Referral
from peoplezones.audits.tests.factories import BodyFactory, IssueCategoryFactory, IssueFactory
from peoplezones.core.testing import HttpResult, http_request

FORMATS = ["json", "xml"]
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
STREET_LIGHT_QUESTIONS = [
    {
        "code": "fault",
        "label": "What is wrong with the light?",
        "type": "choice",
        "choices": ["Light is out", "Flickering"],
        "required": True,
    },
    {"code": "column_number", "label": "Number on the lamp post", "type": "text"},
]
# A 1x1 PNG for photo fixtures.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc000000301010018dd8db00000000049454e44ae426082"
)


# A client speaking Open311: GETs with a query, POSTs form-encoded as the spec says.


def _url(live_server, path, **query):
    return f"{live_server.url}/open311/v2/{path}" + (
        "?" + urllib.parse.urlencode(query) if query else ""
    )


def _get(live_server, path, **query):
    return http_request(_url(live_server, path, **query))


def _post(live_server, path, fields):
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        _url(live_server, path),
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return HttpResult(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, dict(error.headers), error.read())


def _xml(result: HttpResult) -> ET.Element:
    assert result.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(result.body)  # noqa: S314 (our own server's answer)


def _flat(value):
    # JSON and XML answers compared as the same strings: null and "" are both an empty element.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _items(result: HttpResult, fmt: str, *, root: str, item: str) -> list[dict]:
    """A list answer as flat dicts of strings, whichever the format."""
    assert result.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = result.json()
        assert isinstance(data, list)
        return [
            {k: v if isinstance(v, list) else _flat(v) for k, v in entry.items()} for entry in data
        ]
    tree = _xml(result)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text or "" for field in entry} for entry in tree]


def _ids(result, fmt):
    records = _items(result, fmt, root="service_requests", item="request")
    return [record["service_request_id"] for record in records]


def _assert_error(result: HttpResult, fmt: str, status: int) -> str:
    """The spec's error body: one {code, description}; returns the description."""
    assert result.status == status
    assert result.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = result.json()
        assert len(data) == 1
        assert data[0]["code"] == status
        description = data[0]["description"]
    else:
        tree = _xml(result)
        assert tree.tag == "errors"
        [error] = list(tree)
        assert error.tag == "error"
        assert error.findtext("code") == str(status)
        description = error.findtext("description")
    assert description
    return description


def _token(user):
    return api_token_create(user=user, actor=None)[1]


def _street_light(**kwargs):
    return IssueCategoryFactory(
        code="street-light",
        name="Street light",
        group="Lighting",
        description="A street light that is out.",
        extra_attributes=STREET_LIGHT_QUESTIONS,
        **kwargs,
    )


# Discovery and services.


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_describes_the_geoReport_v2_endpoint(live_server, fmt):
    _street_light()

    result = _get(live_server, f"discovery.{fmt}")

    assert result.status == 200
    assert result.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = result.json()
        [endpoint] = data["endpoints"]
        formats = endpoint["formats"]
    else:
        tree = _xml(result)
        assert tree.tag == "discovery"
        data = {child.tag: child.text for child in tree if child.tag != "endpoints"}
        [endpoint_element] = tree.find("endpoints")
        assert endpoint_element.tag == "endpoint"
        endpoint = {child.tag: child.text for child in endpoint_element}
        formats = [f.text for f in endpoint_element.find("formats").findall("format")]
    assert ISO_WITH_OFFSET.match(data["changeset"])
    assert data["contact"]
    assert "api_key" in data["key_service"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{live_server.url}/open311/v2/"
    assert endpoint["type"] == "production"
    assert sorted(formats) == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_lists_the_active_categories(live_server, fmt):
    _street_light(order=1)
    IssueCategoryFactory(code="dark-area", name="Dark area", group="Lighting", order=2)
    IssueCategoryFactory(code="retired", active=False)

    result = _get(live_server, f"services.{fmt}")

    assert result.status == 200
    services = _items(result, fmt, root="services", item="service")
    assert [s["service_code"] for s in services] == ["street-light", "dark-area"]
    assert services[0] == {
        "service_code": "street-light",
        "service_name": "Street light",
        "description": "A street light that is out.",
        "metadata": "true",
        "type": "realtime",
        "keywords": "something else",
        "group": "Lighting",
    }
    assert services[1]["metadata"] == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_extra_questions(live_server, fmt):
    _street_light()

    result = _get(live_server, f"services/street-light.{fmt}")

    assert result.status == 200
    assert result.headers["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        data = result.json()
        assert data["service_code"] == "street-light"
        fault, column = data["attributes"]
        values = fault["values"]
        fault = {k: _flat(v) for k, v in fault.items() if k != "values"}
        column = {k: _flat(v) for k, v in column.items()}
    else:
        tree = _xml(result)
        assert tree.tag == "service_definition"
        assert tree.findtext("service_code") == "street-light"
        fault_element, column_element = tree.find("attributes").findall("attribute")
        values = [
            {"key": v.findtext("key"), "name": v.findtext("name")}
            for v in fault_element.find("values").findall("value")
        ]
        fault = {c.tag: c.text or "" for c in fault_element if c.tag != "values"}
        column = {c.tag: c.text or "" for c in column_element}
        column["values"] = column["values"] or "[]"
    assert fault == {
        "variable": "true",
        "code": "fault",
        "datatype": "singlevaluelist",
        "required": "true",
        "datatype_description": "Send one of the keys below.",
        "order": "1",
        "description": "What is wrong with the light?",
    }
    assert values == [
        {"key": "Light is out", "name": "Light is out"},
        {"key": "Flickering", "name": "Flickering"},
    ]
    assert column["datatype"] == "string"
    assert column["required"] == "false"
    assert column["order"] == "2"
    assert column["values"] == "[]"


# Reading requests.


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_maps_every_field(live_server, settings, tmp_path, fmt):
    settings.MEDIA_ROOT = tmp_path
    issue = IssueFactory(
        category=_street_light(),
        state=Issue.State.ACTION_SCHEDULED,
        term=Issue.Term.SHORT,
        latitude=52.77,
        longitude=-1.2,
        description="Lamp out by the alley.",
    )
    hidden_photo = IssuePhoto(issue=issue, public=False)
    hidden_photo.image.save("hidden.png", ContentFile(PNG), save=True)
    photo = IssuePhoto(issue=issue)
    photo.image.save("light.png", ContentFile(PNG), save=True)
    referral = Referral.objects.create(
        body=BodyFactory(name="Charnwood Borough Council"), method=Referral.Method.EMAIL
    )
    referral.issues.add(issue)

    result = _get(live_server, f"requests/{issue.pk}.{fmt}")

    assert result.status == 200
    [record] = _items(result, fmt, root="service_requests", item="request")
    assert record["requested_datetime"] == timezone.localtime(issue.created).isoformat(
        timespec="seconds"
    )
    assert ISO_WITH_OFFSET.match(record.pop("requested_datetime"))
    assert ISO_WITH_OFFSET.match(record.pop("updated_datetime"))
    assert record == {
        "service_request_id": str(issue.pk),
        "status": "open",
        "status_notes": "Action scheduled (short term)",
        "service_name": "Street light",
        "service_code": "street-light",
        "description": "Lamp out by the alley.",
        "agency_responsible": "Charnwood Borough Council",
        "service_notice": "",
        "expected_datetime": "",
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": "52.77",
        "long": "-1.2",
        "media_url": f"{live_server.url}{photo.image.url}",
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_status_notes_is_the_latest_public_update(live_server, fmt):
    issue = IssueFactory(state=Issue.State.FIXED, closed_at=timezone.now())
    IssueUpdate.objects.create(issue=issue, text="Lamp replaced on Tuesday.", public=True)
    IssueUpdate.objects.create(issue=issue, text="Staff only: contractor invoice.", public=False)

    result = _get(live_server, f"requests/{issue.pk}.{fmt}")

    [record] = _items(result, fmt, root="service_requests", item="request")
    assert record["status"] == "closed"
    assert record["status_notes"] == "Lamp replaced on Tuesday."


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail_singular_path_from_the_swagger_description_works(live_server, fmt):
    issue = IssueFactory()

    result = _get(live_server, f"request/{issue.pk}.{fmt}")

    assert result.status == 200
    assert _ids(result, fmt) == [str(issue.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("state", [Issue.State.UNCONFIRMED, Issue.State.HIDDEN])
def test_request_detail_hides_unconfirmed_and_hidden_issues(live_server, fmt, state):
    issue = IssueFactory(state=state)

    result = _get(live_server, f"requests/{issue.pk}.{fmt}")

    _assert_error(result, fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_lists_public_issues_newest_first(live_server, fmt):
    older = IssueFactory()
    newer = IssueFactory(state=Issue.State.FIXED)
    IssueFactory(state=Issue.State.UNCONFIRMED)
    IssueFactory(state=Issue.State.HIDDEN)

    result = _get(live_server, f"requests.{fmt}")

    assert result.status == 200
    assert _ids(result, fmt) == [str(newer.pk), str(older.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filters_by_ids_overriding_other_filters(live_server, fmt):
    first, second, _third = IssueFactory(), IssueFactory(state=Issue.State.FIXED), IssueFactory()
    hidden = IssueFactory(state=Issue.State.HIDDEN)
    Issue.objects.filter(pk=first.pk).update(created=timezone.now() - datetime.timedelta(days=400))

    result = _get(
        live_server,
        f"requests.{fmt}",
        service_request_id=f"{first.pk},{second.pk},{hidden.pk}",
        status="open",
    )

    assert sorted(_ids(result, fmt)) == sorted([str(first.pk), str(second.pk)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filters_by_service_code(live_server, fmt):
    light = IssueFactory(category=_street_light())
    IssueFactory()

    result = _get(live_server, f"requests.{fmt}", service_code="street-light")

    assert _ids(result, fmt) == [str(light.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", ["open"]), ("closed", ["closed"]), ("open,closed", ["closed", "open"])],
)
def test_requests_filters_by_status(live_server, fmt, status, expected):
    open_issue = IssueFactory(state=Issue.State.IN_PROGRESS)
    closed_issue = IssueFactory(state=Issue.State.NOT_RESPONSIBLE)
    names = {str(open_issue.pk): "open", str(closed_issue.pk): "closed"}

    result = _get(live_server, f"requests.{fmt}", status=status)

    assert sorted(names[pk] for pk in _ids(result, fmt)) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_default_to_the_last_90_days(live_server, fmt):
    recent, old = IssueFactory(), IssueFactory()
    Issue.objects.filter(pk=recent.pk).update(created=timezone.now() - datetime.timedelta(days=89))
    Issue.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=91))

    result = _get(live_server, f"requests.{fmt}")

    assert _ids(result, fmt) == [str(recent.pk)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filter_by_start_and_end_date(live_server, fmt):
    now = timezone.now()
    issues = {days: IssueFactory() for days in (5, 120, 200)}
    for days, issue in issues.items():
        Issue.objects.filter(pk=issue.pk).update(created=now - datetime.timedelta(days=days))

    def between(**dates):
        query = {k: (now - datetime.timedelta(days=v)).isoformat() for k, v in dates.items()}
        return _ids(_get(live_server, f"requests.{fmt}", **query), fmt)

    assert between(start_date=150, end_date=100) == [str(issues[120].pk)]
    # Only an end: the 90 days before it.
    assert between(end_date=100) == [str(issues[120].pk)]
    # Only a start: everything since.
    assert between(start_date=150) == [str(issues[5].pk), str(issues[120].pk)]


def test_requests_list_costs_a_fixed_number_of_queries(db, client, django_assert_max_num_queries):
    body = BodyFactory()
    for _ in range(5):
        issue = IssueFactory()
        IssueUpdate.objects.create(issue=issue, text="Looked at it.", public=True)
        Referral.objects.create(body=body, method=Referral.Method.CSV).issues.add(issue)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("open311:request-list", kwargs={"fmt": "json"}))

    assert len(response.json()) == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_gives_the_request_id(live_server, fmt):
    issue = IssueFactory()

    result = _get(live_server, f"tokens/{issue.uuid}.{fmt}")

    assert result.status == 200
    [record] = _items(result, fmt, root="service_requests", item="request")
    assert record == {"service_request_id": str(issue.pk), "token": str(issue.uuid)}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("token", ["not-a-uuid", "6f1c1f4e-7d5e-4d7c-9d43-2a54b7b6a001"])
def test_token_unknown_is_404(live_server, fmt, token):
    IssueFactory()

    _assert_error(_get(live_server, f"tokens/{token}.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_answers_never_show_reporters_contact_details(live_server, fmt):
    category = _street_light()
    issues = [
        IssueFactory(
            category=category,
            reporter_name="Zebedee Quartermaine",
            reporter_email="zebedee.q@private.example",
            reporter_phone="07700 900987",
            show_name=True,
            state=state,
        )
        for state in (Issue.State.OPEN, Issue.State.FIXED)
    ]
    paths = [
        f"discovery.{fmt}",
        f"services.{fmt}",
        f"services/street-light.{fmt}",
        f"requests.{fmt}",
        f"requests.{fmt}?service_request_id={issues[0].pk},{issues[1].pk}",
        *[f"requests/{issue.pk}.{fmt}" for issue in issues],
        *[f"tokens/{issue.uuid}.{fmt}" for issue in issues],
    ]

    bodies = [_get(live_server, path) for path in paths]

    assert all(result.status == 200 for result in bodies)
    for result in bodies:
        text = result.body.decode()
        for private in ("Zebedee", "Quartermaine", "zebedee.q", "private.example", "900987"):
            assert private not in text


# Creating requests.


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_create_reports_an_open_issue(live_server, programme_team_user, fmt):
    _street_light()

    result = _post(
        live_server,
        f"requests.{fmt}",
        {
            "api_key": _token(programme_team_user),
            "jurisdiction_id": "peoplezones",
            "service_code": "street-light",
            "lat": "52.7712",
            "long": "-1.2053",
            "attribute[fault]": "Flickering",
            "attribute[column_number]": "CH-118",
            "description": "Flickers all night.",
            "email": "ann@example.net",
            "first_name": "Ann",
            "last_name": "Other",
            "phone": "0116 496 0000",
            "media_url": "https://example.net/photo.jpg",
        },
    )

    assert result.status == 200
    [record] = _items(result, fmt, root="service_requests", item="request")
    issue = Issue.objects.get(pk=int(record["service_request_id"]))
    assert record["account_id"] == ""
    assert record["service_notice"]
    assert issue.state == Issue.State.OPEN
    assert issue.category.service_code == "street-light"
    assert (issue.latitude, issue.longitude) == (52.7712, -1.2053)
    assert issue.attributes == {"fault": "Flickering", "column_number": "CH-118"}
    assert issue.description == "Flickers all night."
    assert (issue.reporter_name, issue.reporter_email, issue.reporter_phone) == (
        "Ann Other",
        "ann@example.net",
        "0116 496 0000",
    )
    assert not issue.photos.exists()


def test_request_create_by_any_key_holder_is_open_at_once(live_server, user):
    IssueCategoryFactory(code="dark-area")

    result = _post(
        live_server,
        "requests.json",
        {
            "api_key": _token(user),
            "service_code": "dark-area",
            "lat": "52.638",
            "long": "-1.185",
            "email": "resident@example.net",
        },
    )

    assert result.status == 200
    issue = Issue.objects.get(pk=int(result.json()[0]["service_request_id"]))
    assert issue.state == Issue.State.OPEN
    assert issue.source == Issue.Source.OPEN311
    assert issue.confirmed_at is not None
    assert _ids(_get(live_server, f"requests/{issue.pk}.json"), "json") == [str(issue.pk)]


# Status updates pushed back by a council's system.


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates_marks_an_issue_fixed(live_server, programme_team_user, fmt):
    issue = IssueFactory(state=Issue.State.REFERRED)
    referral = Referral.objects.create(body=BodyFactory(name="NWLDC"), method="open311")
    referral.issues.add(issue)

    result = _post(
        live_server,
        f"servicerequestupdates.{fmt}",
        {
            "api_key": _token(programme_team_user),
            "service_request_id": str(issue.pk),
            "status": "closed",
            "updated_datetime": "2026-11-21T10:00:00+00:00",
            "description": "New lantern fitted.",
        },
    )

    assert result.status == 200
    [record] = _items(result, fmt, root="service_request_updates", item="request_update")
    assert record["status"] == "closed"
    assert record["external_status"] == "fixed"
    issue.refresh_from_db()
    assert issue.state == Issue.State.FIXED
    assert issue.fixed_at is not None
    update = issue.updates.get(pk=int(record["update_id"]))
    assert (update.state_to, update.text, update.public) == ("fixed", "New lantern fitted.", True)
    assert update.body == referral.body
    detail = _items(
        _get(live_server, f"requests/{issue.pk}.{fmt}"),
        fmt,
        root="service_requests",
        item="request",
    )
    assert detail[0]["status"] == "closed"
    assert detail[0]["status_notes"] == "New lantern fitted."


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates_schedules_action_with_a_term(live_server, moderator, fmt):
    issue = IssueFactory(state=Issue.State.INVESTIGATING)

    result = _post(
        live_server,
        f"servicerequestupdates.{fmt}",
        {
            "api_key": _token(moderator),
            "service_request_id": str(issue.pk),
            "status": "open",
            "external_status": "action_scheduled",
            "term": "short",
        },
    )

    assert result.status == 200
    issue.refresh_from_db()
    assert (issue.state, issue.term) == (Issue.State.ACTION_SCHEDULED, Issue.Term.SHORT)
    [record] = _items(
        _get(live_server, f"requests/{issue.pk}.{fmt}"),
        fmt,
        root="service_requests",
        item="request",
    )
    assert record["status_notes"] == "Action scheduled (short term)"


def test_service_request_updates_reopens_and_adds_notes(live_server, programme_team_user):
    issue = IssueFactory(state=Issue.State.FIXED)
    key = _token(programme_team_user)

    def push(**fields):
        return _post(
            live_server,
            "servicerequestupdates.json",
            {"api_key": key, "service_request_id": str(issue.pk), **fields},
        )

    assert push(status="open", description="Out again.").status == 200
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN
    # A repeated status changes no state; its text joins the timeline.
    assert push(status="open", status_notes="Engineer booked.").status == 200
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN
    assert issue.updates.filter(text="Engineer booked.", public=True).exists()


# Errors, in the spec's error body, in both formats.


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": "nope", "lat": "52.6", "long": "-1.2"}, "service_code"),
        ({"lat": "52.6", "long": "-1.2"}, "service_code"),
        ({"service_code": "street-light", "long": "-1.2"}, "lat"),
        ({"service_code": "street-light", "address_string": "1 High St"}, "lat"),
        ({"service_code": "street-light", "lat": "north", "long": "-1.2"}, "lat"),
        ({"service_code": "street-light", "lat": "48.85", "long": "2.35"}, ""),
        ({"service_code": "street-light", "lat": "52.6", "long": "-1.2"}, "What is wrong"),
        (
            {
                "service_code": "street-light",
                "lat": "52.6",
                "long": "-1.2",
                "attribute[fault]": "Purple",
            },
            "Purple",
        ),
        (
            {
                "service_code": "street-light",
                "lat": "52.6",
                "long": "-1.2",
                "attribute[fault]": "Flickering",
                "email": "not an email",
            },
            "email",
        ),
    ],
)
def test_request_create_bad_input_is_400(live_server, programme_team_user, fmt, fields, message):
    _street_light()

    result = _post(
        live_server, f"requests.{fmt}", {"api_key": _token(programme_team_user), **fields}
    )

    assert message in _assert_error(result, fmt, 400)
    assert not Issue.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
        {"status": "pending"},
        {"service_code": "nope"},
        {"service_request_id": "1,two"},
        {"service_request_id": ",".join(str(n) for n in range(1, 1002))},
        {"end_date": "0001-01-01T00:00:00Z"},
        {"start_date": "9999-12-31T23:00:00-05:00"},
    ],
)
def test_requests_bad_query_is_400(live_server, fmt, query):
    _assert_error(_get(live_server, f"requests.{fmt}", **query), fmt, 400)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("key", [None, "", "pz_not-a-real-token", "revoked"])
def test_posts_without_a_valid_api_key_are_403(live_server, user, fmt, path, key):
    issue = IssueFactory(category=_street_light())
    fields = {
        "service_code": "street-light",
        "lat": "52.6",
        "long": "-1.2",
        "attribute[fault]": "Flickering",
        "service_request_id": str(issue.pk),
        "status": "closed",
    }
    if key == "revoked":
        token, key = api_token_create(user=user, actor=None)
        api_token_revoke(token=token, actor=None)
    if key is not None:
        fields["api_key"] = key

    result = _post(live_server, f"{path}.{fmt}", fields)

    assert "api_key" in _assert_error(result, fmt, 403)
    assert Issue.objects.get() == issue
    assert Issue.objects.get().state == Issue.State.OPEN


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates_need_an_issue_manager(live_server, user, fmt):
    issue = IssueFactory()

    result = _post(
        live_server,
        f"servicerequestupdates.{fmt}",
        {"api_key": _token(user), "service_request_id": str(issue.pk), "status": "closed"},
    )

    _assert_error(result, fmt, 403)
    issue.refresh_from_db()
    assert issue.state == Issue.State.OPEN


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "fields",
    [
        {"status": "resolved"},
        {"status": "closed", "external_status": "teleported"},
        {"status": "closed", "external_status": "in_progress"},
        {"status": "open", "external_status": "action_scheduled"},
        {"status": "open", "external_status": "action_scheduled", "term": "eventually"},
        {"status": "closed", "updated_datetime": "last week"},
        {"status": "open", "external_status": "investigating"},
    ],
)
def test_service_request_updates_bad_input_is_400(live_server, moderator, fmt, fields):
    # An issue already fixed cannot start being investigated: the workflow says why.
    issue = IssueFactory(state=Issue.State.FIXED)

    result = _post(
        live_server,
        f"servicerequestupdates.{fmt}",
        {"api_key": _token(moderator), "service_request_id": str(issue.pk), **fields},
    )

    _assert_error(result, fmt, 400)
    issue.refresh_from_db()
    assert issue.state == Issue.State.FIXED


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates_unknown_request_is_404(live_server, moderator, fmt):
    result = _post(
        live_server,
        f"servicerequestupdates.{fmt}",
        {"api_key": _token(moderator), "service_request_id": "999999", "status": "closed"},
    )

    _assert_error(result, fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "path", ["requests/999999", "requests/abc", "services/no-such-service", "nothing-here"]
)
def test_unknown_things_are_404(live_server, fmt, path):
    IssueCategoryFactory(code="retired", active=False)

    _assert_error(_get(live_server, f"{path}.{fmt}"), fmt, 404)


def test_inactive_service_definition_is_404(live_server):
    IssueCategoryFactory(code="retired", active=False)

    _assert_error(_get(live_server, "services/retired.json"), "json", 404)


@pytest.mark.parametrize("path", ["services.csv", "requests.html", "services", "discovery.yaml"])
def test_unknown_format_is_404_in_json(live_server, path):
    _assert_error(_get(live_server, path), "json", 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_other_than_ours_is_404(live_server, programme_team_user, fmt):
    _street_light()

    assert _get(live_server, f"services.{fmt}", jurisdiction_id="peoplezones").status == 200
    _assert_error(_get(live_server, f"services.{fmt}", jurisdiction_id="sfgov.org"), fmt, 404)
    result = _post(
        live_server,
        f"requests.{fmt}",
        {
            "api_key": _token(programme_team_user),
            "jurisdiction_id": "sfgov.org",
            "service_code": "street-light",
            "lat": "52.6",
            "long": "-1.2",
            "attribute[fault]": "Flickering",
        },
    )
    _assert_error(result, fmt, 404)
    assert not Issue.objects.exists()


def test_jurisdiction_follows_the_setting(live_server, settings):
    settings.OPEN311_JURISDICTION_ID = "leics.gov.uk"

    assert _get(live_server, "services.json", jurisdiction_id="leics.gov.uk").status == 200
    _assert_error(_get(live_server, "services.json", jurisdiction_id="peoplezones"), "json", 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method_gets_an_error_body(live_server, fmt):
    _assert_error(_post(live_server, f"services.{fmt}", {"x": "1"}), fmt, 405)
    _assert_error(_get(live_server, f"servicerequestupdates.{fmt}"), fmt, 405)
