import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.governance.models import Action, AgendaItem, Attendance, Meeting, Member
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory

PUBLISHED = Meeting.MinutesStatus.PUBLISHED


@pytest.fixture
def group(db):
    return SteeringGroupFactory(name="Bell Foundry Steering Group", action_prefix="BF")


@pytest.fixture
def member_user(group):
    return ZoneMembershipFactory(zone=group.zone, role="member").user


@pytest.fixture
def chair_user(group):
    return ZoneMembershipFactory(zone=group.zone, role="chair").user


@pytest.fixture
def other_zone_user(db):
    return ZoneMembershipFactory(zone=ZoneFactory(), role="chair").user


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, place="Bell Foundry community hub")


def _detail(meeting, name="governance:meeting-detail"):
    return reverse(name, kwargs={"pk": meeting.pk})


def _people(group):
    """A resident who has not agreed to be named, one who has, and a partner."""
    return (
        MemberFactory(group=group, name="Hidden Hartley", area="Storer Road"),
        MemberFactory(group=group, name="Open Okafor", agreed_to_be_named=True),
        MemberFactory(
            group=group,
            name="Pat Police",
            sector=Member.Sector.POLICE,
            organisation="Leicestershire Police",
        ),
    )


def test_meeting_list_shows_dates_to_everyone_and_drafts_to_members(client, group, member_user):
    draft = MeetingFactory(group=group)
    published = MeetingFactory(
        group=group,
        starts=timezone.now() - datetime.timedelta(days=40),
        minutes_status=PUBLISHED,
    )
    url = reverse("governance:meeting-list", kwargs={"slug": group.zone.slug})

    public = client.get(url).content.decode()
    assert _detail(published) in public
    assert _detail(draft) not in public
    assert "Minutes: Draft" not in public
    assert "Arrange a meeting" not in public

    client.force_login(member_user)
    member = client.get(url).content.decode()
    assert _detail(draft) in member
    assert "Minutes: Draft" in member
    assert "Arrange a meeting" in member


def test_meeting_list_of_a_zone_without_a_group_is_not_found(client, db):
    zone = ZoneFactory()
    assert (
        client.get(reverse("governance:meeting-list", kwargs={"slug": zone.slug})).status_code
        == 404
    )


def test_meeting_list_query_count_does_not_grow(
    client, group, member_user, django_assert_max_num_queries
):
    for days in range(8):
        MeetingFactory(group=group, starts=timezone.now() + datetime.timedelta(days=days - 4))
    client.force_login(member_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("governance:meeting-list", kwargs={"slug": group.zone.slug}))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "draft_status", "published_status"),
    [
        ("public", 404, 200),
        ("other_zone", 404, 200),
        ("member", 200, 200),
        ("chair", 200, 200),
        ("programme_team", 200, 200),
        ("commissioner", 200, 200),
    ],
)
def test_meeting_detail_permissions_per_zone(client, group, who, draft_status, published_status):
    users = {
        "public": None,
        "other_zone": lambda: ZoneMembershipFactory(zone=ZoneFactory(), role="chair").user,
        "member": lambda: ZoneMembershipFactory(zone=group.zone, role="member").user,
        "chair": lambda: ZoneMembershipFactory(zone=group.zone, role="chair").user,
        "programme_team": lambda: UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]),
        "commissioner": lambda: UserFactory(roles=[ProgrammeRole.COMMISSIONER]),
    }
    if users[who]:
        client.force_login(users[who]())
    draft = MeetingFactory(group=group)
    published = MeetingFactory(group=group, minutes_status=PUBLISHED)

    assert client.get(_detail(draft)).status_code == draft_status
    assert client.get(_detail(published)).status_code == published_status
    for name in ("governance:meeting-minutes-docx", "governance:meeting-minutes-csv"):
        assert client.get(_detail(draft, name)).status_code == draft_status


def test_meeting_detail_query_count_does_not_grow(
    client, group, chair_user, meeting, django_assert_max_num_queries
):
    theme = ThemeFactory(zone=group.zone)
    for number in range(6):
        MemberFactory(group=group)
        item = AgendaItem.objects.create(meeting=meeting, order=number + 1, title=f"Item {number}")
        item.themes.set([theme])
        ActionFactory(group=group, owner_member=MemberFactory(group=group))
    Action.objects.update(created=meeting.starts - datetime.timedelta(days=1))
    client.force_login(chair_user)

    with django_assert_max_num_queries(30):
        response = client.get(_detail(meeting))
    assert response.status_code == 200


