"""The commissioner's decision screen and the budget pages in a real browser, checked by axe."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import PASSWORD, UserFactory
from peoplezones.finance.models import Commitment
from peoplezones.finance.tests.factories import BudgetLineFactory, BudgetYearFactory
from peoplezones.grants.models import Application, Award
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory
from peoplezones.zones.tests.factories import ZoneFactory
from tests.browser.conftest import assert_accessible, assert_fits_the_screen

pytestmark = pytest.mark.browser
S = Application.Status


@pytest.fixture
def decisions(transactional_db):
    year = BudgetYearFactory(start_year=2023)
    line = BudgetLineFactory(year=year, title="Grant funding", amount=Decimal("10000.00"))
    BudgetLineFactory(year=year, title="Events", amount=Decimal("6000.00"))
    zone = ZoneFactory(name="New Parks", slug="new-parks")
    grant_round = GrantRoundFactory(
        name="People Zone Grants 2023/24 - Round 1",
        slug="round-1",
        zones=[zone],
        budget_year=year,
        budget_line=line,
    )
    Commitment.objects.create(
        line=line,
        kind=Commitment.Kind.EVENT,
        description="Launch event",
        amount=Decimal("1000.00"),
        committed_on=datetime.date(2023, 5, 1),
    )
    for name, amount, status in [
        ("Men's Shed", "4889.08", S.RECOMMENDED),
        ("Open Gym", "4000.00", S.RECOMMENDED),
        ("Easter Camp", "3920.00", S.NOT_RECOMMENDED),
    ]:
        ApplicationFactory(
            round=grant_round,
            zone=zone,
            status=status,
            project_name=name,
            amount_requested=Decimal(amount),
        )
    # Commissioner and finance officer both: the line page then shows its forms too.
    user = UserFactory(roles=[ProgrammeRole.COMMISSIONER, ProgrammeRole.FINANCE])
    return grant_round, line, user


def _sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Your dashboard")


def test_the_commissioner_decides_a_batch_and_reads_the_budget(page, decisions):
    grant_round, _line, user = decisions
    _sign_in(page, user)

    page.goto("/grants/staff/rounds/round-1/decisions/")
    expect(page.locator("h1")).to_have_text("Decisions")
    expect(page.locator("#budget-line")).to_contain_text("£9,000.00")
    assert_accessible(page)

    # £9,000 left: the Men's Shed and Open Gym fit (£8,889.08), Easter Camp then does not.
    men, gym, camp = Application.objects.filter(round=grant_round).order_by("pk")
    for application in (men, gym, camp):
        page.get_by_label(f"Decide {application.reference}", exact=True).check()
    page.get_by_label(f"Reason for {men.reference}").fill("Meets the need for a safe space.")
    page.get_by_role("button", name="Decide the ticked applications").click()

    results = page.locator("#results")
    expect(results).to_contain_text(f"Approved {men.reference} Men's Shed")
    expect(results).to_contain_text(f"Approved {gym.reference} Open Gym")
    expect(results).to_contain_text(f"Not decided {camp.reference} Easter Camp")
    expect(results).to_contain_text("would over-commit it by £3,809.08")
    expect(page.locator("#budget-line")).to_contain_text("£110.92")
    assert_accessible(page)
    assert Award.objects.count() == 2

    # A mistyped amount is refused with the error summary, and nothing is decided.
    page.get_by_label(f"Amount to award {camp.reference}").fill("three grand")
    page.get_by_role("button", name="Decide the ticked applications").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("“three grand” is not an amount of money")
    expect(page.get_by_label(f"Amount to award {camp.reference}")).to_have_value("three grand")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(f"Amount to award {camp.reference}")).to_be_focused()

    page.goto("/finance/2023/")
    expect(page.locator("h1")).to_have_text("Budget 2023/24")
    grant_row = page.get_by_role("row", name="Grant funding")
    expect(grant_row).to_contain_text("£9,889.08")
    expect(grant_row).to_contain_text("Over 90% committed")
    expect(page.locator("tfoot")).to_contain_text("£16,000.00")
    assert_accessible(page)

    page.get_by_role("link", name="Grant funding").click()
    expect(page.locator("h1")).to_have_text("Grant funding")
    expect(page.get_by_role("cell", name="Launch event")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Description").fill("Summer fun day")
    page.get_by_label("Amount", exact=True).fill("£500")
    page.get_by_role("button", name="Add the commitment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("would over-commit it by £389.08")
    assert_accessible(page)
    page.get_by_label("Reason for going over the line (only if it would be over-committed)").fill(
        "Agreed at the steering group."
    )
    page.get_by_role("button", name="Add the commitment").click()
    expect(page.get_by_text("£500.00 committed for “Summer fun day”.")).to_be_visible()
    expect(page.get_by_text("Over-committed").first).to_be_visible()


def test_the_budget_and_decisions_fit_a_phone(phone, decisions):
    _grant_round, _line, user = decisions
    _sign_in(phone, user)
    for url in ["/grants/staff/rounds/round-1/decisions/", "/finance/2023/"]:
        phone.goto(url)
        assert_fits_the_screen(phone)
        assert_accessible(phone)
