import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.governance.models import Action, Meeting, Member
from peoplezones.governance.tests.factories import (
    ActionFactory,
    InitiativeFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


@pytest.fixture
def group(db):
    group = SteeringGroupFactory(
        name="Test Zone People Zone Steering Group",
        terms_of_reference="We meet monthly to act on the research themes.",
    )
    MemberFactory(
        group=group,
        name="Hidden Resident",
        email="hidden.resident@example.net",
        sector=Member.Sector.RESIDENT,
        role=Member.Role.CHAIR,
        area="Thringstone",
    )
    MemberFactory(
        group=group,
        name="Named Resident",
        sector=Member.Sector.RESIDENT,
        agreed_to_be_named=True,
        area="Whitwick",
    )
    MemberFactory(
        group=group,
        name="Officer Partner",
        sector=Member.Sector.POLICE,
        role=Member.Role.PARTNER,
        organisation="Leicestershire Police",
    )
    return group


def _url(group) -> str:
    return reverse("governance:zone-group", kwargs={"slug": group.zone.slug})


def test_zone_group_shows_counts_and_the_chair_role_but_no_names(client, group):
    response = client.get(_url(group))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Test Zone People Zone Steering Group" in html
    assert "We meet monthly to act on the research themes." in html
    assert "Chaired by a resident" in html
    for text in ("Members by sector", "Members by area", "Thringstone", "Whitwick"):
        assert text in html
    assert "Across the whole zone" in html
    for private in ("Hidden Resident", "Named Resident", "Officer Partner", "hidden.resident@"):
        assert private not in html


def test_zone_group_lists_published_minutes_only_and_upcoming_meetings(client, group):
    now = timezone.now()
    published = MeetingFactory(
        group=group,
        starts=now - datetime.timedelta(days=60),
        minutes_status=Meeting.MinutesStatus.PUBLISHED,
    )
    MeetingFactory(
        group=group,
        starts=now - datetime.timedelta(days=30),
        minutes_status=Meeting.MinutesStatus.CIRCULATED,
        minutes="<p>Draft words nobody outside should read.</p>",
    )
    upcoming = MeetingFactory(
        group=group, starts=now + datetime.timedelta(days=10), place="Whitwick library"
    )

    html = client.get(_url(group)).content.decode()

    local = timezone.localtime
    assert f"Minutes of {local(published.starts):%-d %B %Y}" in html
    assert reverse("governance:meeting-detail", kwargs={"pk": published.pk}) in html
    assert "Draft words" not in html
    assert html.count("Minutes of ") == 1
    assert f"{local(upcoming.starts):%-d %B %Y}" in html
    assert "Whitwick library" in html


def test_zone_group_summarises_open_actions_with_words_not_owners(client, group):
    today = timezone.localdate()
    theme = ThemeFactory(zone=group.zone, title="Pride of Place")
    owner = group.members.get(name="Hidden Resident")
    ActionFactory(group=group, due=today - datetime.timedelta(days=2), owner_member=owner)
    ActionFactory(group=group, due=today + datetime.timedelta(days=3), theme=theme)
    ActionFactory(group=group, due=today + datetime.timedelta(days=30), theme=theme)
    ActionFactory(group=group, status=Action.Status.DONE, description="Closed one")

    html = client.get(_url(group)).content.decode()

    for label in ("Overdue", "Due soon", "On track", "Open actions by theme", "Pride of Place"):
        assert label in html
    assert "3 actions are open." in html
    assert "1 action is done." in html
    assert "Ask the council about the lights" not in html
    assert "Charnwood Borough Council" not in html
    assert reverse("governance:action-list", kwargs={"slug": group.zone.slug}) not in html


def test_zone_group_links_members_to_the_full_action_log(client, group):
    member = ZoneMembershipFactory(zone=group.zone, role="member").user
    client.force_login(member)

    html = client.get(_url(group)).content.decode()

    assert reverse("governance:action-list", kwargs={"slug": group.zone.slug}) in html


def test_zone_group_shows_the_zone_initiatives_with_status_and_outputs(client, group):
    initiative = InitiativeFactory(title="Wellbeing garden", status="completed", zones=[group.zone])
    initiative.outputs.create(label="of unpaid work", value=1700, unit="hours")
    InitiativeFactory(title="Somewhere else", zones=[ZoneFactory()])

    html = client.get(_url(group)).content.decode()

    assert "Wellbeing garden" in html
    assert "Completed" in html
    assert "1,700 hours" in html
    assert "Somewhere else" not in html


def test_zone_group_is_not_found_for_an_unknown_zone_or_one_without_a_group(client, db):
    zone = ZoneFactory()

    assert client.get("/zones/no-such-zone/steering-group/").status_code == 404
    response = client.get(reverse("governance:zone-group", kwargs={"slug": zone.slug}))
    assert response.status_code == 404


def test_zone_group_query_count_does_not_grow_with_the_data(
    client, group, django_assert_max_num_queries
):
    now = timezone.now()
    for days in range(1, 8):
        MeetingFactory(
            group=group,
            starts=now - datetime.timedelta(days=30 * days),
            minutes_status=Meeting.MinutesStatus.PUBLISHED,
        )
    for _ in range(10):
        MemberFactory(group=group, sector=Member.Sector.COUNCIL)
        ActionFactory(group=group, theme=ThemeFactory(zone=group.zone))
    for number in range(6):
        initiative = InitiativeFactory(zones=[group.zone], kind="leadership")
        initiative.outputs.create(label=f"count {number}", value=number)
        initiative.milestones.create(title="Step")

    with django_assert_max_num_queries(16):
        response = client.get(_url(group))

    assert response.status_code == 200


def test_zone_page_summarises_the_group_without_names(client, db):
    from peoplezones.governance.tests.factories import (
        ActionFactory,
        MemberFactory,
        SteeringGroupFactory,
    )

    group = SteeringGroupFactory()
    MemberFactory(group=group, name="Hidden Resident")
    ActionFactory(group=group, due=datetime.date(2020, 1, 1))

    content = client.get(group.zone.get_absolute_url()).content.decode()

    assert "1 member; 1 open action, 1 overdue." in content
    assert "Hidden Resident" not in content
