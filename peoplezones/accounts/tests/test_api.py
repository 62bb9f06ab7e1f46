import pytest

from peoplezones.accounts.services import api_token_create, api_token_revoke
from peoplezones.accounts.tests.factories import ZoneMembershipFactory
from peoplezones.core.testing import http_request


def test_me_acts_as_the_token_user(live_server):
    membership = ZoneMembershipFactory(role="chair")
    _, raw = api_token_create(user=membership.user, actor=None)

    result = http_request(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
    )

    assert result.status == 200
    assert result.json() == {
        "email": membership.user.email,
        "full_name": membership.user.full_name,
        "programme_roles": [],
        "zone_memberships": [{"zone": membership.zone.slug, "role": "chair"}],
    }


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer pz_not-a-token", "Basic dXNlcjpwYXNz", "pz_raw-token"]
)
def test_me_refuses_missing_and_bad_tokens(live_server, header):
    headers = {"Authorization": header} if header else {}

    result = http_request(f"{live_server.url}/api/v1/me", headers=headers)

    assert result.status == 401
    assert "detail" in result.json()


def test_me_refuses_a_revoked_token(live_server, user):
    token, raw = api_token_create(user=user, actor=None)
    api_token_revoke(token=token, actor=None)

    result = http_request(
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {raw}"}
    )

    assert result.status == 401
