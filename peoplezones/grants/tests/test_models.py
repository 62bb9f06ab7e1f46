import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peoplezones.grants.models import (
    GrantRound,
    validate_charity_number,
    validate_company_number,
)
from peoplezones.grants.tests.factories import FundFactory, GrantRoundFactory, OrganisationFactory


@pytest.mark.parametrize("number", ["1012345", "216401", "1012345-1", "1012345-12"])
def test_good_charity_numbers(number):
    validate_charity_number(number)


@pytest.mark.parametrize("number", ["12345", "12345678", "CH1012345", "1012345-", "10 12345", ""])
def test_malformed_charity_numbers_are_refused_with_an_example(number):
    with pytest.raises(ValidationError, match="for example 1012345"):
        validate_charity_number(number)


@pytest.mark.parametrize("number", ["01234567", "00000001", "SC123456", "NI012345", "OC301234"])
def test_good_company_numbers_keep_their_leading_zeros(number):
    validate_company_number(number)


@pytest.mark.parametrize("number", ["1234567", "123456789", "SC12345", "XX123456", "ab123456"])
def test_malformed_company_numbers(number):
    with pytest.raises(ValidationError, match="eight characters"):
        validate_company_number(number)


@pytest.mark.django_db
def test_org_ids_prefer_the_registers():
    fund = FundFactory()
    assert OrganisationFactory(charity_number="1012345").org_id(fund) == "GB-CHC-1012345"
    company = OrganisationFactory(charity_number="", company_number="01234567")
    assert company.org_id(fund) == "GB-COH-01234567"
    group = OrganisationFactory(charity_number="")
    assert group.org_id(fund) == f"360G-pztest-org-{group.pk}"


@pytest.mark.django_db
def test_the_round_status_comes_from_the_clock_and_the_decisions():
    now = timezone.now()
    grant_round = GrantRoundFactory(
        opens_at=now + datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=2)
    )
    assert grant_round.status == GrantRound.Status.SCHEDULED
    assert grant_round.status_at(now + datetime.timedelta(hours=1)) == GrantRound.Status.OPEN
    assert grant_round.status_at(now + datetime.timedelta(days=2)) == GrantRound.Status.CLOSED
    grant_round.decided_at = now
    assert grant_round.status == GrantRound.Status.DECIDED
