import datetime
from decimal import Decimal

import pytest
from django.test import Client

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.services import api_token_create
from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.core.testing import http_request
from peoplezones.governance.models import Action, Initiative, Meeting, Milestone, Participant
from peoplezones.governance.selectors import today
from peoplezones.governance.tests.factories import (
    ActionFactory,
    InitiativeFactory,
    MeetingFactory,
    MemberFactory,
    SteeringGroupFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory

LONDON = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def group(db):
    return SteeringGroupFactory(action_prefix="BF", zone=ZoneFactory(slug="bell-foundry"))


def _bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user, actor=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def member(group):
    return _bearer(ZoneMembershipFactory(zone=group.zone).user)


@pytest.fixture
def staff(db):
    return _bearer(UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]))


def _days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def test_meetings_show_published_minutes_to_everyone_and_drafts_to_members(
    group, member, live_server
):
    MemberFactory(group=group, name="Jo Private", agreed_to_be_named=False)
    MeetingFactory(
        group=group,
        starts=datetime.datetime(2025, 5, 6, 18, tzinfo=LONDON),
        place="Bell Foundry hub",
        minutes="<p>Jo Private agreed to chase the lights.</p>",
        minutes_status=Meeting.MinutesStatus.PUBLISHED,
    )
    MeetingFactory(
        group=group,
        starts=datetime.datetime(2025, 6, 3, 18, tzinfo=LONDON),
        link="https://meet.example/abc",
        minutes="<p>Draft words</p>",
    )
    url = f"{live_server.url}/api/v1/zones/bell-foundry/meetings"

    public = http_request(url)
    members = http_request(url, headers=member)

    assert public.status == 200
    assert [(m["minutes_status"], m["minutes"]) for m in public.json()] == [
        ("draft", None),
        ("published", "<p>a resident agreed to chase the lights.</p>"),
    ]
    assert public.json()[0]["link"] == "https://meet.example/abc"
    assert public.json()[1]["place"] == "Bell Foundry hub"
    assert public.json()[1]["starts"].startswith("2025-05-06T")
    assert members.json()[0]["minutes"] == "<p>Draft words</p>"


def test_meetings_of_a_zone_without_a_group_are_a_404(live_server, db):
    ZoneFactory(slug="no-group")

    assert http_request(f"{live_server.url}/api/v1/zones/no-group/meetings").status == 404
    assert http_request(f"{live_server.url}/api/v1/zones/nowhere/meetings").status == 404


def test_action_log_is_404_without_a_members_token(group, live_server):
    ActionFactory(group=group)
    url = f"{live_server.url}/api/v1/zones/bell-foundry/actions"

    assert http_request(url).status == 404
    assert http_request(url, headers=_bearer(UserFactory())).status == 404
    assert http_request(url, headers={"Authorization": "Bearer pz_wrong"}).status == 401


def test_action_log_gives_rag_and_overdue_to_members(group, member, live_server):
    theme = ThemeFactory(zone=group.zone, title="Safer streets")
    ActionFactory(group=group, number=1, due=_days(-1), theme=theme)
    ActionFactory(group=group, number=2, due=_days(2))
    ActionFactory(group=group, number=3, due=_days(40))
    ActionFactory(group=group, number=4, due=_days(-5), status=Action.Status.DONE)

    result = http_request(f"{live_server.url}/api/v1/zones/bell-foundry/actions", headers=member)

    assert result.status == 200
    items = {item["reference"]: item for item in result.json()}
    assert [(r, items[r]["rag"], items[r]["overdue"]) for r in sorted(items)] == [
        ("BF-001", "red", True),
        ("BF-002", "amber", False),
        ("BF-003", "green", False),
        ("BF-004", None, False),
    ]
    first = items["BF-001"]
    assert first["theme"] == "Safer streets"
    assert first["owner"] == "Charnwood Borough Council"
    assert first["due"] == _days(-1).isoformat()
    assert first["status"] == "open"
    assert first["url"].endswith(f"/actions/{first['id']}/")


def test_action_log_filters(group, staff, live_server):
    theme = ThemeFactory(zone=group.zone, title="Safer streets")
    ActionFactory(group=group, number=1, due=_days(-1), owner_text="Fire service")
    ActionFactory(group=group, number=2, theme=theme, owner_text="Council")
    ActionFactory(group=group, number=3, status=Action.Status.IN_PROGRESS, owner_text="Council")
    url = f"{live_server.url}/api/v1/zones/bell-foundry/actions"

    def refs(query: str) -> list[str]:
        result = http_request(f"{url}?{query}", headers=staff)
        assert result.status == 200, result.body
        return [item["reference"] for item in result.json()]

    assert refs("status=in_progress") == ["BF-003"]
    assert refs("owner=council") == ["BF-003", "BF-002"]
    assert refs("theme=safer%20streets") == ["BF-002"]
    assert refs("overdue=true") == ["BF-001"]


