"""Commitments never go over a line without a recorded override, even at the same moment."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.core.models import AuditEvent
from peoplezones.finance import services
from peoplezones.finance.models import BudgetYear, Commitment, Spend
from peoplezones.finance.selectors import (
    left_to_commit,
    line_totals,
    parse_year_label,
    year_summary,
)
from peoplezones.finance.tests.factories import BudgetLineFactory, CommitmentFactory
from peoplezones.grants import services as grants
from peoplezones.grants.models import Application, Award
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory

S = Application.Status


@pytest.mark.django_db
def test_a_commitment_within_the_line():
    line = BudgetLineFactory(amount=Decimal("1000.00"))
    services.commit(line=line, amount=Decimal("999.99"), description="Fun day", kind="event")
    services.commit(line=line, amount=Decimal("0.01"), description="Balloons", kind="event")
    [totals] = line_totals(year=line.year)
    assert totals.committed == Decimal("1000.00")
    assert totals.remaining == Decimal("0.00")


@pytest.mark.django_db
def test_over_commitment_is_refused_with_the_figures():
    line = BudgetLineFactory(title="Events", amount=Decimal("6000.00"))
    CommitmentFactory(line=line, amount=Decimal("5500.00"))
    with pytest.raises(ValidationError) as error:
        services.commit(line=line, amount=Decimal("600.00"), description="Gala", kind="event")
    assert error.value.message_dict["amount"] == [
        "2023/24 Events has £500.00 left to commit, so £600.00 would over-commit it by £100.00. "
        "A finance officer can go over the line by giving a reason."
    ]
    assert Commitment.objects.count() == 1


@pytest.mark.django_db
def test_only_finance_can_override_and_the_reason_is_recorded():
    line = BudgetLineFactory(amount=Decimal("100.00"))
    with pytest.raises(PermissionDenied):
        services.commit(
            line=line,
            amount=Decimal("150.00"),
            description="Gala",
            kind="event",
            actor=UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM]),
            override_reason="Agreed at the board.",
        )
    finance = UserFactory(roles=[ProgrammeRole.FINANCE])
    commitment = services.commit(
        line=line,
        amount=Decimal("150.00"),
        description="Gala",
        kind="event",
        actor=finance,
        override_reason="Agreed at the board on 3 May.",
    )
    assert commitment.override_reason == "Agreed at the board on 3 May."
    event = AuditEvent.objects.get(verb="finance.over_committed")
    assert event.data["override_reason"] == "Agreed at the board on 3 May."
    [totals] = line_totals(year=line.year)
    assert totals.over_committed


@pytest.mark.django_db
def test_released_commitments_free_the_line_and_spend_never_exceeds_the_commitment():
    line = BudgetLineFactory(amount=Decimal("100.00"))
    first = services.commit(line=line, amount=Decimal("100.00"), description="A", kind="other")
    services.release(commitment=first, actor=None, reason="Event cancelled")
    second = services.commit(line=line, amount=Decimal("100.00"), description="B", kind="other")
    services.record_spend(
        commitment=second, amount=Decimal("60.00"), paid_on=datetime.date(2023, 6, 1)
    )
    with pytest.raises(ValidationError, match=r"Only £40\.00 of the £100\.00"):
        services.record_spend(
            commitment=second, amount=Decimal("40.01"), paid_on=datetime.date(2023, 6, 2)
        )
    assert Spend.objects.count() == 1
    summary = year_summary(year=line.year)
    assert summary == {
        "budget": Decimal("100.00"),
        "committed": Decimal("100.00"),
        "spent": Decimal("60.00"),
        "remaining": Decimal("0.00"),
    }


@pytest.mark.django_db
def test_an_approval_the_line_cannot_take_changes_nothing():
    line = BudgetLineFactory(amount=Decimal("5000.00"))
    grant_round = GrantRoundFactory(budget_line=line, budget_year=line.year)
    first = ApplicationFactory(round=grant_round, status=S.RECOMMENDED)
    second = ApplicationFactory(round=grant_round, status=S.RECOMMENDED)
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    grants.approve(application=first, actor=commissioner)
    with pytest.raises(ValidationError, match="over-commit"):
        grants.approve(application=second, actor=commissioner)
    second.refresh_from_db()
    assert second.status == S.RECOMMENDED
    assert Award.objects.count() == 1
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("2023/24", 2023),
        ("2023-24", 2023),
        ("2023/2024", 2023),
        ("1999/00", 1999),
        ("2023/25", None),
        ("23/24", None),
        ("2023", None),
        ("", None),
    ],
)
def test_year_labels(label, start):
    assert parse_year_label(label) == start


def test_financial_years_run_april_to_march():
    assert BudgetYear.start_year_for(datetime.date(2024, 3, 31)) == 2023
    assert BudgetYear.start_year_for(datetime.date(2024, 4, 1)) == 2024
    assert BudgetYear(start_year=2099).label == "2099/00"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_cannot_over_commit_a_line():
    """Eight commissioners approve at the same moment; the line has room for three."""
    line = BudgetLineFactory(amount=Decimal("15000.00"))
    grant_round = GrantRoundFactory(budget_line=line, budget_year=line.year)
    applications = [
        ApplicationFactory(
            round=grant_round,
            status=S.RECOMMENDED,
            amount_requested=Decimal("5000.00"),
            items=[("All of it", Decimal("5000.00"))],
        )
        for _ in range(8)
    ]
    commissioner = UserFactory(roles=[ProgrammeRole.COMMISSIONER])
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def approve(application):
        try:
            barrier.wait()
            grants.approve(application=application, actor=commissioner)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # anything else is a bug: the assertion below shows it
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved"] * 3 + ["refused"] * 5
    [totals] = line_totals(year=line.year)
    assert totals.committed == Decimal("15000.00")
    assert Award.objects.count() == 3


def test_left_to_commit_counts_live_commitments_only(db):
    line = BudgetLineFactory(amount=Decimal("1000.00"))
    CommitmentFactory(line=line, amount=Decimal("300.00"))
    CommitmentFactory(line=line, amount=Decimal("200.00"))
    CommitmentFactory(line=line, amount=Decimal("100.00"), released=True)
    CommitmentFactory(amount=Decimal("999.00"))  # another line's

    assert left_to_commit(line) == (Decimal("500.00"), Decimal("500.00"))
    CommitmentFactory(line=line, amount=Decimal("600.00"))
    assert left_to_commit(line) == (Decimal("1100.00"), Decimal("-100.00"))


def test_a_stated_figure_must_name_something_recorded(db):
    from peoplezones.finance.models import StatedFigure

    BudgetYear.objects.create(start_year=2023)

    with pytest.raises(ValidationError) as refused:
        services.record_stated_figure(
            scope="budget_year", key="2031/32", amount=Decimal("5.00"), source="A report"
        )
    figure, changed = services.record_stated_figure(
        scope="budget_year", key="2023/24", amount=Decimal("5.00"), source="A report"
    )

    assert list(refused.value.message_dict) == ["key"]
    assert changed
    assert list(StatedFigure.objects.all()) == [figure]
