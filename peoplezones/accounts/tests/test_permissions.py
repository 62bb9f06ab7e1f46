import pytest
from django.contrib.auth.models import AnonymousUser

from peoplezones.accounts.permissions import (
    can_create_api_token,
    can_manage_zone_memberships,
    can_view_dashboard,
    can_view_zone_workspace,
)
from peoplezones.accounts.roles import ProgrammeRole, has_programme_role
from peoplezones.accounts.tests.factories import UserFactory, ZoneMembershipFactory
from peoplezones.zones.permissions import can_change_zone, can_view_unpublished_zones
from peoplezones.zones.tests.factories import ZoneFactory


def test_anonymous_users_hold_no_role_and_may_do_nothing(zone):
    anonymous = AnonymousUser()

    assert not has_programme_role(anonymous, *ProgrammeRole.values)
    assert not can_view_dashboard(anonymous)
    assert not can_view_zone_workspace(anonymous, zone)
    assert not can_manage_zone_memberships(anonymous, zone)
    assert not can_change_zone(anonymous, zone)
    assert not can_view_unpublished_zones(anonymous)


def test_superuser_holds_every_role(db):
    admin = UserFactory(is_superuser=True, is_staff=True)

    assert all(has_programme_role(admin, role) for role in ProgrammeRole)


def test_inactive_user_loses_their_roles(db):
    user = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM], is_active=False)

    assert not has_programme_role(user, ProgrammeRole.PROGRAMME_TEAM)
    assert not can_view_dashboard(user)


@pytest.mark.parametrize(
    ("role", "may_change"),
    [
        (ProgrammeRole.PROGRAMME_TEAM, True),
        (ProgrammeRole.COMMISSIONER, False),
        (ProgrammeRole.FINANCE, False),
        (ProgrammeRole.PANEL_MEMBER, False),
        (ProgrammeRole.MODERATOR, False),
    ],
)
def test_can_change_zone_only_for_the_programme_team(zone, role, may_change):
    assert can_change_zone(UserFactory(roles=[role]), zone) is may_change


def test_zone_workspace_is_for_members_of_that_zone_only(db):
    here, there = ZoneFactory(), ZoneFactory()
    membership = ZoneMembershipFactory(zone=here, role="member")

    assert can_view_zone_workspace(membership.user, here)
    assert not can_view_zone_workspace(membership.user, there)
    assert can_view_zone_workspace(UserFactory(roles=[ProgrammeRole.COMMISSIONER]), there)


def test_zone_officers_manage_memberships_of_their_zone_only(db):
    here, there = ZoneFactory(), ZoneFactory()
    officer = ZoneMembershipFactory(zone=here, role="zone_officer").user
    chair = ZoneMembershipFactory(zone=here, role="chair").user

    assert can_manage_zone_memberships(officer, here)
    assert not can_manage_zone_memberships(officer, there)
    assert not can_manage_zone_memberships(chair, here)


def test_only_the_programme_team_makes_api_tokens(programme_team_user, user):
    assert can_create_api_token(programme_team_user, user)
    assert not can_create_api_token(user, user)