def test_action_log_explains_bad_filters(group, staff, live_server):
    url = f"{live_server.url}/api/v1/zones/bell-foundry/actions"

    bad_theme = http_request(f"{url}?theme=Nope", headers=staff)
    bad_status = http_request(f"{url}?status=finished", headers=staff)

    assert bad_theme.status == 400
    assert "no theme called “Nope”" in bad_theme.json()["detail"]
    assert bad_status.status == 422


def test_members_add_an_action_with_a_token(group, member, live_server):
    meeting = MeetingFactory(group=group)
    owner = MemberFactory(group=group, name="Asha Patel")
    ThemeFactory(zone=group.zone, title="Safer streets")

    result = http_request(
        f"{live_server.url}/api/v1/zones/bell-foundry/actions",
        method="POST",
        headers=member,
        data={
            "description": "Book the hall",
            "owner_member": owner.pk,
            "theme": "Safer streets",
            "raised_at": meeting.pk,
            "due": _days(3).isoformat(),
        },
    )

    assert result.status == 201, result.body
    body = result.json()
    assert (body["reference"], body["owner"], body["rag"]) == ("BF-001", "Asha Patel", "amber")
    action = Action.objects.get()
    assert (action.owner_member, action.raised_at, action.due) == (owner, meeting, _days(3))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": " "}, "Say what needs doing."),
        ({"description": "x", "due": "2025-06-01", "raised_at": "MEETING"}, "before the meeting"),
        ({"description": "x", "owner_member": "STRANGER"}, "not a current member"),
        ({"description": "x", "raised_at": "OTHER_MEETING"}, "not a meeting of this group"),
        ({"description": "x", "theme": "Nope"}, "no theme called"),
        ({"description": "x", "owner_member": "OWNER", "owner": "Council"}, "not both"),
    ],
)
def test_bad_actions_are_refused_with_a_clear_400(group, member, live_server, data, message):
    lookups = {
        "MEETING": MeetingFactory(
            group=group, starts=datetime.datetime(2025, 6, 10, 18, tzinfo=LONDON)
        ).pk,
        "STRANGER": MemberFactory(group=SteeringGroupFactory()).pk,
        "OTHER_MEETING": MeetingFactory(group=SteeringGroupFactory()).pk,
        "OWNER": MemberFactory(group=group).pk,
    }
    data = {key: lookups.get(value, value) for key, value in data.items()}

    result = http_request(
        f"{live_server.url}/api/v1/zones/bell-foundry/actions",
        method="POST",
        headers=member,
        data=data,
    )

    assert result.status == 400, result.body
    assert message in result.json()["detail"]
    assert not Action.objects.exists()


def test_a_bad_date_is_a_422(group, member, live_server):
    result = http_request(
        f"{live_server.url}/api/v1/zones/bell-foundry/actions",
        method="POST",
        headers=member,
        data={"description": "x", "due": "31/02/2026"},
    )

    assert result.status == 422
    assert not Action.objects.exists()


def test_adding_an_action_needs_a_token_and_the_right_people(group, live_server):
    url = f"{live_server.url}/api/v1/zones/bell-foundry/actions"
    commissioner = _bearer(UserFactory(roles=[ProgrammeRole.COMMISSIONER]))

    anonymous = http_request(url, method="POST", data={"description": "x"})
    outsider = http_request(
        url, method="POST", headers=_bearer(UserFactory()), data={"description": "x"}
    )
    reader = http_request(url, method="POST", headers=commissioner, data={"description": "x"})

    assert (anonymous.status, outsider.status, reader.status) == (401, 404, 403)
    assert not Action.objects.exists()


def test_patch_adds_an_update_and_closes_an_action(group, member, live_server):
    action = ActionFactory(group=group, due=_days(-2))
    url = f"{live_server.url}/api/v1/actions/{action.pk}"

    moved = http_request(
        url, method="PATCH", headers=member, data={"text": "New date", "due": _days(9).isoformat()}
    )
    closed = http_request(url, method="PATCH", headers=member, data={"status": "done"})

    assert moved.status == 200, moved.body
    assert (moved.json()["rag"], moved.json()["overdue"]) == ("green", False)
    assert closed.status == 200
    assert (closed.json()["status"], closed.json()["rag"]) == ("done", None)
    action.refresh_from_db()
    assert action.closed_at is not None
    assert action.updates.count() == 2


def test_patch_refuses_nothing_to_say_and_strangers(group, member, live_server):
    action = ActionFactory(group=group)
    url = f"{live_server.url}/api/v1/actions/{action.pk}"

    empty = http_request(url, method="PATCH", headers=member, data={"text": " "})
    stranger = http_request(
        url, method="PATCH", headers=_bearer(UserFactory()), data={"status": "done"}
    )
    bad_status = http_request(url, method="PATCH", headers=member, data={"status": "finished"})

    assert empty.status == 400
    assert "Write an update" in empty.json()["detail"]
    assert stranger.status == 404
    assert bad_status.status == 422
    action.refresh_from_db()
    assert action.status == "open"


