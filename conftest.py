"""Fixtures shared by every app's tests."""

import pytest

from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.tests.factories import UserFactory
from peoplezones.zones.tests.factories import ZoneFactory


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
