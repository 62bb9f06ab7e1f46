"""Fixtures shared by every app's tests."""

import pytest
from hypothesis import settings as hypothesis_settings

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.zones.tests.factories import ZoneFactory

# Tests never assert on wall-clock time: Hypothesis's per-example deadline would fail a test
# on a busy machine for no fault of the code.
hypothesis_settings.register_profile("platform", deadline=None)
hypothesis_settings.load_profile("platform")


@pytest.fixture
def zone(db):
    return ZoneFactory()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def programme_team_user(db):
    return UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])


@pytest.fixture
def moderator(db):
    return UserFactory(roles=[ProgrammeRole.MODERATOR])
