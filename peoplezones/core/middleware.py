"""Middleware of the platform's own."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiMethodNotAllowedMiddleware:
    """The API answers every error in JSON; Django Ninja's own `405 Method Not Allowed` is a
    line of plain text, so it is answered again here, in JSON, with the same `Allow` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            answer = JsonResponse(
                {
                    "detail": _("This address does not take %(method)s; it takes %(allowed)s.")
                    % {"method": request.method, "allowed": allowed or "-"}
                },
                status=405,
            )
            if allowed:
                answer["Allow"] = allowed
            return answer
        return response
