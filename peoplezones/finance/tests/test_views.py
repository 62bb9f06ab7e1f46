"""Budget pages through HTTP: who may open them, the year's totals and warnings, a line's
commitments and spend, payments against awards, and the reconciliation of published figures."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.finance.models import Commitment, Spend, StatedFigure
from peoplezones.finance.tests.factories import (
    BudgetLineFactory,
    BudgetYearFactory,
    CommitmentFactory,
    StatedFigureFactory,
)
from peoplezones.grants import services as grant_services
from peoplezones.grants.models import Application, Award, Payment
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory
from peoplezones.zones.tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db
S = Application.Status

ROLES = {
    "applicant": [],
    "assessor": [ProgrammeRole.ASSESSOR],
    "programme team": [ProgrammeRole.PROGRAMME_TEAM],
    "commissioner": [ProgrammeRole.COMMISSIONER],
    "finance": [ProgrammeRole.FINANCE],
}
READERS = {"programme team", "commissioner", "finance"}


def _user(role):
    return UserFactory(roles=ROLES[role])


def _text(response):
    words = html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return " ".join(words.split())


@pytest.fixture
def budget():
    year = BudgetYearFactory(start_year=2023)
    grants = BudgetLineFactory(
        year=year, title="Grant funding", amount=Decimal("180000.00"), order=1
    )
    events = BudgetLineFactory(year=year, title="Events", amount=Decimal("6000.00"), order=2)
    comms = BudgetLineFactory(
        year=year, title="Communications & materials", amount=Decimal("3000.00"), order=3
    )
    return year, grants, events, comms


@pytest.fixture
def award(budget):
    year, grants, _events, _comms = budget
    grant_round = GrantRoundFactory(budget_year=year, budget_line=grants)
    application = ApplicationFactory(
        round=grant_round, status=S.RECOMMENDED, amount_requested=Decimal("4800.00")
    )
    return grant_services.approve(
        application=application, actor=_user("commissioner"), reasons="Meets the need."
    )


def _pages(budget, award):
    _year, grants, *_ = budget
    return [
        reverse("finance:home"),
        reverse("finance:year-detail", kwargs={"start_year": 2023}),
        reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": grants.pk}),
        reverse("finance:award-payments", kwargs={"identifier": award.identifier}),
        reverse("finance:reconciliation"),
    ]


def test_budget_pages_send_anonymous_people_to_sign_in(client, budget, award):
    for url in _pages(budget, award):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_budget_pages_open_only_for_staff(client, budget, award, role):
    client.force_login(_user(role))
    for url in _pages(budget, award):
        response = client.get(url)
        assert response.status_code == (200 if role in READERS else 403), (url, role)


@pytest.mark.parametrize("role", sorted(READERS))
def test_only_finance_officers_get_the_forms(client, budget, award, role):
    client.force_login(_user(role))
    _year, grants, *_ = budget
    line = client.get(reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": grants.pk}))
    payments = client.get(
        reverse("finance:award-payments", kwargs={"identifier": award.identifier})
    )
    assert ("Add a commitment" in _text(line)) == (role == "finance")
    assert ("Record a payment" in _text(payments)) == (role == "finance")
    posted = client.post(
        reverse("finance:commitment-create", kwargs={"start_year": 2023, "pk": grants.pk}),
        {"kind": "event", "description": "Fun day", "amount": "£50", "committed_on": "2023-06-01"},
    )
    assert posted.status_code == (302 if role == "finance" else 403)


def test_unknown_years_lines_and_awards_are_404(client, budget):
    client.force_login(_user("finance"))
    assert (
        client.get(reverse("finance:year-detail", kwargs={"start_year": 1999})).status_code == 404
    )
    url = reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": 999999})
    assert client.get(url).status_code == 404
    url = reverse("finance:award-payments", kwargs={"identifier": "360G-nothing"})
    assert client.get(url).status_code == 404


def test_the_year_page_totals_the_lines_and_warns(client, budget, award):
    _year, _grants, events, comms = budget
    CommitmentFactory(line=events, amount=Decimal("5500.00"), description="Summer events")
    CommitmentFactory(line=comms, amount=Decimal("2500.00"), description="Leaflets")
    CommitmentFactory(
        line=comms, amount=Decimal("600.00"), description="Banners", override_reason="Agreed."
    )
    CommitmentFactory(line=comms, amount=Decimal("999.00"), description="Old", released=True)
    client.force_login(_user("commissioner"))

    text = _text(client.get(reverse("finance:year-detail", kwargs={"start_year": 2023})))

    assert "Grant funding £180,000.00 £4,800.00 £0.00 £175,200.00" in text
    assert "Events £6,000.00 £5,500.00 £0.00 £500.00 Over 90% committed" in text
    assert "Communications & materials £3,000.00 £3,100.00 £0.00 -£100.00 Over-committed" in text
    assert "Total £189,000.00 £13,400.00 £0.00 £175,600.00" in text
    assert "Communications & materials is over-committed by £100.00." in text
    assert "Events is more than 90% committed: £500.00 left." in text
    home = _text(client.get(reverse("finance:home")))
    assert "2023/24 £189,000.00 £13,400.00 £0.00 £175,600.00" in home


def test_a_finance_officer_adds_a_commitment_and_spend(client, budget):
    _year, _grants, events, _comms = budget
    zone = ZoneFactory(name="New Parks")
    client.force_login(_user("finance"))
    line_url = reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": events.pk})

    response = client.post(
        reverse("finance:commitment-create", kwargs={"start_year": 2023, "pk": events.pk}),
        {
            "kind": "event",
            "description": "Summer fun day",
            "amount": "£1,250.50",
            "zone": zone.pk,
            "committed_on": "01/06/2023",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == line_url
    commitment = Commitment.objects.get()
    assert (commitment.amount, commitment.zone, commitment.line) == (
        Decimal("1250.50"),
        zone,
        events,
    )
    assert commitment.committed_on == datetime.date(2023, 6, 1)

    spend_url = reverse("finance:spend-create", kwargs={"start_year": 2023, "pk": events.pk})
    response = client.post(
        spend_url,
        {"commitment": commitment.pk, "amount": "£1,300", "paid_on": "2023-06-10"},
    )
    assert response.status_code == 400
    assert "Only £1,250.50 of the £1,250.50 committed is left to pay." in _text(response)
    assert 'value="£1,300"' in response.content.decode()
    assert not Spend.objects.exists()

    response = client.post(
        spend_url,
        {
            "commitment": commitment.pk,
            "amount": "480",
            "paid_on": "2023-06-10",
            "reference": "INV-7",
        },
    )
    assert response.status_code == 302
    text = _text(client.get(line_url))
    assert "Summer fun day Event or initiative New Parks £1,250.50 £480.00" in text
    assert "10 Jun 2023 Summer fun day INV-7 £480.00" in text
    assert "Left to commit £4,749.50" in text


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("ten thousand", "“ten thousand” is not an amount of money"),
        ("-5", "“-5” is a negative amount"),
        ("£10,000.001", "has more than two decimal places"),
        ("", "Enter an amount in pounds."),
        ("0", "A commitment must be more than £0.00."),
    ],
)
def test_bad_commitments_are_refused_and_kept(client, budget, amount, message):
    _year, _grants, events, _comms = budget
    client.force_login(_user("finance"))
    response = client.post(
        reverse("finance:commitment-create", kwargs={"start_year": 2023, "pk": events.pk}),
        {"kind": "event", "description": "Fun day", "amount": amount, "committed_on": "2023-06-01"},
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert "govuk-error-summary" in response.content.decode()
    assert 'value="Fun day"' in response.content.decode()
    assert not Commitment.objects.exists()


def test_going_over_a_line_needs_a_reason_which_is_kept(client, budget):
    _year, _grants, events, _comms = budget
    client.force_login(_user("finance"))
    url = reverse("finance:commitment-create", kwargs={"start_year": 2023, "pk": events.pk})
    data = {
        "kind": "event",
        "description": "Big festival",
        "amount": "£6,500",
        "committed_on": "2023-06-01",
    }

    response = client.post(url, data)
    assert response.status_code == 400
    assert "would over-commit it by £500.00" in _text(response)
    assert not Commitment.objects.exists()

    response = client.post(url, {**data, "override_reason": "Sponsor pays £500 back."})
    assert response.status_code == 302
    assert Commitment.objects.get().override_reason == "Sponsor pays £500 back."
    assert AuditEvent.objects.filter(verb="finance.over_committed").count() == 1
    line = _text(
        client.get(reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": events.pk}))
    )
    assert "Over the line because: Sponsor pays £500 back." in line
    assert "Over-committed" in line


def test_grant_commitments_are_paid_as_payments_on_the_award(client, award):
    client.force_login(_user("finance"))
    line = award.commitment.line
    line_page = client.get(
        reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": line.pk})
    )
    payments_url = reverse("finance:award-payments", kwargs={"identifier": award.identifier})
    assert f'href="{payments_url}"' in line_page.content.decode()
    # An award is paid as a payment on its own page, not as plain spend against the line.
    assert 'name="commitment"' not in line_page.content.decode()
    assert "Grant payments are recorded on the award's page" in _text(line_page)

    response = client.post(payments_url, {"amount": "£10,000", "paid_on": "2023-07-01"})
    assert response.status_code == 400
    assert "Only £4,800.00 of the £4,800.00 committed is left to pay." in _text(response)

    response = client.post(payments_url, {"amount": "twelve", "paid_on": "2023-07-01"})
    assert response.status_code == 400
    assert "“twelve” is not an amount of money" in _text(response)

    response = client.post(payments_url, {"amount": "2999.99", "paid_on": "2099-01-01"})
    assert response.status_code == 400
    assert "The payment date cannot be in the future." in _text(response)
    assert not Payment.objects.exists()

    response = client.post(
        payments_url, {"amount": "£2,400", "paid_on": "2023-07-01", "reference": "BACS 1"}
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.amount == Decimal("2400.00")
    assert payment.spend.amount == Decimal("2400.00")
    text = _text(client.get(payments_url))
    assert "Paid £2,400.00" in text
    assert "Left to pay £2,400.00" in text
    assert "1 Jul 2023 BACS 1 £2,400.00" in text


@pytest.fixture
def new_parks_round():
    """The six New Parks awards of 2022/23 as published: they add up to £38,261.06."""
    zone = ZoneFactory(name="New Parks", slug="new-parks")
    grant_round = GrantRoundFactory(
        name="People Zone Grants 2022/23 - New Parks",
        zones=[zone],
        budget_year=BudgetYearFactory(start_year=2022),
        budget_line=None,
    )
    for number, amount in enumerate(
        ["4889.08", "4896.00", "9740.98", "5680.00", "3920.00", "9135.00"]
    ):
        application = ApplicationFactory(
            round=grant_round, zone=zone, status=S.APPROVED, amount_requested=Decimal(amount)
        )
        Award.objects.create(
            application=application, amount=Decimal(amount), identifier=f"360G-np-{number}"
        )
    return grant_round


def test_reconciliation_shows_the_exact_difference(client, budget, new_parks_round):
    StatedFigureFactory(
        scope=StatedFigure.Scope.ROUND,
        key="People Zone Grants 2022/23 - New Parks",
        amount=Decimal("38277.06"),
        source="Panel report, paragraph 22",
    )
    StatedFigureFactory(
        scope=StatedFigure.Scope.BUDGET_YEAR, key="2023/24", amount=Decimal("189000.00")
    )
    StatedFigureFactory(
        scope=StatedFigure.Scope.BUDGET_LINE, key="2023/24 Nothing", amount=Decimal("1.00")
    )
    client.force_login(_user("commissioner"))

    response = client.get(reverse("finance:reconciliation"))

    text = _text(response)
    assert (
        "People Zone Grants 2022/23 - New Parks Panel report, paragraph 22 £38,277.06 "
        "£38,261.06 £16.00 published £16.00 more than the records"
    ) in text
    assert (
        "2023/24 Police and Crime Panel report, 26 July 2023 £189,000.00 £189,000.00 Agrees" in text
    )
    assert "Cannot check No budget line “2023/24 Nothing” is recorded." in text
    assert "2 published figures do not match the records." in text
    assert response.content.decode().count('data-agrees="no"') == 2
    assert "Record a published figure" not in text


def test_recording_a_published_figure(client, new_parks_round):
    client.force_login(_user("finance"))
    url = reverse("finance:reconciliation")
    data = {
        "scope": "zone_year",
        "key": "new-parks 2022/23",
        "amount": "£38,277.06",
        "source": "Panel report, July 2023",
    }

    response = client.post(url, {**data, "key": "old-parks 2022/23"})
    assert response.status_code == 400
    assert (
        "“old-parks 2022/23” should be a zone's slug and a budget year, e.g. “new-parks 2022/23”."
    ) in _text(response)
    assert 'value="old-parks 2022/23"' in response.content.decode()

    response = client.post(url, {**data, "amount": "thirty eight grand"})
    assert response.status_code == 400
    assert "is not an amount of money" in _text(response)
    assert not StatedFigure.objects.exists()

    response = client.post(url, data)
    assert response.status_code == 302
    figure = StatedFigure.objects.get()
    assert (figure.scope, figure.key, figure.amount) == (
        "zone_year",
        "new-parks 2022/23",
        Decimal("38277.06"),
    )
    assert "£16.00" in _text(client.get(url))


def test_the_programme_team_may_record_figures_but_not_money(client, budget):
    _year, grants, *_ = budget
    client.force_login(_user("programme team"))
    response = client.post(
        reverse("finance:reconciliation"),
        {"scope": "budget_year", "key": "2023/24", "amount": "189000", "source": "Plan"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("finance:spend-create", kwargs={"start_year": 2023, "pk": grants.pk}), {}
    )
    assert response.status_code == 403
    client.force_login(_user("commissioner"))
    response = client.post(
        reverse("finance:reconciliation"),
        {"scope": "budget_year", "key": "2023/24", "amount": "1", "source": "Other"},
    )
    assert response.status_code == 403


def test_budget_pages_take_a_bounded_number_of_queries(
    client, budget, django_assert_max_num_queries
):
    _year, grants, events, comms = budget
    for number in range(30):
        commitment = CommitmentFactory(
            line=[grants, events, comms][number % 3], amount=Decimal("10.00")
        )
        Spend.objects.create(
            commitment=commitment, amount=Decimal("5.00"), paid_on=datetime.date(2023, 7, 1)
        )
    client.force_login(_user("finance"))
    for url in [
        reverse("finance:home"),
        reverse("finance:year-detail", kwargs={"start_year": 2023}),
        reverse("finance:line-detail", kwargs={"start_year": 2023, "pk": grants.pk}),
    ]:
        # The line page with its two forms is the most: 16 whatever the number of rows.
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_the_year_page_says_which_awards_no_line_carries(client, budget, award, new_parks_round):
    client.force_login(_user("finance"))

    text = _text(client.get(reverse("finance:year-detail", kwargs={"start_year": 2022})))
    assert (
        "6 grant awards of this year's rounds, £38,261.06 in all, are not committed against "
        "any budget line" in text
    )
    assert "This year has no budget lines yet." in text

    # 2023/24's award was approved against its line: nothing to say.
    text = _text(client.get(reverse("finance:year-detail", kwargs={"start_year": 2023})))
    assert "not committed against any budget line" not in text
