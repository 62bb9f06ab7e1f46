import io
import urllib.request
import uuid

import pytest
from django.core.cache import cache
from PIL import Image

from peoplezones.accounts.services import api_token_create
from peoplezones.audits.models import Issue
from peoplezones.audits.tests.factories import IssueCategoryFactory, IssueFactory
from peoplezones.core.testing import HttpResult, http_request


@pytest.fixture(autouse=True)
def _fresh(db):
    cache.clear()
    IssueCategoryFactory(
        code="street-light",
        name="Street light",
        extra_attributes=[
            {"code": "fault", "label": "Fault", "type": "choice", "choices": ["Too dim"]}
        ],
    )


def _multipart(url: str, fields: dict, files: list[tuple[str, str, bytes]] = ()) -> HttpResult:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        body.write(f"{head}{value}\r\n".encode())
    for name, filename, data in files:
        disposition = f'form-data; name="{name}"; filename="{filename}"'
        body.write(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: image/jpeg\r\n\r\n".encode()
        )
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        url,
        data=body.getvalue(),
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return HttpResult(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, dict(error.headers), error.read())


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "orange").save(out, format="JPEG")
    return out.getvalue()


def test_report_an_issue_with_photos_over_http(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    result = _multipart(
        f"{live_server.url}/api/v1/issues",
        {
            "category": "street-light",
            "latitude": "52.7725",
            "longitude": "-1.1925",
            "description": "Out since Monday",
            "name": "Sam",
            "attribute[fault]": "Too dim",
        },
        files=[("photo", "a.jpg", _jpeg()), ("photo", "b.jpg", _jpeg())],
    )

    assert result.status == 201
    assert result.json()["state"] == "open"
    issue = Issue.objects.get(pk=result.json()["id"])
    assert issue.photos.count() == 2
    assert issue.source == "api"
    assert issue.attributes == {"fault": "Too dim"}


def test_report_with_email_waits_for_confirmation(live_server):
    result = _multipart(
        f"{live_server.url}/api/v1/issues",
        {
            "category": "street-light",
            "latitude": "52.7725",
            "longitude": "-1.1925",
            "email": "me@example.net",
        },
    )

    assert result.json()["state"] == "unconfirmed"
    assert http_request(f"{live_server.url}/api/v1/issues/{result.json()['id']}").status == 404


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"category": "unicorns", "latitude": "52.7", "longitude": "-1.19"}, 400, "no category"),
        ({"category": "street-light", "latitude": "-1.19", "longitude": "52.7"}, 400, "swapped"),
        ({"category": "street-light", "latitude": "north", "longitude": "-1.19"}, 422, ""),
    ],
)
def test_bad_reports_are_refused_and_nothing_saved(live_server, fields, status, message):
    result = _multipart(f"{live_server.url}/api/v1/issues", fields)

    assert result.status == status
    assert message in str(result.json()["detail"])
    assert not Issue.objects.exists()


def test_not_an_image_is_refused(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    result = _multipart(
        f"{live_server.url}/api/v1/issues",
        {"category": "street-light", "latitude": "52.7725", "longitude": "-1.1925"},
        files=[("photo", "evil.jpg", b"<script>alert(1)</script>")],
    )

    assert result.status == 400
    assert "not a photo" in result.json()["detail"]
    assert not Issue.objects.exists()


def test_list_is_geojson_with_public_fields_only(live_server):
    IssueFactory(reporter_name="Secret Name", reporter_email="secret@example.net")
    IssueFactory(state="unconfirmed")

    result = http_request(f"{live_server.url}/api/v1/issues?state=open")

    data = result.json()
    assert data["count"] == 1
    assert data["features"][0]["geometry"]["coordinates"] == [-1.185, 52.638]
    assert "Secret Name" not in result.body.decode()
    assert "secret@example.net" not in result.body.decode()


def test_bad_state_filter_is_explained(live_server):
    result = http_request(f"{live_server.url}/api/v1/issues?state=lost")

    assert result.status == 400
    assert "not a state" in result.json()["detail"]


def test_staff_see_private_fields_and_move_issues(live_server, moderator):
    issue = IssueFactory(reporter_email="reporter@example.net")
    _, token = api_token_create(user=moderator, actor=None)
    headers = {"Authorization": f"Bearer {token}"}

    detail = http_request(f"{live_server.url}/api/v1/issues/{issue.pk}", headers=headers).json()
    moved = http_request(
        f"{live_server.url}/api/v1/issues/{issue.pk}/transition",
        method="POST",
        headers=headers,
        data={"action": "schedule", "term": "short"},
    )
    refused = http_request(
        f"{live_server.url}/api/v1/issues/{issue.pk}/transition",
        method="POST",
        headers=headers,
        data={"action": "schedule"},
    )

    assert detail["properties"]["private"]["reporter_email"] == "reporter@example.net"
    assert moved.json() == {"id": issue.pk, "state": "action_scheduled"}
    assert refused.status == 400


def test_public_cannot_move_issues(live_server, user):
    issue = IssueFactory()
    _, token = api_token_create(user=user, actor=None)

    result = http_request(
        f"{live_server.url}/api/v1/issues/{issue.pk}/transition",
        method="POST",
        headers={"Authorization": f"Bearer {token}"},
        data={"action": "fix"},
    )

    assert result.status == 403
    issue.refresh_from_db()
    assert issue.state == "open"