def test_initiatives_are_public_without_participants(group, live_server):
    theme = ThemeFactory(zone=group.zone, title="Young people")
    initiative = InitiativeFactory(
        title="Mini Police", kind=Initiative.Kind.MINI_POLICE, zones=[group.zone]
    )
    initiative.themes.set([theme])
    initiative.outputs.create(label="pupils", value=Decimal("90"), unit="people")
    Milestone.objects.create(
        initiative=initiative, title="First cohort", due=datetime.date(2025, 9, 1)
    )
    Participant.objects.create(initiative=initiative, name="Secret Child", email="kid@example.org")
    InitiativeFactory(title="Elsewhere", zones=[ZoneFactory()])

    everything = http_request(f"{live_server.url}/api/v1/initiatives")
    in_zone = http_request(f"{live_server.url}/api/v1/initiatives?zone=bell-foundry")

    assert everything.status == 200
    assert len(everything.json()) == 2
    [item] = in_zone.json()
    assert item["title"] == "Mini Police"
    assert item["kind"] == "mini_police"
    assert item["zones"] == ["bell-foundry"]
    assert item["themes"] == ["Young people"]
    assert item["outputs"] == [{"label": "pupils", "value": 90.0, "unit": "people", "as_of": None}]
    assert item["milestones"] == [{"title": "First cohort", "due": "2025-09-01", "done_on": None}]
    assert b"Secret Child" not in in_zone.body
    assert b"kid@example.org" not in in_zone.body
    assert http_request(f"{live_server.url}/api/v1/initiatives?zone=nowhere").status == 400


def test_the_programme_team_records_an_initiative(group, staff, live_server):
    ThemeFactory(zone=group.zone, title="Young people")

    result = http_request(
        f"{live_server.url}/api/v1/initiatives",
        method="POST",
        headers=staff,
        data={
            "title": "Leadership cohort 2",
            "slug": "leadership-2",
            "kind": "leadership",
            "status": "planned",
            "zones": ["bell-foundry"],
            "themes": ["Young people"],
            "starts": "2025-09-01",
            "ends": "2026-03-31",
        },
    )

    assert result.status == 201, result.body
    assert result.json()["zones"] == ["bell-foundry"]
    assert Initiative.objects.get().themes.get().title == "Young people"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"ends": "2025-01-01"}, 400, "cannot end before it starts"),
        ({"zones": ["nowhere"]}, 400, "no zone called “nowhere”"),
        ({"themes": ["Nope"]}, 400, "theme called “Nope”"),
        ({"kind": "party"}, 422, ""),
        ({"zones": []}, 422, ""),
    ],
)
def test_bad_initiatives_are_refused(group, staff, live_server, change, status, message):
    data = {
        "title": "Cohort",
        "slug": "cohort",
        "kind": "leadership",
        "status": "planned",
        "zones": ["bell-foundry"],
        "starts": "2025-09-01",
        **change,
    }

    result = http_request(
        f"{live_server.url}/api/v1/initiatives", method="POST", headers=staff, data=data
    )

    assert result.status == status, result.body
    assert message in (result.json().get("detail") if status == 400 else "")
    assert not Initiative.objects.exists()


def test_only_the_programme_team_records_initiatives(group, member, live_server):
    data = {"title": "x", "slug": "x", "kind": "event", "status": "idea", "zones": ["nowhere"]}

    result = http_request(
        f"{live_server.url}/api/v1/initiatives", method="POST", headers=member, data=data
    )

    assert result.status == 403
    assert not Initiative.objects.exists()


def test_action_log_query_count_does_not_grow(group, django_assert_max_num_queries):
    user = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])
    _token, raw = api_token_create(user=user, actor=user, name="test")
    theme = ThemeFactory(zone=group.zone)
    meeting = MeetingFactory(group=group)
    owner = MemberFactory(group=group)
    for number in range(1, 31):
        ActionFactory(
            group=group, number=number, theme=theme, raised_at=meeting, owner_member=owner
        )

    with django_assert_max_num_queries(8):
        response = Client().get(
            "/api/v1/zones/bell-foundry/actions", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    assert response.status_code == 200
    assert len(response.json()) == 30


def test_initiatives_and_meetings_query_counts_do_not_grow(group, django_assert_max_num_queries):
    for _ in range(10):
        initiative = InitiativeFactory(zones=[group.zone])
        initiative.outputs.create(label="hours", value=Decimal(5))
        MeetingFactory(group=group, minutes_status=Meeting.MinutesStatus.PUBLISHED, minutes="x")
    MemberFactory(group=group)

    with django_assert_max_num_queries(8):
        assert Client().get("/api/v1/initiatives").status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get("/api/v1/zones/bell-foundry/meetings").status_code == 200


def test_openapi_documents_the_steering_group_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()

    paths = document["paths"]
    for path, method in [
        ("/api/v1/zones/{slug}/meetings", "get"),
        ("/api/v1/zones/{slug}/actions", "get"),
        ("/api/v1/zones/{slug}/actions", "post"),
        ("/api/v1/actions/{action_id}", "patch"),
        ("/api/v1/initiatives", "get"),
        ("/api/v1/initiatives", "post"),
    ]:
        assert paths[path][method]["summary"]
    assert {"ActionOut", "ActionIn", "MeetingOut", "InitiativeOut"} <= set(
        document["components"]["schemas"]
    )
