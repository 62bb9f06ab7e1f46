import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from peoplezones.core.models import AuditEvent
from peoplezones.governance.models import Initiative, Milestone, Output, Participant
from peoplezones.governance.tests.factories import InitiativeFactory
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


@pytest.fixture
def initiative(zone):
    initiative = InitiativeFactory(
        title="Wellbeing garden",
        slug="wellbeing-garden",
        kind=Initiative.Kind.PAYBACK,
        status=Initiative.Status.COMPLETED,
        partners="Probation Service; allotment society",
        description="Overgrown land at the hub became a garden.",
        starts=datetime.date(2023, 3, 1),
        zones=[zone],
    )
    initiative.themes.set([ThemeFactory(zone=zone, title="Pride of Place")])
    Output.objects.create(
        initiative=initiative, label="of unpaid work", value=Decimal("1700"), unit="hours"
    )
    Milestone.objects.create(initiative=initiative, title="Beds planted")
    return initiative


def _url(initiative) -> str:
    return reverse("governance:initiative-detail", kwargs={"slug": initiative.slug})


def test_initiative_list_filters_by_zone_and_kind(client, initiative, zone):
    other_zone = ZoneFactory(name="Elsewhere")
    InitiativeFactory(title="Mini Police pilot", kind=Initiative.Kind.MINI_POLICE, zones=[zone])
    InitiativeFactory(title="Far away fair", zones=[other_zone])
    url = reverse("governance:initiative-list")

    everything = client.get(url).content.decode()
    in_zone = client.get(url, {"zone": zone.slug}).content.decode()
    payback = client.get(url, {"zone": zone.slug, "kind": "payback"}).content.decode()

    assert all(t in everything for t in ("Wellbeing garden", "Mini Police pilot", "Far away fair"))
    assert "Far away fair" not in in_zone
    assert "Mini Police pilot" in in_zone
    assert "Wellbeing garden" in payback
    assert "Mini Police pilot" not in payback
    assert "1,700 hours" in payback


def test_initiative_list_rejects_an_unknown_filter_clearly(client, initiative):
    response = client.get(reverse("governance:initiative-list"), {"kind": "nonsense"})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_initiative_list_query_count_is_bounded(client, zone, django_assert_max_num_queries):
    for number in range(8):
        initiative = InitiativeFactory(zones=[zone, ZoneFactory()])
        Output.objects.create(initiative=initiative, label=f"count {number}", value=number)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("governance:initiative-list"))

    assert response.status_code == 200


def test_initiative_detail_shows_the_initiative_to_everyone(client, initiative, zone):
    response = client.get(_url(initiative))

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Wellbeing garden",
        "Community Payback project",
        "Completed",
        "Probation Service; allotment society",
        "Overgrown land at the hub became a garden.",
        zone.name,
        "1 March 2023",
        "Pride of Place",
        "Beds planted",
        "1,700 hours",
    ):
        assert text in html, text
    assert "Record an output" not in html
    assert "Add a milestone" not in html


def test_initiative_detail_is_not_found_for_an_unknown_slug(client, db):
    assert client.get("/initiatives/no-such-thing/").status_code == 404


def test_initiative_detail_shows_only_counts_for_a_leadership_cohort(client, zone):
    cohort = InitiativeFactory(kind=Initiative.Kind.LEADERSHIP, zones=[zone])
    Participant.objects.create(
        initiative=cohort,
        name="Private Person",
        email="private.person@example.net",
        completed=True,
        joined_leaders_network=True,
    )
    Participant.objects.create(initiative=cohort, name="Another Private", completed=True)
    Participant.objects.create(initiative=cohort, name="Third Private")

    html = client.get(_url(cohort)).content.decode()

    value = '</dt><dd class="govuk-summary-list__value">'
    assert f"Participants{value}3</dd>" in html
    assert f"Completed the programme{value}2</dd>" in html
    assert f"Joined the community leaders network{value}1</dd>" in html
    for private in ("Private Person", "Another Private", "Third Private", "private.person@"):
        assert private not in html


def test_initiative_detail_forms_are_for_the_programme_team_only(client, initiative, user):
    client.force_login(user)

    assert "Record an output" not in client.get(_url(initiative)).content.decode()
    response = client.post(
        _url(initiative), {"form": "output", "output-label": "sessions", "output-value": "3"}
    )

    assert response.status_code == 403
    assert not initiative.outputs.filter(label="sessions").exists()


def test_initiative_detail_lets_the_programme_team_add_a_milestone(
    client, initiative, programme_team_user
):
    client.force_login(programme_team_user)

    response = client.post(
        _url(initiative),
        {"form": "milestone", "milestone-title": "Open day", "milestone-due": "2025-09-10"},
    )

    assert response.status_code == 302
    milestone = initiative.milestones.get(title="Open day")
    assert milestone.due == datetime.date(2025, 9, 10)
    assert "Open day" in client.get(_url(initiative)).content.decode()


def test_initiative_detail_sets_an_output_with_thousands_typed(
    client, initiative, programme_team_user
):
    client.force_login(programme_team_user)

    response = client.post(
        _url(initiative),
        {
            "form": "output",
            "output-label": "of unpaid work",
            "output-value": "2,450",
            "output-unit": "hours",
            "output-as_of": "2023-07-26",
        },
    )

    assert response.status_code == 302
    output = initiative.outputs.get(label="of unpaid work")
    assert (output.value, output.as_of) == (Decimal("2450"), datetime.date(2023, 7, 26))
    assert initiative.outputs.count() == 1
    assert AuditEvent.objects.filter(verb="initiative.output").count() == 1
    assert "2,450 hours" in client.get(_url(initiative)).content.decode()


def test_initiative_detail_refuses_a_negative_output_and_keeps_what_was_typed(
    client, initiative, programme_team_user
):
    client.force_login(programme_team_user)

    response = client.post(
        _url(initiative),
        {
            "form": "output",
            "output-label": "pupils taking part",
            "output-value": "-5",
            "output-unit": "pupils",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "The number cannot be negative." in html
    for typed in ('value="pupils taking part"', 'value="-5"', 'value="pupils"'):
        assert typed in html
    assert not initiative.outputs.filter(label="pupils taking part").exists()


def test_initiative_detail_refuses_an_empty_label_or_milestone(
    client, initiative, programme_team_user
):
    client.force_login(programme_team_user)

    output = client.post(
        _url(initiative), {"form": "output", "output-label": "  ", "output-value": "12"}
    )
    milestone = client.post(
        _url(initiative), {"form": "milestone", "milestone-title": "", "milestone-due": "31/02"}
    )

    assert output.status_code == 400
    assert "Say what was counted." in output.content.decode()
    assert 'value="12"' in output.content.decode()
    assert milestone.status_code == 400
    assert "Say what the milestone is." in milestone.content.decode()
    assert "Enter a real date" in milestone.content.decode()
    assert initiative.outputs.count() == 1
    assert initiative.milestones.count() == 1
