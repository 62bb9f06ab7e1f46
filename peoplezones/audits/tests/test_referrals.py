import csv
import io
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from peoplezones.audits import referrals
from peoplezones.audits.models import Issue, IssueUpdate, Referral
from peoplezones.audits.referrals import (
    COUNCIL_COLUMNS,
    referral_body_update,
    referral_create,
    referral_csv,
    referral_record_response,
)
from peoplezones.audits.tests.factories import BodyFactory, IssueCategoryFactory, IssueFactory
from peoplezones.core.models import AuditEvent

PRIVATE = ("Private Reporter", "private.reporter", "07700 900123")


class GeoReportHandler(BaseHTTPRequestHandler):
    """Answers POST /requests.json the way a GeoReport v2 server does, or fails as told."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(length).decode())
        self.server.received.append({"path": self.path, "fields": fields})
        status, payload = self.server.answer(len(self.server.received))
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def _accept(number):
    return 200, json.dumps(
        [{"service_request_id": str(100 + number), "service_notice": ""}]
    ).encode()


@pytest.fixture
def georeport():
    server = ThreadingHTTPServer(("127.0.0.1", 0), GeoReportHandler)
    server.received = []
    server.answer = _accept
    server.delay = 0
    server.url = f"http://127.0.0.1:{server.server_address[1]}/open311/v2/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def staff(programme_team_user):
    return programme_team_user


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _nothing_changed(issues):
    for issue in issues:
        issue.refresh_from_db()
        assert issue.state == Issue.State.OPEN
        assert issue.referred_at is None
        assert not IssueUpdate.objects.filter(issue=issue).exists()
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="referral.").exists()


def test_referral_csv_has_the_council_columns_and_no_reporter_details(zone):
    issue = IssueFactory(zone=zone)

    text = referral_csv(issues=Issue.objects.all())

    rows = _rows(text)
    assert list(rows[0]) == COUNCIL_COLUMNS
    assert rows[0]["id"] == str(issue.pk)
    assert rows[0]["zone"] == zone.name
    assert rows[0]["state"] == "open"
    assert rows[0]["link"] == f"{settings.SITE_URL}/issues/{issue.pk}/"
    assert rows[0]["link"].startswith("http")
    # West Leicester is about 455 km east and 305 km north of the grid's origin.
    assert 450_000 < int(rows[0]["easting"]) < 460_000
    assert 300_000 < int(rows[0]["northing"]) < 310_000
    for private in PRIVATE:
        assert private not in text


def test_referral_csv_neutralises_spreadsheet_formulas(zone):
    zone.name = "@SUM(A1)"
    zone.save()
    category = IssueCategoryFactory(code="formula", name='=HYPERLINK("http://evil.example")')
    IssueFactory(zone=zone, category=category)

    row = _rows(referral_csv(issues=Issue.objects.all()))[0]

    assert row["category"] == "'" + category.name
    assert row["zone"] == "'@SUM(A1)"
    assert row["longitude"] == "-1.185"


def test_referral_create_by_email_sends_the_csv_and_no_reporter_contacts(
    staff, zone, mailoutbox, django_capture_on_commit_callbacks
):
    body = BodyFactory()
    issues = [IssueFactory(zone=zone), IssueFactory(zone=zone)]

    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_create(issues=issues, body=body, method="email", actor=staff)

    assert referral.sent_at is not None
    assert set(referral.issues.all()) == set(issues)
    for issue in issues:
        issue.refresh_from_db()
        assert issue.state == Issue.State.REFERRED
        assert issue.referred_at is not None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [body.contact_email]
    assert referral.update_token in message.body
    (filename, content, mimetype) = message.attachments[0]
    assert filename == f"referral-{referral.pk}.csv"
    assert mimetype == "text/csv"
    assert {row["id"] for row in _rows(content)} == {str(issue.pk) for issue in issues}
    for private in PRIVATE:
        assert private not in content
        assert private not in message.body
    assert AuditEvent.objects.filter(verb="referral.create").exists()


def test_referral_create_by_email_needs_the_body_email(staff, zone):
    body = BodyFactory(contact_email="")
    issue = IssueFactory(zone=zone)

    with pytest.raises(ValidationError, match="no contact email"):
        referral_create(issues=[issue], body=body, method="email", actor=staff)

    _nothing_changed([issue])


def test_referral_create_as_csv_moves_the_issues_and_sends_nothing(staff, zone, mailoutbox):
    issue = IssueFactory(zone=zone)

    referral = referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=staff)

    issue.refresh_from_db()
    assert issue.state == Issue.State.REFERRED
    assert referral.method == Referral.Method.CSV
    assert mailoutbox == []


def test_referral_create_keeps_already_referred_issues_where_they_are(staff, zone):
    issue = IssueFactory(zone=zone, state=Issue.State.ACTION_SCHEDULED, term="short")

    referral = referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=staff)

    issue.refresh_from_db()
    assert issue.state == Issue.State.ACTION_SCHEDULED
    assert list(referral.issues.all()) == [issue]
    assert issue.updates.get().public is False


def test_referral_create_refuses_closed_issues(staff, zone):
    fixed = IssueFactory(zone=zone, state=Issue.State.FIXED)

    with pytest.raises(ValidationError, match="Only open issues"):
        referral_create(issues=[fixed], body=BodyFactory(), method="csv", actor=staff)

    assert not Referral.objects.exists()


def test_referral_create_refuses_people_who_do_not_manage_issues(user, zone):
    issue = IssueFactory(zone=zone)

    with pytest.raises(PermissionDenied):
        referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=user)

    _nothing_changed([issue])


def test_referral_create_by_open311_posts_each_issue_as_a_service_request(staff, zone, georeport):
    category = IssueCategoryFactory(
        code="street-light-out", extra_attributes=[{"code": "column", "label": "Column"}]
    )
    body = BodyFactory(
        open311_endpoint=georeport.url, open311_api_key="s3cret", open311_jurisdiction="lcc"
    )
    first = IssueFactory(zone=zone, category=category, attributes={"column": "L42"})
    second = IssueFactory(zone=zone, category=category)

    referral = referral_create(issues=[first, second], body=body, method="open311", actor=staff)

    assert [r["path"] for r in georeport.received] == ["/open311/v2/requests.json"] * 2
    fields = georeport.received[0]["fields"]
    assert fields["api_key"] == ["s3cret"]
    assert fields["jurisdiction_id"] == ["lcc"]
    assert fields["service_code"] == ["street-light-out"]
    assert float(fields["lat"][0]) == pytest.approx(52.638)
    assert float(fields["long"][0]) == pytest.approx(-1.185)
    assert fields["attribute[column]"] == ["L42"]
    assert first.description in fields["description"][0]
    sent = json.dumps([r["fields"] for r in georeport.received])
    for private in PRIVATE:
        assert private not in sent
    assert referral.external_id == "101,102"
    first.refresh_from_db()
    assert first.state == Issue.State.REFERRED
    assert first.updates.filter(text__contains="101", public=False).exists()
    # The API key is a secret: never in the audit trail.
    assert "s3cret" not in json.dumps(list(AuditEvent.objects.values_list("data", flat=True)))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda n: (500, b'[{"code": 500, "description": "Database offline"}]'), "HTTP status 500"),
        (lambda n: (200, b"<html>not json</html>"), "not a GeoReport v2 service request"),
        (lambda n: (200, b'[{"service_notice": "thanks"}]'), "not a GeoReport v2 service request"),
        (lambda n: (403, b'[{"code": 403, "description": "Invalid api_key"}]'), "Invalid api_key"),
    ],
    ids=["server-error", "bad-json", "no-id", "refused"],
)
def test_referral_create_by_open311_failure_changes_nothing(
    staff, zone, georeport, answer, message
):
    georeport.answer = answer
    body = BodyFactory(open311_endpoint=georeport.url)
    issue = IssueFactory(zone=zone)

    with pytest.raises(ValidationError, match=message) as caught:
        referral_create(issues=[issue], body=body, method="open311", actor=staff)

    assert "Nothing was sent or changed" in caught.value.messages[0]
    _nothing_changed([issue])


def test_referral_create_by_open311_with_the_server_down_changes_nothing(staff, zone):
    # A port that was free a moment ago and has nothing listening on it now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    body = BodyFactory(open311_endpoint=f"http://127.0.0.1:{port}/")
    issue = IssueFactory(zone=zone)

    with pytest.raises(ValidationError, match="could not be reached"):
        referral_create(issues=[issue], body=body, method="open311", actor=staff)

    _nothing_changed([issue])


def test_referral_create_by_open311_gives_up_after_the_timeout(staff, zone, georeport, monkeypatch):
    monkeypatch.setattr(referrals, "OPEN311_TIMEOUT_SECONDS", 0.3)
    georeport.delay = 1
    body = BodyFactory(open311_endpoint=georeport.url)
    issue = IssueFactory(zone=zone)

    with pytest.raises(ValidationError, match="could not be reached"):
        referral_create(issues=[issue], body=body, method="open311", actor=staff)

    _nothing_changed([issue])


def test_referral_create_by_open311_says_which_requests_the_council_already_has(
    staff, zone, georeport
):
    georeport.answer = lambda n: _accept(n) if n == 1 else (500, b"[]")
    body = BodyFactory(open311_endpoint=georeport.url)
    issues = [IssueFactory(zone=zone), IssueFactory(zone=zone)]

    with pytest.raises(ValidationError) as caught:
        referral_create(issues=issues, body=body, method="open311", actor=staff)

    assert f"#{issues[0].pk} → 101" in caught.value.messages[0]
    _nothing_changed(issues)


def test_referral_body_update_with_the_right_token_moves_the_issue_as_the_body(staff, zone):
    issue = IssueFactory(zone=zone)
    referral = referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=staff)

    referral_body_update(
        referral=referral,
        token=referral.update_token,
        issue=issue,
        action="schedule",
        text="New lantern ordered.",
        term="short",
    )

    issue.refresh_from_db()
    assert issue.state == Issue.State.ACTION_SCHEDULED
    assert issue.term == "short"
    update = issue.updates.latest("pk")
    assert update.body == referral.body
    assert update.author is None
    assert update.public is True
    assert update.text == "New lantern ordered."
    referral.refresh_from_db()
    assert referral.acknowledged_at is not None
    assert referral.planned_term == "short"


def test_referral_body_update_with_a_wrong_token_changes_nothing(staff, zone):
    issue = IssueFactory(zone=zone)
    referral = referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=staff)

    with pytest.raises(PermissionDenied):
        referral_body_update(
            referral=referral, token=referral.update_token + "x", issue=issue, action="fix", text=""
        )

    issue.refresh_from_db()
    assert issue.state == Issue.State.REFERRED


def test_referral_body_update_refuses_issues_of_other_referrals(staff, zone):
    referral = referral_create(
        issues=[IssueFactory(zone=zone)], body=BodyFactory(), method="csv", actor=staff
    )
    other = IssueFactory(zone=zone)

    with pytest.raises(PermissionDenied):
        referral_body_update(
            referral=referral, token=referral.update_token, issue=other, action="fix", text=""
        )

    other.refresh_from_db()
    assert other.state == Issue.State.OPEN


def test_referral_body_update_refuses_staff_only_moves(staff, zone):
    issue = IssueFactory(zone=zone)
    referral = referral_create(issues=[issue], body=BodyFactory(), method="csv", actor=staff)

    with pytest.raises(ValidationError):
        referral_body_update(
            referral=referral, token=referral.update_token, issue=issue, action="hide", text=""
        )


def test_referral_record_response_schedules_the_issues_with_a_term(staff, zone):
    issues = [IssueFactory(zone=zone), IssueFactory(zone=zone)]
    referral = referral_create(issues=issues, body=BodyFactory(), method="csv", actor=staff)

    referral_record_response(
        referral=referral,
        actor=staff,
        response="Both lights go on the March programme.",
        state_action="schedule",
        term="medium",
    )

    referral.refresh_from_db()
    assert referral.response == "Both lights go on the March programme."
    assert referral.planned_term == "medium"
    assert referral.acknowledged_at is not None
    for issue in issues:
        issue.refresh_from_db()
        assert issue.state == Issue.State.ACTION_SCHEDULED
        assert issue.term == "medium"
        note = issue.updates.get(text__contains="March programme")
        assert note.public is False


def test_referral_record_response_needs_words_or_a_move(staff, zone):
    referral = referral_create(
        issues=[IssueFactory(zone=zone)], body=BodyFactory(), method="csv", actor=staff
    )

    with pytest.raises(ValidationError):
        referral_record_response(referral=referral, actor=staff, response="  ")
    with pytest.raises(ValidationError):
        referral_record_response(
            referral=referral, actor=staff, response="Soon", state_action="schedule"
        )


def test_referral_record_response_refuses_people_who_do_not_manage_issues(staff, user, zone):
    referral = referral_create(
        issues=[IssueFactory(zone=zone)], body=BodyFactory(), method="csv", actor=staff
    )

    with pytest.raises(PermissionDenied):
        referral_record_response(referral=referral, actor=user, response="Done")


def test_referral_create_by_email_leaves_a_trace_when_the_email_fails(
    staff, zone, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    issue = IssueFactory(zone=zone)

    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_create(issues=[issue], body=BodyFactory(), method="email", actor=staff)

    event = AuditEvent.objects.get(verb="referral.email_failed")
    assert event.target_id == str(referral.pk)
