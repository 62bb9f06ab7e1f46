"""API authentication (bearer tokens) and the signed-in user's own details."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from peoplezones.accounts.selectors import user_programme_roles, user_zone_memberships
from peoplezones.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the request acts as the token's user.

    With `required=False` a request without the header is served as anonymous, but a header
    with a bad, unknown or revoked token is always refused with 401, never quietly ignored.
    """

    def __init__(self, *, required: bool = True) -> None:
        super().__init__()
        self.required = required

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get("Authorization"):
            return None if self.required else AnonymousUser()
        user = super().__call__(request)
        if user is None:
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()
optional_token_auth = TokenAuth(required=False)

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    zone: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    programme_roles: list[str]
    zone_memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=token_auth, summary="The user the token belongs to")
def me(request: HttpRequest) -> dict:
    user = request.auth
    return {
        "email": user.email,
        "full_name": user.full_name,
        "programme_roles": user_programme_roles(user=user),
        "zone_memberships": [
            {"zone": m.zone.slug, "role": m.role} for m in user_zone_memberships(user=user)
        ],
    }
