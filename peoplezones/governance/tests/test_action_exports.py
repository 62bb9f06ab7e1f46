import csv
import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT

from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.governance.action_queries import action_log
from peoplezones.governance.exports_actions import action_log_csv, action_log_docx
from peoplezones.governance.models import Action
from peoplezones.governance.selectors import today
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory

HEADER = [
    "Reference",
    "Action",
    "Owner",
    "Theme",
    "Raised",
    "Due",
    "Status",
    "RAG",
    "Latest update",
]
LONDON = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def group(db):
    return SteeringGroupFactory(action_prefix="BF", name="Bell Foundry Steering Group")


@pytest.fixture
def member_client(client, group):
    client.force_login(ZoneMembershipFactory(zone=group.zone).user)
    return client


@pytest.fixture
def log(group):
    """Two actions: one overdue with a theme, a member owner, a meeting and updates; one done."""
    meeting = MeetingFactory(group=group, starts=datetime.datetime(2025, 5, 6, 18, tzinfo=LONDON))
    overdue = ActionFactory(
        group=group,
        number=17,
        description="Ask the council about the canal path lights",
        owner_member=MemberFactory(group=group, name="Asha Patel"),
        theme=ThemeFactory(zone=group.zone, title="Safer streets"),
        raised_at=meeting,
        due=datetime.date(2025, 6, 1),
    )
    overdue.updates.create(text="Emailed the lighting team")
    overdue.updates.create(text="Chased again")
    overdue.updates.create(text="", status_from="open", status_to="in_progress")
    ActionFactory(
        group=group,
        number=18,
        description="=HYPERLINK(evil)",
        status=Action.Status.DONE,
        due=datetime.date(2025, 7, 1),
    )
    return group


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_action_log_csv_has_the_circulated_columns_newest_first(log):
    on = datetime.date(2025, 6, 10)

    rows = _rows(action_log_csv(actions=action_log(user=None, group=log, on=on)))

    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["BF-018", "BF-017"]


def test_action_log_csv_gives_rag_owner_theme_and_latest_update(log):
    on = datetime.date(2025, 6, 10)

    rows = {
        row[0]: row
        for row in _rows(action_log_csv(actions=action_log(user=None, group=log, on=on)))
    }

    assert rows["BF-017"] == [
        "BF-017",
        "Ask the council about the canal path lights",
        "Asha Patel",
        "Safer streets",
        "6 May 2025",
        "1 Jun 2025",
        "Open",
        "Red (Overdue)",
        "Chased again",
    ]
    assert rows["BF-018"][1] == "'=HYPERLINK(evil)"
    assert rows["BF-018"][6:8] == ["Done", ""]


def test_action_log_docx_is_a_landscape_title_and_one_table(log):
    on = datetime.date(2025, 6, 10)

    content = action_log_docx(group=log, actions=action_log(user=None, group=log, on=on), on=on)

    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert document.paragraphs[0].text == "Bell Foundry Steering Group: action log, 10 June 2025"
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == HEADER
    by_reference = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert by_reference["BF-017"][2:] == [
        "Asha Patel",
        "Safer streets",
        "6 May 2025",
        "1 Jun 2025",
        "Open",
        "Red (Overdue)",
        "Chased again",
    ]
    assert by_reference["BF-018"][6] == "Done"


def test_action_log_docx_says_so_when_there_are_no_actions(group):
    on = datetime.date(2025, 6, 10)

    document = Document(io.BytesIO(action_log_docx(group=group, actions=[], on=on)))

    assert len(document.tables[0].rows) == 1
    assert "There are no actions to show." in [p.text for p in document.paragraphs]


def test_action_log_csv_download_follows_the_page_filters(log, member_client):
    response = member_client.get(
        reverse("governance:action-log-csv", kwargs={"slug": log.zone.slug}), {"status": "done"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="{log.zone.slug}-action-log-{today():%Y-%m-%d}.csv"'
        in (response["Content-Disposition"])
    )
    assert [row[0] for row in _rows(response.content)] == ["Reference", "BF-018"]


def test_action_log_docx_download_is_a_word_document(log, member_client):
    response = member_client.get(
        reverse("governance:action-log-docx", kwargs={"slug": log.zone.slug})
    )

    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    table = Document(io.BytesIO(response.content)).tables[0]
    assert [row.cells[0].text for row in table.rows] == ["Reference", "BF-018", "BF-017"]


@pytest.mark.parametrize("name", ["action-log-csv", "action-log-docx"])
def test_action_log_downloads_are_404_to_people_outside_the_zone(log, client, name):
    client.force_login(UserFactory())

    response = client.get(reverse(f"governance:{name}", kwargs={"slug": log.zone.slug}))

    assert response.status_code == 404
