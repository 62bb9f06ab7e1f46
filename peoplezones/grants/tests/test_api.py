"""/api/v1/grants/ and /api/v1/finance/ over real HTTP: who sees what, and decisions."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.services import api_token_create
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.core.testing import http_request
from peoplezones.finance.models import Commitment
from peoplezones.finance.tests.factories import (
    BudgetLineFactory,
    BudgetYearFactory,
    StatedFigureFactory,
)
from peoplezones.grants.models import Application, Award
from peoplezones.grants.tests.factories import (
    ApplicationFactory,
    FundFactory,
    GrantRoundFactory,
    OrganisationFactory,
)
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory

S = Application.Status
PRIVATE = ("Private Contact Person", "private.contact@example.org", "07700 900123")


def _bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user, actor=user, name="test")
    return {"Authorization": f"Bearer {raw}"}


def _session(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"Cookie": f"{name}={client.cookies[name].value}"}


@pytest.fixture
def world(db):
    """One open round in New Parks with applications at several stages, and the people."""
    zone = ZoneFactory(slug="new-parks", name="New Parks")
    ThemeFactory(zone=zone, title="Community Safety")
    year = BudgetYearFactory(start_year=2023)
    line = BudgetLineFactory(year=year, title="Grant funding", amount=Decimal("180000.00"))
    grant_round = GrantRoundFactory(
        name="Round one",
        slug="round-one",
        fund=FundFactory(identifier_prefix="360G-pztest"),
        budget_year=year,
        budget_line=line,
        zones=[zone],
    )
    applicant = UserFactory(full_name="Applicant Person", email="applicant.person@example.org")
    other = UserFactory(email="other.applicant@example.org")
    mine = OrganisationFactory(name="Our Youth Club")
    theirs = OrganisationFactory(name="Their Larder")
    apps = {
        "draft": ApplicationFactory(
            round=grant_round, organisation=mine, applicant=applicant, reference="PZ-2023-0001"
        ),
        "recommended": ApplicationFactory(
            round=grant_round,
            organisation=mine,
            applicant=applicant,
            status=S.RECOMMENDED,
            reference="PZ-2023-0002",
            amount_requested=Decimal("4800.00"),
        ),
        "assessment": ApplicationFactory(
            round=grant_round,
            organisation=theirs,
            applicant=other,
            status=S.ASSESSMENT,
            reference="PZ-2023-0003",
        ),
        "their_draft": ApplicationFactory(
            round=grant_round, organisation=theirs, applicant=other, reference="PZ-2023-0004"
        ),
    }
    return {
        "round": grant_round,
        "line": line,
        "apps": apps,
        "applicant": applicant,
        "other": other,
        "team": UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]),
        "commissioner": UserFactory(roles=[ProgrammeRole.COMMISSIONER]),
        "finance": UserFactory(roles=[ProgrammeRole.FINANCE]),
        "assessor": UserFactory(roles=[ProgrammeRole.ASSESSOR]),
        "panel": UserFactory(roles=[ProgrammeRole.PANEL_MEMBER]),
    }


def _refs(result) -> list[str]:
    assert result.status == 200, result.body
    return [item["reference"] for item in result.json()]


# Rounds and awards: public ------------------------------------------------------------------


def test_rounds_are_public_with_dates_limits_themes_and_totals(world, live_server):
    Award.objects.create(
        application=world["apps"]["recommended"], amount=Decimal("4500.00"), identifier="360G-x-1"
    )

    result = http_request(f"{live_server.url}/api/v1/grants/rounds")
    detail = http_request(f"{live_server.url}/api/v1/grants/rounds/round-one")

    assert result.status == 200
    (item,) = result.json()
    assert item["slug"] == "round-one"
    assert item["status"] == "open"
    assert item["zones"] == ["new-parks"]
    assert item["maximum_award"] == "10000.00"
    assert item["minimum_award"] == "0.00"
    assert {"zone": "new-parks", "title": "Community Safety"} in item["themes"]
    assert item["budget_year"] == "2023/24"
    assert (item["awards"], item["awarded"]) == (1, "4500.00")
    # JSON keeps milliseconds.
    closes = datetime.datetime.fromisoformat(item["closes_at"])
    assert abs(closes - world["round"].closes_at) < datetime.timedelta(milliseconds=1)
    assert detail.status == 200
    assert detail.json()["funding"] == [
        {"zone": "new-parks", "zone_name": "New Parks", "awards": 1, "total": "4500.00"}
    ]
    assert detail.json()["eligibility_questions"] == world["round"].eligibility_questions


def test_rounds_filter_by_status_and_zone_and_404_when_unknown(world, live_server):
    url = f"{live_server.url}/api/v1/grants/rounds"

    assert len(http_request(f"{url}?status=open").json()) == 1
    assert http_request(f"{url}?status=closed").json() == []
    assert http_request(f"{url}?zone=elsewhere").json() == []
    assert http_request(f"{url}?status=maybe").status == 422
    missing = http_request(f"{url}/no-such-round")
    assert missing.status == 404
    assert missing.json()["detail"] == "There is no grant round “no-such-round”."


def test_awards_are_public_without_private_data(world, live_server):
    application = world["apps"]["recommended"]
    Award.objects.create(
        application=application,
        amount=Decimal("4500.00"),
        identifier="360G-pztest-PZ-2023-0002",
        decided_on=datetime.date(2023, 9, 1),
        decided_by=world["commissioner"],
        reasons="Strong support.",
        conditions="Acknowledge the funding.",
    )

    listing = http_request(f"{live_server.url}/api/v1/grants/awards?zone=new-parks")
    detail = http_request(f"{live_server.url}/api/v1/grants/awards/360G-pztest-PZ-2023-0002")

    assert listing.status == detail.status == 200
    assert listing.json() == [detail.json()]
    award = detail.json()
    assert award["organisation"] == "Our Youth Club"
    assert award["organisation_id"] == f"GB-CHC-{application.organisation.charity_number}"
    assert award["amount"] == "4500.00"
    assert award["decided_on"] == "2023-09-01"
    assert award["round"] == "round-one"
    assert award["reasons"] == "Strong support."
    for body in (listing.body.decode(), detail.body.decode()):
        for private in (*PRIVATE, "Applicant Person", "applicant.person@example.org"):
            assert private not in body
        assert world["commissioner"].email not in body
        assert world["commissioner"].full_name not in body
    assert http_request(f"{live_server.url}/api/v1/grants/awards?round=other").json() == []
    assert http_request(f"{live_server.url}/api/v1/grants/awards/360G-nope").status == 404


# Applications: who sees what ------------------------------------------------------------------


def test_applications_need_a_token_or_a_session(world, live_server):
    url = f"{live_server.url}/api/v1/grants/applications"

    assert http_request(url).status == 401
    assert http_request(url, headers={"Authorization": "Bearer pz_wrong"}).status == 401


def test_applicants_see_their_own_applications_with_contact_details(world, live_server):
    url = f"{live_server.url}/api/v1/grants/applications"

    by_token = http_request(url, headers=_bearer(world["applicant"]))
    by_session = http_request(url, headers=_session(world["applicant"]))

    assert _refs(by_token) == ["PZ-2023-0001", "PZ-2023-0002"]
    assert by_session.json() == by_token.json()
    first = by_token.json()[0]
    assert first["contact"] == {"name": PRIVATE[0], "email": PRIVATE[1], "phone": PRIVATE[2]}
    assert first["budget_items"] == [{"description": "Venue hire", "amount": "4800.00"}]
    assert first["amount_requested"] == "4800.00"
    assert first["status"] == "draft"
    assert first["award"] is None
    assert "Their Larder" not in by_token.body.decode()
    other = http_request(url, headers=_bearer(world["other"]))
    assert _refs(other) == ["PZ-2023-0003", "PZ-2023-0004"]


def test_assessors_see_what_reached_assessment_without_contact_details(world, live_server):
    url = f"{live_server.url}/api/v1/grants/applications"

    result = http_request(url, headers=_bearer(world["assessor"]))

    assert _refs(result) == ["PZ-2023-0002", "PZ-2023-0003"]
    assert all(item["contact"] is None for item in result.json())
    for private in PRIVATE:
        assert private not in result.body.decode()
    draft = http_request(f"{url}/PZ-2023-0001", headers=_bearer(world["assessor"]))
    assert draft.status == 404


@pytest.mark.parametrize("role", ["team", "commissioner", "finance"])
def test_staff_see_every_application_with_contact_details(world, live_server, role):
    url = f"{live_server.url}/api/v1/grants/applications"

    result = http_request(url, headers=_bearer(world[role]))

    assert _refs(result) == ["PZ-2023-0001", "PZ-2023-0002", "PZ-2023-0003", "PZ-2023-0004"]
    assert all(item["contact"]["email"] == PRIVATE[1] for item in result.json())
    assessment = http_request(
        f"{url}?status=assessment&round=round-one", headers=_bearer(world[role])
    )
    assert _refs(assessment) == ["PZ-2023-0003"]


def test_others_see_no_applications_and_get_404_for_one(world, live_server):
    url = f"{live_server.url}/api/v1/grants/applications"
    stranger = _bearer(world["panel"])

    assert _refs(http_request(url, headers=stranger)) == []
    theirs = http_request(f"{url}/PZ-2023-0004", headers=_bearer(world["applicant"]))
    assert theirs.status == 404
    assert PRIVATE[1] not in theirs.body.decode()
    mine = http_request(f"{url}/PZ-2023-0001", headers=_bearer(world["applicant"]))
    assert mine.status == 200
    assert mine.json()["contact"]["phone"] == PRIVATE[2]


# Decisions ------------------------------------------------------------------------------------


def _decide(live_server, reference: str, headers: dict, data: dict):
    return http_request(
        f"{live_server.url}/api/v1/grants/applications/{reference}/decision",
        method="POST",
        headers=headers,
        data=data,
    )


def test_the_commissioner_approves_with_an_amount_and_reasons(world, live_server):
    result = _decide(
        live_server,
        "PZ-2023-0002",
        _bearer(world["commissioner"]),
        {
            "action": "approve",
            "amount": "£4,500.00",
            "reason": "Meets the themes.",
            "conditions": "Acknowledge the funding.",
        },
    )

    assert result.status == 200, result.body
    answer = result.json()
    assert answer["status"] == "approved"
    assert answer["award"]["amount"] == "4500.00"
    assert answer["award"]["identifier"] == "360G-pztest-PZ-2023-0002"
    award = Award.objects.get()
    assert (award.reasons, award.conditions) == ("Meets the themes.", "Acknowledge the funding.")
    assert award.decided_by == world["commissioner"]
    assert award.commitment.line == world["line"]
    assert award.commitment.amount == Decimal("4500.00")


def test_the_commissioner_declines_with_a_reason(world, live_server):
    headers = _bearer(world["commissioner"])

    no_reason = _decide(live_server, "PZ-2023-0002", headers, {"action": "decline"})
    declined = _decide(
        live_server, "PZ-2023-0002", headers, {"action": "decline", "reason": "Not this time."}
    )

    assert no_reason.status == 400
    assert no_reason.json()["errors"] == {"reason": ["Give a reason: the applicant will see it."]}
    assert declined.status == 200
    assert declined.json()["status"] == "declined"
    assert world["apps"]["recommended"].messages.get().body == "Not this time."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve", "amount": "ten thousand"}, "“ten thousand” is not an amount"),
        ({"action": "approve", "amount": "-5"}, "“-5” is a negative amount"),
        (
            {"action": "approve", "amount": "£4,800.01"},
            "The award cannot be more than the £4,800.00 asked for.",
        ),
        ({"action": "approve", "amount": "0"}, "An award must be more than £0.00."),
        ({"action": "decline", "amount": "1.00", "reason": "No."}, "only given when approving"),
    ],
)
def test_bad_decisions_are_400_with_messages_and_change_nothing(world, live_server, data, message):
    headers = _bearer(world["commissioner"])
    before = AuditEvent.objects.count()

    result = _decide(live_server, "PZ-2023-0002", headers, data)

    assert result.status == 400, result.body
    assert message in result.json()["detail"]
    assert "amount" in result.json()["errors"]
    world["apps"]["recommended"].refresh_from_db()
    assert world["apps"]["recommended"].status == S.RECOMMENDED
    assert not Award.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_decision_needs_a_decidable_application_and_money_as_a_string(world, live_server):
    headers = _bearer(world["commissioner"])

    too_early = _decide(live_server, "PZ-2023-0003", headers, {"action": "approve"})
    number = _decide(live_server, "PZ-2023-0002", headers, {"action": "approve", "amount": 4500})
    action = _decide(live_server, "PZ-2023-0002", headers, {"action": "maybe"})

    assert too_early.status == 400
    assert "cannot be moved that way" in too_early.json()["detail"]
    assert number.status == 422
    assert action.status == 422
    assert not Award.objects.exists()


def test_an_approval_that_would_over_commit_the_line_is_refused(world, live_server):
    world["line"].amount = Decimal("4000.00")
    world["line"].save()

    result = _decide(
        live_server, "PZ-2023-0002", _bearer(world["commissioner"]), {"action": "approve"}
    )

    assert result.status == 400
    assert "would over-commit it by £800.00" in result.json()["detail"]
    assert not Commitment.objects.exists()
    assert not Award.objects.exists()


@pytest.mark.parametrize("who", ["team", "finance", "assessor", "applicant"])
def test_only_the_commissioner_may_decide(world, live_server, who):
    result = _decide(
        live_server,
        "PZ-2023-0002",
        _bearer(world[who]),
        {"action": "approve", "amount": "4500.00"},
    )

    assert result.status == 403
    assert result.json()["detail"] == (
        "Only the commissioner approves or declines grant applications."
    )
    assert not Award.objects.exists()


def test_decisions_for_unseen_applications_are_404_and_anonymous_401(world, live_server):
    assert (
        _decide(
            live_server, "PZ-2023-0004", _bearer(world["applicant"]), {"action": "approve"}
        ).status
        == 404
    )
    assert (
        _decide(
            live_server, "PZ-9999", _bearer(world["commissioner"]), {"action": "approve"}
        ).status
        == 404
    )
    assert _decide(live_server, "PZ-2023-0002", {}, {"action": "approve"}).status == 401


def test_a_decision_by_session_needs_the_csrf_token(world, live_server):
    session = _session(world["commissioner"])
    token = "a" * 32
    with_token = {
        "Cookie": f"{session['Cookie']}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
    }

    refused = _decide(live_server, "PZ-2023-0002", session, {"action": "approve"})
    accepted = _decide(live_server, "PZ-2023-0002", with_token, {"action": "approve"})

    assert refused.status == 403
    assert accepted.status == 200, accepted.body
    assert accepted.json()["award"]["amount"] == "4800.00"


# Finance --------------------------------------------------------------------------------------


def test_budget_years_give_lines_with_computed_totals_to_staff(world, live_server):
    BudgetLineFactory(year=world["line"].year, title="Events", amount=Decimal("6000.00"))
    BudgetYearFactory(start_year=2022)
    _decide(live_server, "PZ-2023-0002", _bearer(world["commissioner"]), {"action": "approve"})

    result = http_request(
        f"{live_server.url}/api/v1/finance/years", headers=_bearer(world["finance"])
    )
    one = http_request(
        f"{live_server.url}/api/v1/finance/years/2023-24", headers=_bearer(world["team"])
    )

    assert result.status == 200
    assert [year["label"] for year in result.json()] == ["2023/24", "2022/23"]
    year = result.json()[0]
    assert one.json() == year
    assert (year["budget"], year["committed"], year["spent"], year["remaining"]) == (
        "186000.00",
        "4800.00",
        "0.00",
        "181200.00",
    )
    assert year["starts"] == "2023-04-01"
    grants = next(line for line in year["lines"] if line["title"] == "Grant funding")
    assert (grants["budget"], grants["committed"], grants["remaining"]) == (
        "180000.00",
        "4800.00",
        "175200.00",
    )
    assert grants["over_committed"] is False
    assert result.json()[1]["lines"] == []


def test_budget_years_are_for_staff_only(world, live_server):
    url = f"{live_server.url}/api/v1/finance/years"

    assert http_request(url).status == 401
    for who in ("applicant", "assessor", "panel"):
        result = http_request(url, headers=_bearer(world[who]))
        assert result.status == 403
        assert "see the budget" in result.json()["detail"]
    assert http_request(f"{url}/2031-32", headers=_bearer(world["finance"])).status == 404
    assert http_request(f"{url}/nonsense", headers=_bearer(world["finance"])).status == 404


def test_reconciliation_lists_each_figure_with_its_difference(world, live_server):
    StatedFigureFactory(scope="budget_line", key="2023/24 Grant funding", amount=Decimal("180016"))
    StatedFigureFactory(scope="round", key="Nowhere", amount=Decimal("1.00"))
    url = f"{live_server.url}/api/v1/finance/reconciliation"

    result = http_request(url, headers=_bearer(world["commissioner"]))

    assert result.status == 200
    answer = result.json()
    assert answer["all_agree"] is False
    checks = {c["key"]: c for c in answer["checks"]}
    assert checks["2023/24 Grant funding"]["difference"] == "16.00"
    assert checks["2023/24 Grant funding"]["computed"] == "180000.00"
    assert checks["Nowhere"]["computed"] is None
    assert checks["Nowhere"]["problem"] == "No grant round is called “Nowhere”."
    assert http_request(url, headers=_bearer(world["assessor"])).status == 403


def test_openapi_documents_the_grants_and_finance_endpoints(live_server, db):
    schema = http_request(f"{live_server.url}/api/v1/openapi.json").json()

    assert {
        "/api/v1/grants/rounds",
        "/api/v1/grants/rounds/{slug}",
        "/api/v1/grants/awards",
        "/api/v1/grants/awards/{identifier}",
        "/api/v1/grants/applications",
        "/api/v1/grants/applications/{reference}",
        "/api/v1/grants/applications/{reference}/decision",
        "/api/v1/finance/years",
        "/api/v1/finance/years/{label}",
        "/api/v1/finance/reconciliation",
    } <= set(schema["paths"])
    decision = schema["paths"]["/api/v1/grants/applications/{reference}/decision"]["post"]
    assert {"TokenAuth": []} in decision["security"]
    assert "security" not in schema["paths"]["/api/v1/grants/rounds"]["get"]


# Bounded queries (in-process client: the count is what matters, not the transport) -----------


def test_list_endpoints_make_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    grant_round = world["round"]
    for n in range(30):
        application = ApplicationFactory(
            round=grant_round, status=S.APPROVED, reference=f"PZ-2023-1{n:03d}"
        )
        Award.objects.create(
            application=application, amount=Decimal("100.00"), identifier=f"360G-q-{n}"
        )
    for n in range(5):
        GrantRoundFactory(name=f"Extra {n}", slug=f"extra-{n}")
    client = Client()
    staff = Client()
    staff.force_login(world["team"])

    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/grants/rounds").json()) == 6
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/grants/awards").json()) == 30
    with django_assert_max_num_queries(10):
        assert len(staff.get("/api/v1/grants/applications").json()) == 34
