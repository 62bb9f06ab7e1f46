"""Staff grant pages through HTTP: who may open them, round set-up (London times across clock
changes, money, criteria), screening buttons, conflicts and scores, the ranking's query bound,
decisions one by one and in a batch, and monitoring."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.finance.models import Commitment
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.grants import services
from peoplezones.grants.models import (
    Application,
    Award,
    ConflictDeclaration,
    Criterion,
    GrantRound,
    Message,
    MonitoringReturn,
    Review,
)
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    FundFactory,
    GrantRoundFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory

pytestmark = pytest.mark.django_db
S = Application.Status
UTC = datetime.UTC

ROLES = {
    "applicant": [],
    "assessor": [ProgrammeRole.ASSESSOR],
    "programme team": [ProgrammeRole.PROGRAMME_TEAM],
    "commissioner": [ProgrammeRole.COMMISSIONER],
    "finance": [ProgrammeRole.FINANCE],
}
STAFF = {"programme team", "commissioner", "finance"}
EVERYONE = STAFF | {"assessor"}


def _user(role):
    return UserFactory(roles=ROLES[role])


def _text(response):
    """The page's words without tags, whitespace collapsed."""
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(words.split())


@pytest.fixture
def scored_round():
    # Whole minutes, as the set-up form types them.
    now = timezone.now().replace(second=0, microsecond=0)
    grant_round = GrantRoundFactory(
        name="People Zone Grants 2023/24 - Round 1",
        slug="r1",
        opens_at=now - datetime.timedelta(days=7),
        closes_at=now + datetime.timedelta(days=21),
    )
    need = CriterionFactory(
        round=grant_round,
        title="Meets a research theme",
        weight=3,
        descriptors=["None", "Barely", "Partly", "Mostly", "Clearly", "Exactly the need"],
    )
    delivery = CriterionFactory(round=grant_round, title="Can deliver it", weight=1)
    return grant_round, need, delivery


@pytest.fixture
def application(scored_round):
    return ApplicationFactory(
        round=scored_round[0], status=S.ASSESSMENT, applicant=UserFactory(), reference="PZ-1"
    )


def _pages(grant_round, application):
    slug = grant_round.slug
    return {
        "home": reverse("grants:staff-home"),
        "new": reverse("grants:staff-round-new"),
        "edit": reverse("grants:staff-round-edit", kwargs={"slug": slug}),
        "screening": reverse("grants:staff-round", kwargs={"slug": slug}),
        "application": reverse(
            "grants:staff-application", kwargs={"reference": application.reference}
        ),
        "ranking": reverse("grants:staff-ranking", kwargs={"slug": slug}),
        "decisions": reverse("grants:staff-decisions", kwargs={"slug": slug}),
        "monitoring": reverse("grants:staff-monitoring"),
    }


# page -> the roles that may open it
WHO_SEES = {
    "home": EVERYONE,
    "new": {"programme team"},
    "edit": {"programme team"},
    "screening": EVERYONE,
    "application": EVERYONE,
    "ranking": STAFF,
    "decisions": {"commissioner"},
    "monitoring": STAFF,
}


def test_staff_pages_send_anonymous_people_to_sign_in(client, scored_round, application):
    for name, url in _pages(scored_round[0], application).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_staff_page_opens_only_for_its_roles(client, scored_round, application, role):
    client.force_login(_user(role))
    for name, url in _pages(scored_round[0], application).items():
        response = client.get(url)
        expected = 200 if role in WHO_SEES[name] else 403
        assert response.status_code == expected, (name, role)
        if expected == 403:
            assert "You cannot see this page" in response.content.decode()


def test_the_applicant_cannot_use_the_staff_buttons_on_their_own_application(client, application):
    client.force_login(application.applicant)
    url = reverse("grants:staff-application-move", kwargs={"reference": application.reference})
    assert client.post(url, {"action": "recommend"}).status_code == 403
    application.refresh_from_db()
    assert application.status == S.ASSESSMENT


def test_staff_home_counts_applications_by_status(client, scored_round, programme_team_user):
    grant_round = scored_round[0]
    for status in [S.SUBMITTED, S.SUBMITTED, S.ASSESSMENT]:
        ApplicationFactory(round=grant_round, status=status)
    client.force_login(programme_team_user)
    text = _text(client.get(reverse("grants:staff-home")))
    assert "People Zone Grants 2023/24 - Round 1" in text
    assert "Submitted: 2" in text
    assert "Being assessed: 1" in text
    assert "All: 3" in text


# Round set-up --------------------------------------------------------------------------------


