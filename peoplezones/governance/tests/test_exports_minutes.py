import csv
import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.governance.exports import minutes_blocks
from peoplezones.governance.models import Action, AgendaItem, Attendance, Meeting, Member
from peoplezones.governance.services import sanitise_minutes
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory

MINUTES = sanitise_minutes(
    "<h2>Welcome</h2>"
    "<p>Hidden Hartley chaired. <strong>Open Okafor</strong> took notes.</p>"
    "<ul><li>Lights on Storer Road</li><li>Hidden Hartley to write to the council</li></ul>"
    "<ol><li>First point</li></ol>"
    '<p>See <a href="https://example.org/plan">the plan</a>.<br>Next line</p>'
    "<script>alert(1)</script>"
)


@pytest.fixture
def meeting(db):
    group = SteeringGroupFactory(name="Bell Foundry Steering Group", action_prefix="BF")
    meeting = MeetingFactory(
        group=group,
        place="Bell Foundry hall",
        minutes=MINUTES,
        decisions="Hidden Hartley will buy a bench.\nThe group meets monthly.",
    )
    hidden = MemberFactory(group=group, name="Hidden Hartley", area="Storer Road")
    named = MemberFactory(group=group, name="Open Okafor", agreed_to_be_named=True)
    partner = MemberFactory(
        group=group, name="Pat Police", sector=Member.Sector.POLICE, organisation="Police"
    )
    MemberFactory(group=group, name="Absent Abbott")
    Attendance.objects.create(meeting=meeting, member=hidden, status="present")
    Attendance.objects.create(meeting=meeting, member=named, status="present")
    Attendance.objects.create(meeting=meeting, member=partner, status="apologies")
    Attendance.objects.create(
        meeting=meeting, guest_name="Gina Guest", guest_organisation="University", status="guest"
    )
    item = AgendaItem.objects.create(
        meeting=meeting, order=1, title="Street lights", owner="Hidden Hartley", minutes_allotted=10
    )
    item.themes.set([ThemeFactory(zone=group.zone, title="Community safety")])
    AgendaItem.objects.create(meeting=meeting, order=2, title="=SUM(A1:A2)")
    action = ActionFactory(
        group=group, number=17, owner_member=hidden, description="Ask the council"
    )
    Action.objects.filter(pk=action.pk).update(created=meeting.starts - datetime.timedelta(days=20))
    return meeting


def _publish(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status=Meeting.MinutesStatus.PUBLISHED)


def _member_client(client, meeting):
    client.force_login(ZoneMembershipFactory(zone=meeting.group.zone).user)
    return client


def _docx(client, meeting, query=""):
    response = client.get(
        reverse("governance:meeting-minutes-docx", kwargs={"pk": meeting.pk}) + query
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response, Document(io.BytesIO(response.content))


def _text(document):
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_minutes_blocks_turn_paragraphs_and_list_items_into_word_blocks():
    blocks = minutes_blocks(MINUTES)

    assert [(b.style, b.text) for b in blocks] == [
        ("Heading 2", "Welcome"),
        ("Normal", "Hidden Hartley chaired. Open Okafor took notes."),
        ("List Bullet", "Lights on Storer Road"),
        ("List Bullet", "Hidden Hartley to write to the council"),
        ("List Number", "First point"),
        ("Normal", "See the plan (https://example.org/plan).\nNext line"),
    ]
    assert [run.bold for run in blocks[1].runs] == [False, True, False]


def test_minutes_blocks_keep_nested_lists_and_tables():
    blocks = minutes_blocks(
        "<ul><li>Outer<ul><li>Inner</li></ul></li></ul>"
        "<table><tr><th>Who</th><th>What</th></tr><tr><td>Council</td><td>Lights</td></tr></table>"
    )

    assert [(b.style, b.text) for b in blocks[:2]] == [
        ("List Bullet", "Outer"),
        ("List Bullet 2", "Inner"),
    ]
    assert blocks[2].rows == [["Who", "What"], ["Council", "Lights"]]


def test_minutes_docx_members_version_has_attendance_and_the_full_minutes(client, meeting):
    response, document = _docx(_member_client(client, meeting), meeting)

    attendance = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in attendance.rows]
    assert rows[0] == ["Name", "Organisation or area", "Attendance"]
    assert sorted(rows[1:]) == [
        ["Gina Guest", "University", "Present"],
        ["Hidden Hartley", "Resident", "Present"],
        ["Open Okafor", "Resident", "Present"],
        ["Pat Police", "Police", "Apologies"],
    ]
    matters = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert matters[1] == ["BF-017", "Ask the council", "Hidden Hartley", "Open"]
    text = _text(document)
    assert "Bell Foundry Steering Group" in text
    assert "Bell Foundry hall" in text
    assert "Hidden Hartley chaired. Open Okafor took notes." in text
    assert "Street lights (Hidden Hartley; 10 minutes; Community safety)" in text
    assert "Hidden Hartley will buy a bench." in text
    assert "alert(1)" not in text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "Lights on Storer Road" in bullets
    assert "members" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_minutes_docx_public_version_has_no_unagreed_resident_names(client, meeting):
    _publish(meeting)

    response, document = _docx(client, meeting)

    text = _text(document)
    assert "Hartley" not in text
    assert "a resident chaired. Open Okafor took notes." in text
    assert "a resident will buy a bench." in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert ["Resident", "Storer Road", "Present"] in rows
    assert ["Open Okafor", "Resident", "Present"] in rows
    assert "Absent Abbott" not in text
    assert "members" not in response["Content-Disposition"]


def test_minutes_docx_members_can_download_the_public_version(client, meeting):
    _response, document = _docx(_member_client(client, meeting), meeting, "?version=public")

    assert "Hartley" not in _text(document)


def test_minutes_downloads_of_draft_minutes_are_not_found_for_the_public(client, meeting):
    for name in ("governance:meeting-minutes-docx", "governance:meeting-minutes-csv"):
        assert client.get(reverse(name, kwargs={"pk": meeting.pk})).status_code == 404


def test_minutes_csv_lists_matters_arising_then_the_agenda(client, meeting):
    response = _member_client(client, meeting).get(
        reverse("governance:meeting-minutes-csv", kwargs={"pk": meeting.pk})
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["section"], r["number"], r["title"], r["owner"]) for r in rows] == [
        ("matters_arising", "BF-017", "Ask the council", "Hidden Hartley"),
        ("agenda", "1", "Street lights", "Hidden Hartley"),
        ("agenda", "2", "'=SUM(A1:A2)", ""),
    ]
    assert rows[0]["status"] == "Open"
    assert rows[1]["themes"] == "Community safety"
    assert rows[1]["minutes_allotted"] == "10"


def test_minutes_csv_public_version_redacts_owners(client, meeting):
    _publish(meeting)

    response = client.get(reverse("governance:meeting-minutes-csv", kwargs={"pk": meeting.pk}))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Hartley" not in content
    assert "a resident" in content