def test_meeting_arrange_creates_the_meeting(client, group, member_user):
    client.force_login(member_user)
    day = timezone.localdate() + datetime.timedelta(days=14)

    response = client.post(
        reverse("governance:meeting-list", kwargs={"slug": group.zone.slug}),
        {
            "meeting-date": day.isoformat(),
            "meeting-starts_time": "18:30",
            "meeting-ends_time": "20:00",
            "meeting-place": "The Bell Foundry hall",
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(meeting)
    assert timezone.localtime(meeting.starts).time() == datetime.time(18, 30)
    assert timezone.localtime(meeting.ends).time() == datetime.time(20, 0)
    assert meeting.place == "The Bell Foundry hall"


def test_meeting_arrange_refuses_an_end_before_the_start_and_keeps_the_input(
    client, group, member_user
):
    client.force_login(member_user)

    response = client.post(
        reverse("governance:meeting-list", kwargs={"slug": group.zone.slug}),
        {
            "meeting-date": "2030-05-01",
            "meeting-starts_time": "19:00",
            "meeting-ends_time": "18:00",
            "meeting-place": "Kept place",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "The meeting must end after it starts." in content
    assert 'value="Kept place"' in content
    assert 'value="2030-05-01"' in content
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["public", "other_zone", "commissioner"])
def test_meeting_arrange_is_refused_to_people_outside_the_zone(client, group, who):
    if who == "other_zone":
        client.force_login(ZoneMembershipFactory(zone=ZoneFactory()).user)
    elif who == "commissioner":
        client.force_login(UserFactory(roles=[ProgrammeRole.COMMISSIONER]))

    response = client.post(
        reverse("governance:meeting-list", kwargs={"slug": group.zone.slug}),
        {"meeting-date": "2030-05-01", "meeting-starts_time": "19:00"},
    )

    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_meeting_agenda_add_adds_an_item_with_the_zone_themes(client, meeting, member_user):
    theme = ThemeFactory(zone=meeting.group.zone, title="Community safety")
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-agenda-add"),
        {
            "agenda-title": "Street lights on Storer Road",
            "agenda-owner": "Charnwood Borough Council",
            "agenda-minutes_allotted": "15",
            "agenda-themes": [theme.pk],
        },
    )

    item = AgendaItem.objects.get()
    assert response.status_code == 302
    assert (item.title, item.owner, item.minutes_allotted) == (
        "Street lights on Storer Road",
        "Charnwood Borough Council",
        15,
    )
    assert list(item.themes.all()) == [theme]


def test_meeting_agenda_add_refuses_another_zones_theme_and_keeps_the_input(
    client, meeting, member_user
):
    elsewhere = ThemeFactory()
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-agenda-add"),
        {"agenda-title": "Typed title", "agenda-themes": [elsewhere.pk]},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Choose themes of this zone." in content
    assert 'value="Typed title"' in content
    assert not AgendaItem.objects.exists()


def test_meeting_agenda_move_swaps_items_without_javascript(client, meeting, member_user):
    first, second, third = (
        AgendaItem.objects.create(meeting=meeting, order=n, title=t)
        for n, t in enumerate(["First", "Second", "Third"], start=1)
    )
    client.force_login(member_user)
    url = _detail(meeting, "governance:meeting-agenda-move")

    assert client.post(url, {"move": f"{third.pk}:up"}).status_code == 302
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "First",
        "Third",
        "Second",
    ]
    client.post(url, {"move": f"{first.pk}:down"})
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Third",
        "First",
        "Second",
    ]
    assert second.pk


@pytest.mark.parametrize("move", ["first:up", "last:down", "999999:up", "nonsense"])
def test_meeting_agenda_move_refuses_impossible_moves(client, meeting, member_user, move):
    first = AgendaItem.objects.create(meeting=meeting, order=1, title="First")
    last = AgendaItem.objects.create(meeting=meeting, order=2, title="Last")
    move = move.replace("first", str(first.pk)).replace("last", str(last.pk))
    client.force_login(member_user)

    response = client.post(_detail(meeting, "governance:meeting-agenda-move"), {"move": move})

    assert response.status_code == 400
    assert "cannot move that way" in response.content.decode()
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["First", "Last"]