@pytest.fixture
def set_up_data():
    zone = ZoneFactory(name="New Parks", slug="new-parks")
    ThemeFactory(zone=zone, title="Community Safety")
    ThemeFactory(zone=zone, title="Pride of Place")
    fund = FundFactory()
    year = BudgetYearFactory(start_year=2023)
    line = BudgetLineFactory(year=year, title="Grant funding")
    data = {
        "fund": fund.pk,
        "name": "People Zone Grants 2023/24 - Spring",
        "zones": [zone.pk],
        "opens_on": "2024-03-04",
        "opens_time": "09:00",
        "closes_on": "2024-04-08",
        "closes_time": "17:00",
        "minimum_award": "£500",
        "maximum_award": "£10,000.00",
        "eligibility_questions": "We are not-for-profit.\n\n  We work in the zone.  ",
        "guidance": "Tell us about it.",
        "budget_year": year.pk,
        "budget_line": line.pk,
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-title": "Meets the need",
        "criteria-0-weight": "3",
        "criteria-0-descriptor_0": "Not at all",
        "criteria-0-descriptor_5": "Exactly",
        "criteria-1-title": "",
        "criteria-1-weight": "1",
    }
    return zone, line, data


def test_the_form_starts_with_09_00_17_00_and_10_000(client, programme_team_user, set_up_data):
    client.force_login(programme_team_user)
    html = client.get(reverse("grants:staff-round-new")).content.decode()
    assert 'value="09:00"' in html
    assert 'value="17:00"' in html
    assert 'value="£10,000.00"' in html


def test_setting_up_a_round_converts_london_times_across_the_clock_change(
    client, programme_team_user, set_up_data
):
    _zone, line, data = set_up_data
    client.force_login(programme_team_user)

    response = client.post(reverse("grants:staff-round-new"), data)

    assert response.status_code == 302
    grant_round = GrantRound.objects.get(name="People Zone Grants 2023/24 - Spring")
    assert response["Location"] == reverse("grants:staff-round", kwargs={"slug": grant_round.slug})
    # 4 March is GMT (UTC+0); 8 April is BST (UTC+1), so 17:00 there is 16:00 UTC.
    assert grant_round.opens_at == datetime.datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    assert grant_round.closes_at == datetime.datetime(2024, 4, 8, 16, 0, tzinfo=UTC)
    assert grant_round.minimum_award == Decimal("500.00")
    assert grant_round.maximum_award == Decimal("10000.00")
    assert grant_round.eligibility_questions == ["We are not-for-profit.", "We work in the zone."]
    assert grant_round.budget_line == line
    # No theme ticked: every research theme of the zone.
    assert {t.title for t in grant_round.themes.all()} == {"Community Safety", "Pride of Place"}
    criterion = Criterion.objects.get(round=grant_round)
    assert (criterion.title, criterion.weight) == ("Meets the need", 3)
    assert criterion.descriptors == ["Not at all", "", "", "", "", "Exactly"]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"grants.round_created", "grants.criterion_added"} <= verbs


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        (
            {"maximum_award": "ten thousand"},
            "id_maximum_award",
            "“ten thousand” is not an amount of money",
        ),
        ({"minimum_award": "-5"}, "id_minimum_award", "“-5” is a negative amount"),
        (
            {"maximum_award": "£10,000.001"},
            "id_maximum_award",
            "has more than two decimal places",
        ),
        (
            {"closes_on": "2024-03-01"},
            "id_closes_on",
            "The round must close after it opens (it opens at 09:00 on 4 March 2024).",
        ),
        (
            {"opens_on": "2024-03-31", "opens_time": "01:30"},
            "id_opens_time",
            "01:30 on 31 March 2024 does not exist in UK time: the clocks go forward",
        ),
        (
            {"closes_on": "2024-10-27", "closes_time": "01:30"},
            "id_closes_time",
            "01:30 on 27 October 2024 happens twice in UK time: the clocks go back",
        ),
        ({"closes_time": "5pm-ish"}, "id_closes_time", "Enter a time on the 24-hour clock"),
        ({"zones": []}, "id_zones_0", "Choose at least one zone that may apply."),
        (
            {"minimum_award": "£6,000", "maximum_award": "£5,000"},
            "id_maximum_award",
            "The largest grant (£5,000.00) cannot be smaller than the smallest (£6,000.00).",
        ),
        (
            {"criteria-0-weight": "0"},
            "id_criteria-0-weight",
            "Criterion 1: The weight must be from 1 to 100.",
        ),
    ],
)
def test_bad_set_up_is_refused_clearly_and_keeps_what_was_typed(
    client, programme_team_user, set_up_data, changes, field_id, message
):
    _zone, _line, data = set_up_data
    client.force_login(programme_team_user)

    response = client.post(reverse("grants:staff-round-new"), {**data, **changes})

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in _text(response)
    assert f'href="#{field_id}"' in html
    # What was typed is still there.
    assert 'value="People Zone Grants 2023/24 - Spring"' in html
    for value in changes.values():
        if isinstance(value, str):
            assert f'value="{value}"' in html
    assert not GrantRound.objects.exists()
    assert not Criterion.objects.exists()


