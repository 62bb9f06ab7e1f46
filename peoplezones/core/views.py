from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from peoplezones.core.selectors import database_is_reachable


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, 503 when it doesn't."""
    if database_is_reachable():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Any address under /api/v1/ that the API does not have: a JSON 404 for API clients, not
    the site's HTML page. Whatever the method, so a POST is not refused for a missing token."""
    return JsonResponse(
        {"detail": _("There is no such API address. The API's documentation is at /api/v1/docs.")},
        status=404,
    )


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
