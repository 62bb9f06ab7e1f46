import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.governance.models import Action
from peoplezones.governance.selectors import today
from peoplezones.governance.tests.factories import (
    ActionFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory

LONDON = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def group(db):
    return SteeringGroupFactory(action_prefix="BF")


@pytest.fixture
def member_user(group):
    return ZoneMembershipFactory(zone=group.zone, role="member").user


@pytest.fixture
def member_client(client, member_user):
    client.force_login(member_user)
    return client


def _list_url(group) -> str:
    return reverse("governance:action-list", kwargs={"slug": group.zone.slug})


def _days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def test_action_list_shows_rag_in_words_with_owner_theme_and_meeting(group, member_client):
    theme = ThemeFactory(zone=group.zone, title="Safer streets")
    meeting = MeetingFactory(group=group, starts=datetime.datetime(2025, 3, 4, 18, tzinfo=LONDON))
    ActionFactory(group=group, number=1, due=_days(-2), theme=theme, raised_at=meeting)
    ActionFactory(group=group, number=2, due=_days(3))
    ActionFactory(group=group, number=3, due=_days(30), owner_text="Police")
    ActionFactory(group=group, number=4, status=Action.Status.DONE)

    response = member_client.get(_list_url(group))

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("BF-001", "BF-004", "Overdue", "Due soon", "On track", "Done", "Safer streets"):
        assert text in page
    assert "4 Mar 2025" in page
    assert "Charnwood Borough Council" in page


def test_action_list_is_404_to_people_outside_the_zone(group, client):
    client.force_login(UserFactory())

    assert client.get(_list_url(group)).status_code == 404
    assert client.get(
        reverse("governance:action-list", kwargs={"slug": "nowhere"})
    ).status_code == (404)


def test_action_list_sends_signed_out_people_to_sign_in(group, client):
    response = client.get(_list_url(group))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_action_list_is_open_to_programme_staff(group, client):
    client.force_login(UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]))

    response = client.get(_list_url(group))

    assert response.status_code == 200
    assert "Add an action" in response.content.decode()


def test_action_list_filters_by_status_owner_theme_and_overdue(group, member_client):
    theme = ThemeFactory(zone=group.zone)
    ActionFactory(group=group, number=1, owner_text="Fire service", due=_days(-1))
    ActionFactory(group=group, number=2, owner_text="Council", theme=theme, due=_days(-1))
    ActionFactory(group=group, number=3, owner_text="Council", status=Action.Status.IN_PROGRESS)

    def refs(**params) -> list[str]:
        response = member_client.get(_list_url(group), params)
        assert response.status_code == 200
        return [a.reference for a in response.context["actions"]]

    assert refs(status="in_progress") == ["BF-003"]
    assert refs(owner="council") == ["BF-003", "BF-002"]
    assert refs(theme=theme.pk) == ["BF-002"]
    assert refs(overdue="on") == ["BF-002", "BF-001"]
    assert refs(owner="fire", overdue="on") == ["BF-001"]


def test_action_list_query_count_does_not_grow_with_actions(
    group, member_client, django_assert_max_num_queries
):
    theme = ThemeFactory(zone=group.zone)
    meeting = MeetingFactory(group=group)
    member = MemberFactory(group=group)
    for number in range(1, 31):
        ActionFactory(
            group=group, number=number, owner_member=member, theme=theme, raised_at=meeting
        )

    with django_assert_max_num_queries(16):
        response = member_client.get(_list_url(group))

    assert len(response.context["actions"]) == 30


def test_action_list_adds_an_action(group, member_client):
    theme = ThemeFactory(zone=group.zone)
    meeting = MeetingFactory(group=group)
    member = MemberFactory(group=group, name="Asha Patel")

    response = member_client.post(
        _list_url(group),
        {
            "description": "Walk the canal path with the council",
            "owner_member": member.pk,
            "theme": theme.pk,
            "raised_at": meeting.pk,
            "due": _days(10).isoformat(),
        },
    )

    assert response.status_code == 302
    action = Action.objects.get()
    assert action.reference == "BF-001"
    assert (action.owner_member, action.theme, action.raised_at) == (member, theme, meeting)
    assert action.due == _days(10)
    assert "BF-001 added" in member_client.get(response["Location"]).content.decode()


