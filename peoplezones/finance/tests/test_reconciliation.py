from decimal import Decimal

import pytest

from peoplezones.finance.reconciliation import check_key, reconcile
from peoplezones.finance.tests.factories import (
    BudgetLineFactory,
    BudgetYearFactory,
    StatedFigureFactory,
)
from peoplezones.grants.models import Application
from peoplezones.grants.tests.factories import ApplicationFactory, GrantRoundFactory
from peoplezones.zones.tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db


def _award(grant_round, zone, amount):
    application = ApplicationFactory(
        round=grant_round,
        zone=zone,
        status=Application.Status.APPROVED,
        amount_requested=Decimal(amount),
    )
    from peoplezones.grants.models import Award

    return Award.objects.create(
        application=application, amount=Decimal(amount), identifier=f"360G-t-{application.pk}"
    )


def test_each_scope_is_computed_from_the_records():
    year = BudgetYearFactory(start_year=2023)
    for title, amount in [("Grant funding", "180000.00"), ("Evaluation", "25000.00")]:
        BudgetLineFactory(year=year, title=title, amount=Decimal(amount))
    zone = ZoneFactory(slug="new-parks")
    grant_round = GrantRoundFactory(
        name="People Zone Grants 2022/23 - New Parks",
        zones=[zone],
        budget_year=BudgetYearFactory(start_year=2022),
        budget_line=None,
    )
    for amount in ["4889.08", "4896.00", "9740.98", "5680.00", "3920.00", "9135.00"]:
        _award(grant_round, zone, amount)
    StatedFigureFactory(
        scope="round", key="People Zone Grants 2022/23 - New Parks", amount=Decimal("38277.06")
    )
    StatedFigureFactory(scope="zone_year", key="new-parks 2022/23", amount=Decimal("38261.06"))
    StatedFigureFactory(scope="budget_year", key="2023/24", amount=Decimal("289000.00"))
    StatedFigureFactory(scope="budget_line", key="2023/24 Evaluation", amount=Decimal("25000.00"))
    StatedFigureFactory(scope="budget_line", key="2023/24 Payback", amount=Decimal("1.00"))
    checks = {(c.figure.scope, c.figure.key): c for c in reconcile()}
    new_parks = checks[("round", "People Zone Grants 2022/23 - New Parks")]
    assert new_parks.computed == Decimal("38261.06")
    assert new_parks.difference == Decimal("16.00")
    assert not new_parks.agrees
    assert checks[("zone_year", "new-parks 2022/23")].agrees
    assert checks[("budget_year", "2023/24")].difference == Decimal("84000.00")
    assert checks[("budget_line", "2023/24 Evaluation")].agrees
    missing = checks[("budget_line", "2023/24 Payback")]
    assert missing.computed is None
    assert missing.problem == "No budget line “2023/24 Payback” is recorded."


def test_keys_that_match_nothing_are_named():
    assert check_key("budget_year", "2031/32") == "No budget year “2031/32” is recorded."
    assert "zone's slug and a budget year" in check_key("zone_year", "nowhere")
    assert check_key("round", "No such round") == "No grant round is called “No such round”."
