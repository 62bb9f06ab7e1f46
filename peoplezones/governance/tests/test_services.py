import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.core.models import AuditEvent
from peoplezones.governance.models import Action, Meeting
from peoplezones.governance.selectors import (
    action_rag,
    composition,
    matters_arising,
    public_attendance,
    published_minutes_html,
)
from peoplezones.governance.services import (
    action_create,
    action_update,
    attendance_set,
    minutes_save,
    minutes_transition,
)
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory


@pytest.fixture
def group(db):
    return SteeringGroupFactory()


@pytest.fixture
def member_user(group):
    return ZoneMembershipFactory(zone=group.zone, role="member").user


@pytest.fixture
def chair_user(group):
    return ZoneMembershipFactory(zone=group.zone, role="chair").user


def test_action_numbers_run_per_group_and_give_references(group, member_user):
    first = action_create(group=group, actor=member_user, description="One")
    second = action_create(group=group, actor=member_user, description="Two")
    other = action_create(
        group=SteeringGroupFactory(action_prefix="NP"),
        actor=UserFactory(roles=["Programme team"]),
        description="Elsewhere",
    )

    assert (first.reference, second.reference) == ("TZ-001", "TZ-002")
    assert other.reference == "NP-001"
    assert AuditEvent.objects.filter(verb="action.create").count() == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"description": "  "}, "Say what needs doing"),
        ({"description": "x", "due": "before"}, "before the meeting"),
    ],
)
def test_bad_actions_are_refused_and_nothing_saved(group, member_user, kwargs, message):
    meeting = MeetingFactory(group=group, starts=timezone.now())
    if kwargs.get("due") == "before":
        kwargs = {
            **kwargs,
            "due": timezone.localdate() - datetime.timedelta(days=3),
            "raised_at": meeting,
        }

    with pytest.raises(ValidationError, match=message):
        action_create(group=group, actor=member_user, **kwargs)
    assert not Action.objects.exists()


def test_owner_must_be_a_member_of_the_group(group, member_user):
    stranger = MemberFactory()

    with pytest.raises(ValidationError, match="member of this group"):
        action_create(group=group, actor=member_user, description="x", owner_member=stranger)


def test_people_outside_the_zone_cannot_add_actions(group):
    with pytest.raises(PermissionDenied):
        action_create(group=group, actor=UserFactory(), description="x")


def test_rag_turns_red_at_midnight_london_time(group):
    action = ActionFactory(group=group, due=datetime.date(2026, 6, 10))

    assert action_rag(action, on=datetime.date(2026, 6, 10)) == "amber"
    assert action_rag(action, on=datetime.date(2026, 6, 11)) == "red"
    assert action_rag(action, on=datetime.date(2026, 5, 1)) == "green"
    action.status = Action.Status.DONE
    assert action_rag(action, on=datetime.date(2026, 7, 1)) is None


def test_rag_uses_the_london_date_not_utc(group, settings):
    # 23:30 UTC on 10 June is 00:30 on 11 June in London (summer time): already overdue there.
    action = ActionFactory(group=group, due=datetime.date(2026, 6, 10))
    late = datetime.datetime(2026, 6, 10, 23, 30, tzinfo=datetime.UTC)

    assert action_rag(action, on=timezone.localdate(late)) == "red"


def test_matters_arising_are_the_actions_open_at_the_meeting(group, member_user):
    earlier = MeetingFactory(group=group, starts=timezone.now() - datetime.timedelta(days=30))
    open_one = action_create(
        group=group, actor=member_user, description="Still open", raised_at=earlier
    )
    closed = action_create(group=group, actor=member_user, description="Done", raised_at=earlier)
    action_update(action=closed, actor=member_user, status="done", text="Finished")
    next_meeting = MeetingFactory(group=group, starts=timezone.now() + datetime.timedelta(days=7))

    assert list(matters_arising(meeting=next_meeting)) == [open_one]
    assert list(matters_arising(meeting=earlier)) == []


def test_minutes_are_sanitised(group, member_user):
    meeting = MeetingFactory(group=group)

    minutes_save(
        meeting=meeting,
        actor=member_user,
        minutes=(
            '<p onclick="x()">Hello<script>alert(1)</script> <a href="javascript:evil()">x</a></p>'
        ),
    )

    meeting.refresh_from_db()
    assert "<script" not in meeting.minutes
    assert "onclick" not in meeting.minutes
    assert "javascript:" not in meeting.minutes
    assert "Hello" in meeting.minutes