def test_a_criterion_the_service_refuses_saves_nothing(client, programme_team_user, set_up_data):
    _zone, _line, data = set_up_data
    client.force_login(programme_team_user)
    data = {**data, "criteria-1-title": "meets the NEED", "criteria-1-weight": "2"}

    response = client.post(reverse("grants:staff-round-new"), data)

    assert response.status_code == 400
    assert "There are two criteria called “meets the NEED”." in _text(response)
    assert not GrantRound.objects.exists()


def _edit_data(grant_round, **changes):
    from peoplezones.grants.forms_staff import CriterionForm, RoundForm

    initial = RoundForm.initial_for(grant_round)
    data = {
        key: (value if not isinstance(value, Decimal) else str(value) if value is not None else "")
        for key, value in initial.items()
    }
    data["budget_line"] = data["budget_line"] or ""
    criteria = [CriterionForm.initial_for(c) for c in grant_round.criteria.all()]
    data.update(
        {
            "criteria-TOTAL_FORMS": str(len(criteria) + 1),
            "criteria-INITIAL_FORMS": str(len(criteria)),
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
        }
    )
    for index, criterion in enumerate(criteria):
        for key, value in criterion.items():
            data[f"criteria-{index}-{key}"] = value
    data[f"criteria-{len(criteria)}-weight"] = "1"
    data.update(changes)
    return data


def test_editing_a_round_records_each_change(client, programme_team_user, scored_round):
    grant_round, _need, _delivery = scored_round
    client.force_login(programme_team_user)
    url = reverse("grants:staff-round-edit", kwargs={"slug": grant_round.slug})
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        _edit_data(
            grant_round,
            maximum_award="£8,000",
            guidance="New guidance.",
            **{"criteria-0-weight": "4", "criteria-1-DELETE": "on"},
        ),
    )

    assert response.status_code == 302, _text(response)
    grant_round.refresh_from_db()
    assert grant_round.maximum_award == Decimal("8000.00")
    assert grant_round.guidance == "New guidance."
    assert list(grant_round.criteria.values_list("title", "weight")) == [
        ("Meets a research theme", 4)
    ]
    changed = AuditEvent.objects.filter(verb="grants.round_changed")
    assert sorted(e.data["field"] for e in changed) == ["guidance", "maximum_award"]
    maximum = changed.get(data__field="maximum_award")
    assert (maximum.data["from"], maximum.data["to"]) == ("10000.00", "8000.00")
    assert AuditEvent.objects.filter(verb="grants.criterion_changed").count() == 1
    assert AuditEvent.objects.filter(verb="grants.criterion_removed").count() == 1


def test_criteria_cannot_be_reweighted_once_scored(client, programme_team_user, scored_round):
    grant_round, need, delivery = scored_round
    application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
    assessor = _user("assessor")
    services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
    services.score(application=application, assessor=assessor, scores={need.pk: 4, delivery.pk: 2})
    client.force_login(programme_team_user)

    response = client.post(
        reverse("grants:staff-round-edit", kwargs={"slug": grant_round.slug}),
        _edit_data(grant_round, guidance="Changed", **{"criteria-0-weight": "9"}),
    )

    assert response.status_code == 400
    assert "cannot be added or re-weighted" in _text(response)
    grant_round.refresh_from_db()
    need.refresh_from_db()
    assert need.weight == 3
    assert grant_round.guidance != "Changed"
    assert not AuditEvent.objects.filter(verb="grants.round_changed").exists()


def test_a_zone_with_applications_stays_on_the_round(client, programme_team_user, scored_round):
    grant_round = scored_round[0]
    ApplicationFactory(round=grant_round)
    other = ZoneFactory()
    client.force_login(programme_team_user)

    response = client.post(
        reverse("grants:staff-round-edit", kwargs={"slug": grant_round.slug}),
        _edit_data(grant_round, zones=[other.pk], themes=[]),
    )

    assert response.status_code == 400
    assert "cannot be taken off the round: it has applications" in _text(response)
    assert list(grant_round.zones.all()) != [other]


# Screening -----------------------------------------------------------------------------------


def test_screening_filters_by_status(client, scored_round, programme_team_user):
    grant_round = scored_round[0]
    ApplicationFactory(round=grant_round, status=S.SUBMITTED, project_name="Youth club")
    ApplicationFactory(round=grant_round, status=S.ASSESSMENT, project_name="Garden")
    client.force_login(programme_team_user)
    url = reverse("grants:staff-round", kwargs={"slug": grant_round.slug})

    text = _text(client.get(url, {"status": S.SUBMITTED}))
    assert "Youth club" in text
    assert "Garden" not in text
    assert "Youth club" in _text(client.get(url))
    assert "Garden" in _text(client.get(url))
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_private_contacts_show_to_staff_but_not_to_assessors(client, application):
    url = reverse("grants:staff-application", kwargs={"reference": application.reference})
    client.force_login(_user("programme team"))
    text = _text(client.get(url))
    assert "Private Contact Person" in text
    assert "private.contact@example.org" in text
    assert "07700 900123" in text
    assert "Weekly youth club with trips and workshops." in text
    assert "Venue hire" in text
    assert "£4,800.00" in text

    client.force_login(_user("assessor"))
    text = _text(client.get(url))
    assert "Weekly youth club with trips and workshops." in text
    for private in ("Private Contact Person", "private.contact@example.org", "07700 900123"):
        assert private not in text


