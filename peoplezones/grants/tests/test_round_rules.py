"""The round rules hold in the services themselves, whoever calls them (not only the form)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.finance.tests.factories import BudgetYearFactory
from peoplezones.grants import services
from peoplezones.grants.models import GrantRound
from peoplezones.grants.tests.factories import FundFactory, GrantRoundFactory
from peoplezones.zones.tests.factories import ThemeFactory, ZoneFactory


@pytest.fixture
def team(db):
    return UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])


@pytest.fixture
def set_up(db):
    zone = ZoneFactory()
    now = timezone.now()
    return {
        "fund": FundFactory(),
        "name": "Spring round",
        "zones": [zone],
        "opens_at": now,
        "closes_at": now + datetime.timedelta(days=28),
        "budget_year": BudgetYearFactory(),
        "themes": [ThemeFactory(zone=zone, title="Youth")],
    }


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


@pytest.mark.parametrize("service", ["create_round", "round_set_up"])
def test_the_largest_grant_must_be_more_than_nothing(team, set_up, service):
    refused = _refusal(
        lambda: getattr(services, service)(actor=team, maximum_award=Decimal("0.00"), **set_up)
    )

    assert refused["maximum_award"]
    assert not GrantRound.objects.exists()


@pytest.mark.parametrize("service", ["create_round", "round_set_up"])
def test_a_theme_of_another_zone_is_refused(team, set_up, service):
    elsewhere = ThemeFactory(title="Parking")
    set_up["themes"] = [*set_up["themes"], elsewhere]

    refused = _refusal(lambda: getattr(services, service)(actor=team, **set_up))

    assert refused["themes"] == ["“Parking” is not a theme of the zones chosen."]
    assert not GrantRound.objects.exists()


def test_a_round_is_set_up_with_its_zones_themes(team, set_up):
    grant_round = services.create_round(actor=team, **set_up)

    assert [theme.title for theme in grant_round.themes.all()] == ["Youth"]


def test_changing_a_round_keeps_the_rules(team, set_up):
    grant_round = GrantRoundFactory(zones=set_up["zones"])
    stray = ThemeFactory(title="Parking")
    change = {**set_up, "fund": grant_round.fund, "budget_year": grant_round.budget_year}

    stray_theme = _refusal(
        lambda: services.round_update(
            grant_round=grant_round, actor=team, **{**change, "themes": [stray]}
        )
    )
    nothing = _refusal(
        lambda: services.round_update(
            grant_round=grant_round, actor=team, maximum_award=Decimal("0.00"), **change
        )
    )

    assert stray_theme["themes"] == ["“Parking” is not a theme of the zones chosen."]
    assert nothing["maximum_award"]
    grant_round.refresh_from_db()
    assert grant_round.maximum_award > 0
    assert stray not in grant_round.themes.all()