def test_action_list_refuses_no_description_and_keeps_what_was_typed(group, member_client):
    response = member_client.post(
        _list_url(group), {"description": "  ", "owner_text": "Leicestershire Fire"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what needs doing." in page
    assert 'value="Leicestershire Fire"' in page
    assert "govuk-error-summary" in page
    assert not Action.objects.exists()


def test_action_list_refuses_a_due_date_before_the_raising_meeting(group, member_client):
    meeting = MeetingFactory(group=group, starts=datetime.datetime(2025, 6, 10, 18, tzinfo=LONDON))

    response = member_client.post(
        _list_url(group),
        {"description": "Leaflet the estate", "raised_at": meeting.pk, "due": "2025-06-01"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "before the meeting that raised the action" in page
    assert "Leaflet the estate" in page
    assert 'value="2025-06-01"' in page
    assert not Action.objects.exists()


def test_action_list_refuses_an_owner_from_another_group(group, member_client):
    stranger = MemberFactory(group=SteeringGroupFactory())

    response = member_client.post(
        _list_url(group), {"description": "Fix it", "owner_member": stranger.pk}
    )

    assert response.status_code == 400
    assert "Choose a current member of this group." in response.content.decode()
    assert not Action.objects.exists()


def test_action_list_refuses_a_member_and_an_organisation_together(group, member_client):
    member = MemberFactory(group=group)

    response = member_client.post(
        _list_url(group),
        {"description": "Fix it", "owner_member": member.pk, "owner_text": "Council"},
    )

    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not Action.objects.exists()


def test_action_list_lets_the_commissioner_read_but_not_add(group, client):
    client.force_login(UserFactory(roles=[ProgrammeRole.COMMISSIONER]))

    page = client.get(_list_url(group))
    refused = client.post(_list_url(group), {"description": "Something"})

    assert page.status_code == 200
    assert "Add an action" not in page.content.decode()
    assert refused.status_code == 403
    assert not Action.objects.exists()


def test_action_detail_shows_the_action_and_its_timeline(group, member_client, member_user):
    action = ActionFactory(group=group, number=7, due=_days(-3))
    action.updates.create(text="Chased the council", author=member_user)

    response = member_client.get(reverse("governance:action-detail", kwargs={"pk": action.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "BF-007" in page
    assert "Chased the council" in page
    assert "Overdue" in page
    assert f'value="{action.due.isoformat()}"' in page


def test_action_detail_is_404_to_people_outside_the_zone(group, client):
    action = ActionFactory(group=group)
    client.force_login(UserFactory())

    response = client.get(reverse("governance:action-detail", kwargs={"pk": action.pk}))

    assert response.status_code == 404


def test_action_detail_adds_an_update_then_closes_the_action(group, member_client):
    action = ActionFactory(group=group, due=_days(5))
    url = reverse("governance:action-detail", kwargs={"pk": action.pk})

    first = member_client.post(
        url, {"text": "Council says next week", "status": "in_progress", "due": ""}
    )
    second = member_client.post(url, {"text": "", "status": "done", "due": ""})

    assert first.status_code == second.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE
    assert action.closed_at is not None
    assert action.due == _days(5)
    assert [u.text for u in action.updates.order_by("pk")] == ["Council says next week", ""]
    assert "closed as “Done”" in member_client.get(url).content.decode()


def test_action_detail_moves_the_due_date(group, member_client):
    action = ActionFactory(group=group, due=_days(5))

    response = member_client.post(
        reverse("governance:action-detail", kwargs={"pk": action.pk}),
        {"text": "", "status": "open", "due": _days(20).isoformat()},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.due == _days(20)


def test_action_detail_refuses_an_empty_update(group, member_client):
    action = ActionFactory(group=group, due=_days(5))

    response = member_client.post(
        reverse("governance:action-detail", kwargs={"pk": action.pk}),
        {"text": " ", "status": "open", "due": ""},
    )

    assert response.status_code == 400
    assert "Write an update or change the status or due date." in response.content.decode()
    assert not action.updates.exists()


def test_action_detail_refuses_a_date_that_is_not_one(group, member_client):
    action = ActionFactory(group=group, due=_days(5))

    response = member_client.post(
        reverse("governance:action-detail", kwargs={"pk": action.pk}),
        {"text": "Moved", "status": "open", "due": "31/02/2026"},
    )

    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()
    assert "Moved" in response.content.decode()
    action.refresh_from_db()
    assert action.due == _days(5)


def test_action_pages_use_london_dates_for_the_raising_meeting(group, member_client):
    # 23:30 UTC on 30 June is already 1 July in London.
    late = datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC)
    ActionFactory(group=group, raised_at=MeetingFactory(group=group, starts=late))

    page = member_client.get(_list_url(group)).content.decode()

    assert "1 Jul 2025" in page
    assert timezone.localdate(late) == datetime.date(2025, 7, 1)