def test_assessors_do_not_see_drafts(client, scored_round):
    draft = ApplicationFactory(round=scored_round[0], status=S.DRAFT)
    client.force_login(_user("assessor"))
    url = reverse("grants:staff-application", kwargs={"reference": draft.reference})
    assert client.get(url).status_code == 404


# start status, action, reason, end status
BUTTONS = [
    (S.SUBMITTED, "eligible", "", S.ASSESSMENT),
    (S.SUBMITTED, "ineligible", "Not in the zone.", S.INELIGIBLE),
    (S.SUBMITTED, "request_information", "Send your safeguarding policy.", S.MORE_INFORMATION),
    (S.ASSESSMENT, "request_information", "How many sessions?", S.MORE_INFORMATION),
    (S.ASSESSMENT, "recommend", "", S.RECOMMENDED),
    (S.ASSESSMENT, "not_recommend", "Does not meet a theme.", S.NOT_RECOMMENDED),
    (S.RECOMMENDED, "reassess", "", S.ASSESSMENT),
    (S.NOT_RECOMMENDED, "reassess", "", S.ASSESSMENT),
]


@pytest.mark.parametrize(("start", "action", "reason", "end"), BUTTONS)
def test_each_workflow_button(
    client, scored_round, programme_team_user, start, action, reason, end
):
    application = ApplicationFactory(round=scored_round[0], status=start)
    client.force_login(programme_team_user)
    page = reverse("grants:staff-application", kwargs={"reference": application.reference})
    assert f'name="action" value="{action}"' in client.get(page).content.decode()

    response = client.post(
        reverse("grants:staff-application-move", kwargs={"reference": application.reference}),
        {"action": action, "reason": reason},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == end
    assert AuditEvent.objects.filter(verb=f"grants.application_{action}").count() == 1
    if reason:
        assert Message.objects.get(application=application).body == reason
        assert reason in _text(client.get(page))


@pytest.mark.parametrize("action", ["ineligible", "request_information", "not_recommend"])
def test_a_move_that_needs_a_reason_says_so(client, scored_round, programme_team_user, action):
    start = S.SUBMITTED if action == "ineligible" else S.ASSESSMENT
    application = ApplicationFactory(round=scored_round[0], status=start)
    client.force_login(programme_team_user)

    response = client.post(
        reverse("grants:staff-application-move", kwargs={"reference": application.reference}),
        {"action": action, "reason": "   "},
    )

    assert response.status_code == 400
    assert "Give a reason: the applicant will see it." in _text(response)
    assert f'href="#reason-{action}"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == start


def test_a_move_from_the_wrong_status_is_refused(client, scored_round, programme_team_user):
    application = ApplicationFactory(round=scored_round[0], status=S.SUBMITTED)
    client.force_login(programme_team_user)
    response = client.post(
        reverse("grants:staff-application-move", kwargs={"reference": application.reference}),
        {"action": "recommend"},
    )
    assert response.status_code == 400
    assert "cannot be moved that way" in _text(response)


def test_assessors_see_no_screening_buttons_and_cannot_press_them(client, application):
    client.force_login(_user("assessor"))
    page = reverse("grants:staff-application", kwargs={"reference": application.reference})
    assert 'name="action"' not in client.get(page).content.decode()
    response = client.post(
        reverse("grants:staff-application-move", kwargs={"reference": application.reference}),
        {"action": "recommend"},
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == S.ASSESSMENT


def test_staff_write_to_the_applicant(client, application, programme_team_user):
    client.force_login(programme_team_user)
    url = reverse("grants:staff-application-message", kwargs={"reference": application.reference})
    assert client.post(url, {"body": " "}).status_code == 400
    assert client.post(url, {"body": "When does the club meet?"}).status_code == 302
    message = Message.objects.get()
    assert message.from_staff
    assert message.body == "When does the club meet?"


# Assessment ----------------------------------------------------------------------------------


def _urls(application):
    kwargs = {"reference": application.reference}
    return (
        reverse("grants:staff-application", kwargs=kwargs),
        reverse("grants:staff-application-conflict", kwargs=kwargs),
        reverse("grants:staff-application-score", kwargs=kwargs),
    )


def test_an_assessor_declares_then_scores_with_descriptors(client, scored_round, application):
    _round, need, delivery = scored_round
    assessor = _user("assessor")
    client.force_login(assessor)
    page, conflict, score = _urls(application)

    html = client.get(page).content.decode()
    assert "Do you have a conflict of interest with this application?" in html
    assert f'name="criterion_{need.pk}"' not in html
    assert client.post(score, {f"criterion_{need.pk}": "4"}).status_code == 400
    assert client.post(conflict, {}).status_code == 400

    assert client.post(conflict, {"has_conflict": "no"}).status_code == 302
    text = _text(client.get(page))
    assert "5 – Exactly the need" in text
    assert "Meets a research theme (weight 3)" in text

    response = client.post(score, {f"criterion_{need.pk}": "4"})
    assert response.status_code == 400
    assert "Score “Can deliver it” from 0 to 5." in _text(response)
    assert (
        f'id="id_criterion_{need.pk}_4" name="criterion_{need.pk}" type="radio" value="4" checked'
        in response.content.decode()
    )

    response = client.post(
        score, {f"criterion_{need.pk}": "4", f"criterion_{delivery.pk}": "2", "comment": "Good."}
    )
    assert response.status_code == 302
    review = Review.objects.get(application=application, assessor=assessor)
    assert review.weighted_score == Decimal("3.5000")
    assert review.comment == "Good."
    assert "a weighted score of 3.50 out of 5" in _text(client.get(page))


def test_a_declared_conflict_hides_the_scores_and_bars_scoring(client, scored_round, application):
    _round, need, delivery = scored_round
    assessor = _user("assessor")
    client.force_login(assessor)
    page, conflict, score = _urls(application)

    response = client.post(conflict, {"has_conflict": "yes", "details": ""})
    assert response.status_code == 400
    assert "Say what the conflict of interest is." in _text(response)
    assert not ConflictDeclaration.objects.exists()

    assert (
        client.post(conflict, {"has_conflict": "yes", "details": "I am its treasurer."}).status_code
        == 302
    )
    html = client.get(page).content.decode()
    assert "so you cannot score this application" in html
    assert "I am its treasurer." in html
    assert f'name="criterion_{need.pk}"' not in html

    response = client.post(score, {f"criterion_{need.pk}": "5", f"criterion_{delivery.pk}": "5"})
    assert response.status_code == 403
    assert not Review.objects.exists()
    declaration = ConflictDeclaration.objects.get()
    assert declaration.has_conflict
    assert declaration.assessor == assessor


def test_staff_see_declared_conflicts(client, application):
    services.declare_conflict(
        application=application,
        assessor=_user("assessor"),
        has_conflict=True,
        details="Married to the chair.",
    )
    client.force_login(_user("commissioner"))
    text = _text(
        client.get(reverse("grants:staff-application", kwargs={"reference": application.reference}))
    )
    assert "Conflicts of interest declared" in text
    assert "Married to the chair." in text


def test_the_ranking_shows_the_figures(client, scored_round):
    grant_round, need, delivery = scored_round
    first = ApplicationFactory(round=grant_round, status=S.ASSESSMENT, project_name="Top")
    second = ApplicationFactory(round=grant_round, status=S.ASSESSMENT, project_name="Lower")
    for application, scores in [(first, [(5, 5), (3, 3)]), (second, [(1, 1)])]:
        for need_score, delivery_score in scores:
            assessor = _user("assessor")
            services.declare_conflict(
                application=application, assessor=assessor, has_conflict=False
            )
            services.score(
                application=application,
                assessor=assessor,
                scores={need.pk: need_score, delivery.pk: delivery_score},
            )
    services.declare_conflict(
        application=second, assessor=_user("assessor"), has_conflict=True, details="Related."
    )
    client.force_login(_user("commissioner"))

    response = client.get(reverse("grants:staff-ranking", kwargs={"slug": grant_round.slug}))

    text = _text(response)
    top = text.index("Top")
    assert top < text.index("Lower")
    # Top: mean 4.00, 2 reviews, lowest 3.00, highest 5.00, SD 1.00, no conflicts, £4,800.00
    assert "4.00 2 3.00 5.00 1.00 0 Being assessed £4,800.00" in text[top:]
    assert "1.00 1 1.00 1.00 0.00 1 Being assessed £4,800.00" in text


def test_the_ranking_filters_by_zone(client, scored_round):
    grant_round = scored_round[0]
    first = grant_round.zones.get()
    other = ZoneFactory(name="Bell Foundry", slug="bell-foundry")
    grant_round.zones.add(other)
    ApplicationFactory(round=grant_round, zone=first, status=S.ASSESSMENT, project_name="Northside")
    ApplicationFactory(round=grant_round, zone=other, status=S.ASSESSMENT, project_name="Southside")
    client.force_login(_user("programme team"))
    url = reverse("grants:staff-ranking", kwargs={"slug": grant_round.slug})

    text = _text(client.get(url, {"zone": "bell-foundry"}))
    assert "Southside" in text
    assert "Northside" not in text
    response = client.get(url, {"zone": "nowhere"})
    assert response.status_code == 400
    assert "Choose one of this round's zones." in _text(response)


def test_the_ranking_takes_a_bounded_number_of_queries(
    client, scored_round, django_assert_max_num_queries
):
    grant_round, need, delivery = scored_round
    assessors = [_user("assessor") for _ in range(3)]
    for number in range(30):
        application = ApplicationFactory(round=grant_round, status=S.ASSESSMENT)
        for index, assessor in enumerate(assessors):
            if number % 10 == 0 and index == 0:
                services.declare_conflict(
                    application=application, assessor=assessor, has_conflict=True, details="x"
                )
                continue
            services.declare_conflict(
                application=application, assessor=assessor, has_conflict=False
            )
            services.score(
                application=application,
                assessor=assessor,
                scores={need.pk: (number + index) % 6, delivery.pk: index},
            )
    client.force_login(_user("programme team"))
    url = reverse("grants:staff-ranking", kwargs={"slug": grant_round.slug})

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('href="/grants/staff/applications/') == 30


def test_a_long_ranking_is_paged_and_the_ranks_run_on(client, scored_round, monkeypatch):
    from peoplezones.grants.views import staff_decisions

    monkeypatch.setattr(staff_decisions, "RANKING_PAGE_SIZE", 2)
    grant_round, need, delivery = scored_round
    assessor = _user("assessor")
    for score in (5, 4, 3):
        application = ApplicationFactory(
            round=grant_round, status=S.ASSESSMENT, project_name=f"Scored {score}"
        )
        services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
        services.score(
            application=application, assessor=assessor, scores={need.pk: score, delivery.pk: score}
        )
    client.force_login(_user("programme team"))
    url = reverse("grants:staff-ranking", kwargs={"slug": grant_round.slug})

    first = _text(client.get(url))
    second = _text(client.get(url, {"page": "2"}))

    assert "Scored 5" in first
    assert "Scored 3" not in first
    assert "Applications 1 to 2 of 3." in first
    assert "3 PZ-" in second
    assert "Scored 3" in second
    assert "Applications 3 to 3 of 3." in second


# Decisions -----------------------------------------------------------------------------------


@pytest.fixture
def decision_round():
    year = BudgetYearFactory(start_year=2023)
    line = BudgetLineFactory(year=year, title="Grant funding", amount=Decimal("10000.00"))
    grant_round = GrantRoundFactory(budget_year=year, budget_line=line, slug="decide")
    applications = [
        ApplicationFactory(
            round=grant_round,
            status=status,
            amount_requested=Decimal(amount),
            project_name=name,
        )
        for name, amount, status in [
            ("Alpha", "4000.00", S.RECOMMENDED),
            ("Bravo", "4000.00", S.RECOMMENDED),
            ("Charlie", "4000.00", S.NOT_RECOMMENDED),
        ]
    ]
    return grant_round, line, applications


def _decide_url(application):
    return reverse("grants:staff-application-decide", kwargs={"reference": application.reference})


def test_the_decision_screen_shows_the_line_and_what_waits(client, decision_round):
    grant_round, _line, applications = decision_round
    client.force_login(_user("commissioner"))
    response = client.get(reverse("grants:staff-decisions", kwargs={"slug": grant_round.slug}))
    text = _text(response)
    assert "Left to commit £10,000.00" in text
    for application in applications:
        assert application.project_name in text
    assert 'value="£4,000.00"' in response.content.decode()


def test_approving_one_for_less_than_asked(client, decision_round):
    _round, line, (alpha, *_rest) = decision_round
    client.force_login(_user("commissioner"))

    response = client.post(
        _decide_url(alpha),
        {
            "decision": "approve",
            "amount": "£3,500",
            "reasons": "Meets the need.",
            "conditions": "Send photos.",
        },
    )

    assert response.status_code == 302
    award = Award.objects.get(application=alpha)
    assert award.amount == Decimal("3500.00")
    assert (award.reasons, award.conditions) == ("Meets the need.", "Send photos.")
    assert award.commitment.line == line
    assert award.commitment.amount == Decimal("3500.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve", "amount": "ten thousand"}, "is not an amount of money"),
        ({"decision": "approve", "amount": "£4,000.01"}, "cannot be more than the £4,000.00"),
        ({"decision": "decline", "reasons": ""}, "Give a reason: the applicant will see it."),
        ({}, "Choose approve or decline."),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_is_decided(client, decision_round, data, message):
    _round, _line, (alpha, *_rest) = decision_round
    client.force_login(_user("commissioner"))

    response = client.post(_decide_url(alpha), data)

    assert response.status_code == 400
    assert message in _text(response)
    alpha.refresh_from_db()
    assert alpha.status == S.RECOMMENDED
    assert not Award.objects.exists()
    assert not Commitment.objects.exists()


def test_declining_one(client, decision_round):
    _round, _line, (alpha, *_rest) = decision_round
    client.force_login(_user("commissioner"))
    response = client.post(
        _decide_url(alpha), {"decision": "decline", "reasons": "Another bid does this."}
    )
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert alpha.status == S.DECLINED
    assert Message.objects.get(application=alpha).body == "Another bid does this."


def test_over_the_line_needs_finance_and_a_reason(client, decision_round):
    _round, _line, (alpha, bravo, charlie) = decision_round
    services.approve(application=alpha, actor=_user("commissioner"))
    services.approve(application=bravo, actor=_user("commissioner"))
    # £2,000 left; Charlie asks for £4,000.
    client.force_login(_user("commissioner"))
    page = reverse("grants:staff-application", kwargs={"reference": charlie.reference})
    assert "has £2,000.00 left to commit" in _text(client.get(page))
    assert 'name="override_reason"' not in client.get(page).content.decode()

    response = client.post(_decide_url(charlie), {"decision": "approve", "amount": "£4,000"})
    assert response.status_code == 400
    assert "would over-commit it by £2,000.00" in _text(response)
    assert not Award.objects.filter(application=charlie).exists()

    both = UserFactory(roles=[ProgrammeRole.COMMISSIONER, ProgrammeRole.FINANCE])
    client.force_login(both)
    assert 'name="override_reason"' in client.get(page).content.decode()
    response = client.post(
        _decide_url(charlie),
        {
            "decision": "approve",
            "amount": "£4,000",
            "override_reason": "Underspend agreed from Events.",
        },
    )
    assert response.status_code == 302
    award = Award.objects.get(application=charlie)
    assert award.commitment.override_reason == "Underspend agreed from Events."
    assert AuditEvent.objects.filter(verb="finance.over_committed").count() == 1


def _batch(applications, **rows):
    data = {}
    for application in applications:
        row = rows.get(application.project_name)
        if row is None:
            continue
        prefix = f"row-{application.pk}"
        data[f"{prefix}-selected"] = "on"
        data[f"{prefix}-action"] = row[0]
        data[f"{prefix}-amount"] = row[1]
        data[f"{prefix}-reason"] = row[2]
    return data


def test_a_batch_decides_each_and_reports_the_one_that_over_commits(client, decision_round):
    grant_round, line, applications = decision_round
    alpha, bravo, charlie = applications
    CommitmentFactoryLike = Commitment.objects.create
    CommitmentFactoryLike(
        line=line,
        kind=Commitment.Kind.EVENT,
        description="Fun day",
        amount=Decimal("1000.00"),
        committed_on=datetime.date(2023, 6, 1),
    )
    # £9,000 left: Alpha and Bravo (£4,000 each) fit, Charlie (£4,000) would not.
    client.force_login(_user("commissioner"))
    url = reverse("grants:staff-decisions", kwargs={"slug": grant_round.slug})

    response = client.post(
        url,
        _batch(
            applications,
            Alpha=("approve", "£4,000.00", "Strong bid."),
            Bravo=("approve", "4000", ""),
            Charlie=("approve", "£4,000", ""),
        ),
    )

    assert response.status_code == 200
    text = _text(response)
    assert f"Approved {alpha.reference} Alpha" in text
    assert f"Approved {bravo.reference} Bravo" in text
    assert f"Not decided {charlie.reference} Charlie:" in text
    assert "has £1,000.00 left to commit, so £4,000.00 would over-commit it by £3,000.00" in text
    for application, status in [
        (alpha, S.APPROVED),
        (bravo, S.APPROVED),
        (charlie, S.NOT_RECOMMENDED),
    ]:
        application.refresh_from_db()
        assert application.status == status
    assert Award.objects.count() == 2
    assert Award.objects.get(application=alpha).reasons == "Strong bid."
    assert "Left to commit £1,000.00" in text
    # Charlie is still waiting, ticked, with what was typed.
    html = response.content.decode()
    row = f"row-{charlie.pk}-selected"
    assert f'id="id_{row}" name="{row}" type="checkbox" checked' in html
    assert 'value="£4,000"' in html


def test_a_batch_with_a_mistyped_row_decides_nothing(client, decision_round):
    grant_round, _line, applications = decision_round
    alpha, bravo, _charlie = applications
    client.force_login(_user("commissioner"))

    response = client.post(
        reverse("grants:staff-decisions", kwargs={"slug": grant_round.slug}),
        _batch(applications, Alpha=("approve", "£4,000", ""), Bravo=("approve", "four grand", "")),
    )

    assert response.status_code == 400
    text = _text(response)
    assert f"{bravo.reference}: “four grand” is not an amount of money" in text
    assert f'href="#id_row-{bravo.pk}-amount"' in response.content.decode()
    assert not Award.objects.exists()
    alpha.refresh_from_db()
    assert alpha.status == S.RECOMMENDED


def test_a_batch_declines_with_reasons_and_needs_a_tick(client, decision_round):
    grant_round, _line, applications = decision_round
    client.force_login(_user("commissioner"))
    url = reverse("grants:staff-decisions", kwargs={"slug": grant_round.slug})

    response = client.post(url, {})
    assert response.status_code == 400
    assert "Tick at least one application to decide." in _text(response)

    response = client.post(
        url,
        _batch(
            applications, Charlie=("decline", "", "Outside the themes."), Bravo=("decline", "", "")
        ),
    )
    text = _text(response)
    assert "Declined" in text
    assert "Give a reason" in text
    statuses = dict(Application.objects.values_list("project_name", "status"))
    assert statuses == {"Alpha": S.RECOMMENDED, "Bravo": S.RECOMMENDED, "Charlie": S.DECLINED}


def test_marking_the_round_decided(client, decision_round):
    grant_round, _line, applications = decision_round
    client.force_login(_user("commissioner"))
    url = reverse("grants:staff-round-decided", kwargs={"slug": grant_round.slug})

    response = client.post(url)
    assert response.status_code == 400
    assert "3 application(s) in this round still wait for a decision." in _text(response)

    for application in applications:
        services.move(
            application=application, action="decline", actor=_user("commissioner"), reason="No."
        )
    assert client.post(url).status_code == 302
    grant_round.refresh_from_db()
    assert grant_round.decided_at is not None
    client.force_login(_user("finance"))
    assert client.post(url).status_code == 403


# Monitoring ----------------------------------------------------------------------------------


@pytest.fixture
def award(decision_round):
    _round, _line, (alpha, *_rest) = decision_round
    return services.approve(application=alpha, actor=_user("commissioner"))


def test_monitoring_lists_due_and_overdue_returns(client, award):
    today = timezone.localdate()
    MonitoringReturn.objects.create(
        award=award, title="Six months", due_on=today - datetime.timedelta(days=12)
    )
    MonitoringReturn.objects.create(
        award=award, title="Final", due_on=today + datetime.timedelta(days=30)
    )
    client.force_login(_user("finance"))
    text = _text(client.get(reverse("grants:staff-monitoring")))
    assert "Six months" in text
    assert "12 days overdue" in text
    assert "Final" in text
    assert "(1 overdue)" in text
    assert "Schedule a return" not in text


def test_the_programme_team_schedules_accepts_and_closes(client, award, programme_team_user):
    client.force_login(programme_team_user)
    schedule = reverse("grants:staff-return-schedule")

    response = client.post(schedule, {"award": award.pk, "title": "End", "due_on": "31/02/2024"})
    assert response.status_code == 400
    assert "Enter a real date" in _text(response)
    assert not MonitoringReturn.objects.exists()

    response = client.post(schedule, {"award": award.pk, "title": "End", "due_on": "31/07/2025"})
    assert response.status_code == 302
    item = MonitoringReturn.objects.get()
    assert item.due_on == datetime.date(2025, 7, 31)

    close = reverse("grants:staff-award-close", kwargs={"identifier": award.identifier})
    response = client.post(close, {"note": "Done"})
    assert response.status_code == 400
    assert "1 monitoring return(s) are not yet accepted." in _text(response)

    accept = reverse("grants:staff-return-accept", kwargs={"pk": item.pk})
    response = client.post(accept)
    assert response.status_code == 400
    assert "Only a submitted return can be accepted." in _text(response)

    services.submit_return(
        item=item,
        actor=award.application.applicant or _owner(award),
        data={"outputs": "Ran 40 sessions.", "people_reached": 120},
    )
    text = _text(client.get(reverse("grants:staff-monitoring")))
    assert "Ran 40 sessions." in text
    assert client.post(accept).status_code == 302
    item.refresh_from_db()
    assert item.status == MonitoringReturn.Status.ACCEPTED

    assert client.post(close, {"note": "Done"}).status_code == 302
    award.refresh_from_db()
    assert award.closed_on == timezone.localdate()
    assert award.closure_note == "Done"


def _owner(award):
    owner = UserFactory()
    award.application.organisation.owners.add(owner)
    return owner


def test_only_the_programme_team_acts_on_monitoring(client, award):
    item = MonitoringReturn.objects.create(
        award=award, title="Final", due_on=datetime.date(2025, 1, 1)
    )
    for role in ["finance", "commissioner", "assessor", "applicant"]:
        client.force_login(_user(role))
        assert (
            client.post(reverse("grants:staff-return-accept", kwargs={"pk": item.pk})).status_code
            == 403
        )
        assert client.post(reverse("grants:staff-return-schedule"), {}).status_code == 403
        url = reverse("grants:staff-award-close", kwargs={"identifier": award.identifier})
        assert client.post(url).status_code == 403


def test_list_pages_take_a_bounded_number_of_queries(
    client, decision_round, django_assert_max_num_queries
):
    grant_round, _line, _applications = decision_round
    commissioner = _user("commissioner")
    for number in range(20):
        application = ApplicationFactory(
            round=grant_round, status=[S.SUBMITTED, S.RECOMMENDED, S.APPROVED][number % 3]
        )
        if application.status == S.APPROVED:
            award = Award.objects.create(
                application=application, amount=Decimal("100.00"), identifier=f"360G-q-{number}"
            )
            MonitoringReturn.objects.create(award=award, due_on=datetime.date(2024, 1, 1))
    client.force_login(commissioner)
    for url in [
        reverse("grants:staff-home"),
        reverse("grants:staff-round", kwargs={"slug": grant_round.slug}),
        reverse("grants:staff-decisions", kwargs={"slug": grant_round.slug}),
        reverse("grants:staff-monitoring"),
    ]:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
