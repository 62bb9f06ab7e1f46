"""The platform's JSON API, version 1, at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from peoplezones.accounts.api import router as accounts_router
from peoplezones.assets.api import router as assets_router
from peoplezones.audits.api import router as audits_router
from peoplezones.finance.api import router as finance_router
from peoplezones.governance.api import router as governance_router
from peoplezones.grants.api import router as grants_router
from peoplezones.zones.api import router as zones_router

api = NinjaAPI(
    title="People Zones API",
    version="1",
    description=(
        "Open data and staff tools of the People Zones platform. Public endpoints need no "
        "key; staff send `Authorization: Bearer <token>` (made with "
        "`manage.py create_api_token EMAIL`)."
    ),
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def authentication_failed(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "The API token is missing, unknown or revoked."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Services reject bad input with ValidationError: answer 400 with every message."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You are not allowed to do that."
    return api.create_response(request, {"detail": message}, status=403)


api.add_router("/zones", zones_router)
api.add_router("/", assets_router)
api.add_router("/", audits_router)
api.add_router("/", accounts_router)
api.add_router("/", governance_router)
api.add_router("/grants", grants_router)
api.add_router("/finance", finance_router)