def test_minutes_move_through_the_table_and_only_the_chair_approves(group, member_user, chair_user):
    meeting = MeetingFactory(group=group)

    minutes_transition(meeting=meeting, actor=member_user, action="circulate")
    with pytest.raises(PermissionDenied):
        minutes_transition(meeting=meeting, actor=member_user, action="approve")
    minutes_transition(meeting=meeting, actor=chair_user, action="approve")
    with pytest.raises(ValidationError):
        minutes_save(meeting=meeting, actor=member_user, minutes="<p>late edit</p>")
    meeting = minutes_transition(meeting=meeting, actor=chair_user, action="publish")

    assert meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED
    assert meeting.approved_by == chair_user
    assert meeting.published_at is not None


def test_future_meetings_cannot_have_approved_minutes(group, chair_user):
    meeting = MeetingFactory(
        group=group, starts=timezone.now() + datetime.timedelta(days=3), minutes_status="circulated"
    )

    with pytest.raises(ValidationError, match="not happened"):
        minutes_transition(meeting=meeting, actor=chair_user, action="approve")


def test_published_minutes_hide_residents_who_did_not_agree(group, member_user):
    MemberFactory(group=group, name="Jane Quiet", sector="resident", agreed_to_be_named=False)
    MemberFactory(group=group, name="Sam Open", sector="resident", agreed_to_be_named=True)
    officer = MemberFactory(group=group, name="PC Partner", sector="police")
    meeting = MeetingFactory(group=group)
    minutes_save(
        meeting=meeting,
        actor=member_user,
        minutes=(
            "<p>Jane Quiet raised the lights; Sam Open and PC Partner agreed. "
            "jane quiet will check.</p>"
        ),
    )
    meeting.refresh_from_db()
    attendance_set(meeting=meeting, actor=member_user, member=officer, status="present")

    html = published_minutes_html(meeting=meeting)

    assert "Jane Quiet" not in html
    assert "jane quiet" not in html
    assert "a resident raised the lights" in html
    assert "Sam Open" in html
    assert public_attendance(meeting=meeting)[0]["name"] == "PC Partner"


def test_composition_counts_without_names(group):
    MemberFactory(group=group, sector="resident", role="chair", area="Whitwick")
    MemberFactory(group=group, sector="police", area="Whitwick")
    MemberFactory(group=group, sector="resident", area="Thringstone", left=timezone.localdate())

    summary = composition(group=group)

    assert summary["total"] == 2
    assert summary["chair_sector"] == "Resident"
    assert dict(summary["by_area"]) == {"Whitwick": 2}
    assert "Member Person" not in str(summary)


def test_action_themes_must_belong_to_the_zone(group, member_user):
    with pytest.raises(ValidationError, match="theme of this zone"):
        action_create(group=group, actor=member_user, description="x", theme=ThemeFactory())


def test_redaction_matches_whole_names_only(group, member_user):
    MemberFactory(group=group, name="Ann", sector="resident", agreed_to_be_named=False)
    meeting = MeetingFactory(group=group)
    minutes_save(
        meeting=meeting, actor=member_user, minutes="<p>Ann spoke about the Annual fair.</p>"
    )
    meeting.refresh_from_db()

    html = published_minutes_html(meeting=meeting)

    assert html == "<p>a resident spoke about the Annual fair.</p>"


def test_attendance_of_approved_minutes_cannot_change(group, member_user):
    meeting = MeetingFactory(group=group, minutes_status="approved")

    with pytest.raises(ValidationError, match="approved"):
        attendance_set(
            meeting=meeting, actor=member_user, member=MemberFactory(group=group), status="present"
        )


def test_only_the_programme_team_sets_up_groups_and_cohorts(db, member_user):
    from peoplezones.governance.services import group_create, participant_add
    from peoplezones.governance.tests.factories import InitiativeFactory
    from peoplezones.zones.tests.factories import ZoneFactory

    team = UserFactory(roles=["Programme team"])
    zone = ZoneFactory()

    with pytest.raises(PermissionDenied):
        group_create(zone=zone, actor=member_user, name="X", action_prefix="xx")
    group = group_create(zone=zone, actor=team, name="New Group", action_prefix="ng")
    assert group.action_prefix == "NG"

    cohort = InitiativeFactory(kind="leadership")
    with pytest.raises(PermissionDenied):
        participant_add(initiative=cohort, actor=member_user, name="Private Person")
    participant_add(initiative=cohort, actor=team, name="Private Person")
    event = AuditEvent.objects.get(verb="initiative.participant.add")
    assert "Private Person" not in str(event.data)