def test_meeting_attendance_records_members_and_a_guest(client, meeting, member_user):
    came, sorry, left = MemberFactory.create_batch(3, group=meeting.group)
    client.force_login(member_user)
    page = client.get(_detail(meeting)).content.decode()
    assert f'name="attendance-member_{came.pk}"' in page

    response = client.post(
        _detail(meeting, "governance:meeting-attendance"),
        {
            f"attendance-member_{came.pk}": "present",
            f"attendance-member_{sorry.pk}": "apologies",
            "attendance-guest_name": "Gina Guest",
            "attendance-guest_organisation": "Loughborough University",
        },
    )

    assert response.status_code == 302
    recorded = {(a.member_id, a.guest_name, a.status) for a in meeting.attendance.all()}
    assert recorded == {
        (came.pk, "", "present"),
        (sorry.pk, "", "apologies"),
        (None, "Gina Guest", "guest"),
    }
    assert left.pk


def test_meeting_attendance_refuses_unknown_members_and_saves_nothing(client, meeting, member_user):
    known = MemberFactory(group=meeting.group)
    stranger = MemberFactory()  # on another zone's group
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-attendance"),
        {
            f"attendance-member_{known.pk}": "present",
            f"attendance-member_{stranger.pk}": "present",
            "attendance-guest_name": "Kept Guest",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "not a member of this group" in content
    assert 'value="Kept Guest"' in content
    assert not Attendance.objects.exists()


def test_meeting_attendance_refuses_a_guest_organisation_without_a_name(
    client, meeting, member_user
):
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-attendance"),
        {"attendance-guest_organisation": "Somewhere"},
    )

    assert response.status_code == 400
    assert "Give the guest&#x27;s name." in response.content.decode()
    assert not Attendance.objects.exists()


def test_meeting_minutes_save_strips_scripts_and_shows_the_saved_result(
    client, meeting, member_user
):
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-minutes-save"),
        {
            "minutes-minutes": '<p onclick="steal()">We met.</p><script>alert(1)</script>',
            "minutes-decisions": "Buy a new bench.",
        },
        follow=True,
    )

    content = response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>We met.</p>"
    assert meeting.decisions == "Buy a new bench."
    assert "<script>alert(1)</script>" not in content
    assert "without &lt;script&gt;, onclick=" in content
    assert "<p>We met.</p>" in content
    assert "&lt;p&gt;We met.&lt;/p&gt;" in content  # the editor holds the saved text


def test_meeting_minutes_save_says_which_tags_are_allowed(client, meeting, member_user):
    client.force_login(member_user)

    content = client.get(_detail(meeting)).content.decode()

    assert "Only these tags are kept:" in content
    assert "&lt;blockquote&gt;" in content


def test_meeting_minutes_cannot_change_once_approved(client, meeting, member_user):
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_status=Meeting.MinutesStatus.APPROVED, minutes="<p>Agreed text</p>"
    )
    client.force_login(member_user)

    response = client.post(
        _detail(meeting, "governance:meeting-minutes-save"),
        {"minutes-minutes": "<p>Rewritten</p>"},
    )
    item = client.post(_detail(meeting, "governance:meeting-agenda-add"), {"agenda-title": "Late"})

    assert response.status_code == 400
    assert "Approved minutes cannot be changed" in response.content.decode()
    assert item.status_code == 400
    meeting.refresh_from_db()
    assert meeting.minutes == "<p>Agreed text</p>"
    assert not AgendaItem.objects.exists()


def test_meeting_transition_runs_the_workflow_for_the_chair(client, meeting, chair_user):
    client.force_login(chair_user)
    url = _detail(meeting, "governance:meeting-transition")

    for action, status in [
        ("circulate", "circulated"),
        ("redraft", "draft"),
        ("circulate", "circulated"),
        ("approve", "approved"),
        ("publish", "published"),
        ("unpublish", "approved"),
        ("publish", "published"),
    ]:
        response = client.post(url, {"action": action})
        meeting.refresh_from_db()
        assert (response.status_code, meeting.minutes_status) == (302, status), action
    assert meeting.approved_by == chair_user
    assert meeting.published_at is not None


def test_meeting_transition_shows_only_the_moves_a_member_may_make(client, meeting, member_user):
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status=Meeting.MinutesStatus.CIRCULATED)
    client.force_login(member_user)

    page = client.get(_detail(meeting)).content.decode()
    response = client.post(_detail(meeting, "governance:meeting-transition"), {"action": "approve"})

    assert 'value="redraft"' in page
    assert 'value="approve"' not in page
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes_status == "circulated"


def test_meeting_transition_refuses_approving_a_future_meeting(client, group, chair_user):
    future = MeetingFactory(
        group=group,
        starts=timezone.now() + datetime.timedelta(days=3),
        minutes_status=Meeting.MinutesStatus.CIRCULATED,
    )
    client.force_login(chair_user)

    response = client.post(_detail(future, "governance:meeting-transition"), {"action": "approve"})

    assert response.status_code == 400
    assert "has not happened" in response.content.decode()
    future.refresh_from_db()
    assert future.minutes_status == "circulated"


