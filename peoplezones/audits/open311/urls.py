from django.urls import re_path

from peoplezones.audits.open311 import views

app_name = "open311"

# Paths as GeoReport v2 names them, each ending in its format (.json or .xml); the views answer
# other formats with a 404 error body.
FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="service-list"),
    re_path(
        r"^services/(?P<service_code>[^/]+)" + FMT,
        views.service_definition,
        name="service-definition",
    ),
    re_path(r"^requests" + FMT, views.requests, name="request-list"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)" + FMT,
        views.request_detail,
        name="request-detail",
    ),
    # The Swagger description spells the single-request path in the singular.
    re_path(
        r"^request/(?P<service_request_id>[^/]+)" + FMT,
        views.request_detail,
        name="request-detail-singular",
    ),
    re_path(r"^tokens/(?P<token_id>[^/]+)" + FMT, views.token, name="token"),
    re_path(
        r"^servicerequestupdates" + FMT,
        views.service_request_updates,
        name="service-request-updates",
    ),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
