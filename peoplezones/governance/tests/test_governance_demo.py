import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from peoplezones.core.models import AuditEvent
from peoplezones.governance.models import (
    Action,
    ActionUpdate,
    Attendance,
    Initiative,
    Meeting,
    Member,
    Milestone,
    Output,
    Participant,
    SteeringGroup,
)
from peoplezones.governance.selectors import action_rag

pytestmark = pytest.mark.django_db

ROWS = [
    SteeringGroup,
    Member,
    Meeting,
    Attendance,
    Action,
    ActionUpdate,
    Initiative,
    Milestone,
    Output,
    Participant,
    AuditEvent,
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def test_governance_demo_makes_three_groups_with_members_across_sectors(demo):
    groups = {group.zone.slug: group for group in SteeringGroup.objects.select_related("zone")}

    assert sorted(groups) == ["bell-foundry", "new-parks", "thringstone-whitwick"]
    assert groups["bell-foundry"].name == "Bell Foundry People Zone Steering Group"
    assert {g.action_prefix for g in groups.values()} == {"BF", "NP", "TW"}
    for group in groups.values():
        members = list(group.members.all())
        assert 8 <= len(members) <= 12
        assert {m.sector for m in members} >= {"resident", "police", "fire", "council", "health"}
        assert sum(m.role == Member.Role.CHAIR for m in members) == 1
        assert any(m.sector == "resident" and not m.agreed_to_be_named for m in members)
        assert any(m.sector == "resident" and m.agreed_to_be_named for m in members)
    areas = set(groups["thringstone-whitwick"].members.values_list("area", flat=True))
    assert {"Thringstone", "Whitwick"} <= areas
    chair = groups["new-parks"].members.get(role=Member.Role.CHAIR)
    assert chair.user.email == "chair.newparks@example.org"
    assert (
        groups["bell-foundry"].members.filter(user__email="member.bellfoundry@example.org").exists()
    )


def test_governance_demo_makes_six_monthly_meetings_with_one_to_come(demo):
    now = timezone.now()
    for group in SteeringGroup.objects.all():
        meetings = list(group.meetings.order_by("starts"))
        assert len(meetings) == 6
        assert [m.starts > now for m in meetings] == [False] * 5 + [True]
        statuses = [m.minutes_status for m in meetings]
        assert statuses[:4] == ["published"] * 4
        assert statuses[4] == "circulated"
        assert all(m.attendance.exists() and m.minutes and m.decisions for m in meetings[:5])
        assert not meetings[5].attendance.exists()


def test_governance_demo_makes_about_thirty_actions_some_overdue(demo):
    actions = list(Action.objects.select_related("group__zone", "theme", "raised_at"))
    rags = [action_rag(action) for action in actions]

    assert 25 <= len(actions) <= 35
    assert rags.count("red") >= 3
    assert rags.count("amber") >= 3
    assert sum(a.status == "done" for a in actions) >= 6
    assert ActionUpdate.objects.filter(status_to="done").exists()
    assert all(a.theme.zone_id == a.group.zone_id for a in actions)
    assert all(a.raised_at.group_id == a.group_id for a in actions)


def test_governance_demo_records_the_initiatives_in_the_report(demo):
    kinds = set(Initiative.objects.values_list("kind", flat=True))

    assert kinds >= {
        "payback",
        "leadership",
        "mini_police",
        "mental_health",
        "crimestoppers",
        "adult_education",
        "public_health",
    }
    assert Initiative.objects.filter(kind="payback").count() == 3
    cohort = Initiative.objects.get(kind="leadership")
    assert cohort.participants.count() == 3
    mini_police = Initiative.objects.get(slug="mini-police").outputs.get()
    assert mini_police.value == 2
    assert str(mini_police.as_of) == "2023-07-26"


def test_governance_demo_twice_changes_nothing(demo):
    before = {model.__name__: model.objects.count() for model in ROWS}

    call_command("load_demo", stdout=io.StringIO())

    assert {model.__name__: model.objects.count() for model in ROWS} == before