def test_meeting_transition_refuses_unknown_actions(client, meeting, chair_user):
    client.force_login(chair_user)

    response = client.post(_detail(meeting, "governance:meeting-transition"), {"action": "burn"})

    assert response.status_code == 400
    assert "Unknown action" in response.content.decode()


def test_meeting_detail_public_page_shows_redacted_names_only(client, group, meeting):
    hidden, named, partner = _people(group)
    for person, status in [(hidden, "present"), (named, "present"), (partner, "apologies")]:
        Attendance.objects.create(meeting=meeting, member=person, status=status)
    AgendaItem.objects.create(
        meeting=meeting, title="Report from Hidden Hartley", owner=hidden.name
    )
    action = ActionFactory(group=group, owner_member=hidden, description="Hidden Hartley to ask")
    Action.objects.filter(pk=action.pk).update(created=meeting.starts - datetime.timedelta(days=9))
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_status=PUBLISHED,
        minutes="<p>Hidden Hartley and Open Okafor reported on the park.</p>",
        decisions="Hidden Hartley will write to the council.",
    )

    content = client.get(_detail(meeting)).content.decode()

    assert "Hartley" not in content
    assert "Storer Road" in content  # the unnamed resident is shown by area
    assert "Open Okafor" in content
    assert "Pat Police" in content
    assert "<p>a resident and Open Okafor reported on the park.</p>" in content
    assert "a resident will write to the council." in content
    assert "BF-" in content
    assert "Record attendance" not in content


def test_meeting_detail_members_see_names_and_the_builders(client, group, meeting, member_user):
    hidden, _named, _partner = _people(group)
    action = ActionFactory(group=group, owner_member=hidden, description="Fix the gate")
    Action.objects.filter(pk=action.pk).update(created=meeting.starts - datetime.timedelta(days=9))
    client.force_login(member_user)

    content = client.get(_detail(meeting)).content.decode()

    assert f"{action.reference}</td>" in content
    assert "Hidden Hartley</td>" in content
    for heading in ["Add an item", "Record attendance", "Write the minutes"]:
        assert heading in content


def test_meeting_ics_lists_meetings_without_private_details(client, group):
    published = MeetingFactory(
        group=group,
        minutes_status=PUBLISHED,
        place="Bell Foundry hall",
        minutes="<p>Private draft words</p>",
    )
    online = MeetingFactory(
        group=group,
        starts=timezone.now() + datetime.timedelta(days=20),
        ends=timezone.now() + datetime.timedelta(days=20, hours=2),
        place="",
        link="https://meet.example.org/bf",
    )
    MemberFactory(group=group, name="Hidden Hartley")

    response = client.get(reverse("governance:meeting-ics", kwargs={"slug": group.zone.slug}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    first = events[f"meeting-{published.pk}@peoplezones"]
    second = events[f"meeting-{online.pk}@peoplezones"]
    assert str(first["summary"]) == "Bell Foundry Steering Group meeting"
    assert first.decoded("dtstart") == published.starts.replace(microsecond=0)
    assert str(first["location"]) == "Bell Foundry hall"
    assert str(first["url"]).endswith(_detail(published))
    assert str(second["location"]) == "https://meet.example.org/bf"
    assert second.decoded("dtend") - second.decoded("dtstart") == datetime.timedelta(hours=2)
    assert f"#meeting-{online.pk}" in str(second["url"])
    assert b"Private draft" not in response.content
    assert b"Hartley" not in response.content


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("governance:meeting-agenda-add", {"agenda-title": "Sneaky"}),
        ("governance:meeting-agenda-move", {"move": "1:up"}),
        ("governance:meeting-attendance", {"attendance-guest_name": "Sneaky"}),
        ("governance:meeting-minutes-save", {"minutes-minutes": "<p>Sneaky</p>"}),
        ("governance:meeting-transition", {"action": "circulate"}),
    ],
)
def test_meeting_changes_are_hidden_from_other_zones_and_refused_to_viewers(
    client, meeting, other_zone_user, name, data
):
    client.force_login(other_zone_user)
    assert client.post(_detail(meeting, name), data).status_code == 404

    client.force_login(UserFactory(roles=[ProgrammeRole.COMMISSIONER]))
    assert client.post(_detail(meeting, name), data).status_code == 403

    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.minutes_status) == ("", "draft")
    assert not AgendaItem.objects.exists()
    assert not Attendance.objects.exists()
