"""Open311 GeoReport v2 endpoints: plain views because the spec fixes the wire format.

Each view parses its parameters (`parse`), reads through `queries` or writes through the audits
services, and hands rows to `render`. Every failure the client can cause is answered with the
spec's error body in the format asked for: 400 bad input, 403 missing or bad api_key, 404 unknown
request, service, jurisdiction or format.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from peoplezones.accounts.services import api_token_authenticate
from peoplezones.audits import services
from peoplezones.audits.models import Issue, IssueCategory
from peoplezones.audits.open311 import parse, queries, render
from peoplezones.audits.open311.parse import Open311Error, bad_request, not_found
from peoplezones.audits.permissions import can_manage_issues
from peoplezones.audits.workflow import TRANSITIONS, open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

View = Callable[..., HttpResponse]


def _jurisdiction_id() -> str:
    return getattr(settings, "OPEN311_JURISDICTION_ID", "peoplezones")


def _check_jurisdiction(request: HttpRequest) -> None:
    # The spec makes jurisdiction_id required, but we serve one jurisdiction, so it may be left out.
    given = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id", "")).strip()
    if given and given != _jurisdiction_id():
        raise not_found(
            _("Unknown jurisdiction_id. This server serves “%(id)s”.") % {"id": _jurisdiction_id()}
        )


def endpoint(*methods: str) -> Callable[[View], View]:
    """Check the format suffix, method and jurisdiction; turn Open311Error into an error body."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        # API clients post with a key, not a session, so there is no CSRF token to check.
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in render.CONTENT_TYPES:
                return render.error_answer(
                    fmt="json", status=404, description=_("Unknown format: use .json or .xml.")
                )
            if request.method not in allowed:
                response = render.error_answer(
                    fmt=fmt,
                    status=405,
                    description=_("Use %(methods)s here.") % {"methods": " or ".join(methods)},
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                _check_jurisdiction(request)
                return view(request, fmt=fmt, **kwargs)
            except Open311Error as error:
                return render.error_answer(
                    fmt=fmt, status=error.status, description=error.description
                )

        return wrapped

    return decorate


def _key_holder(request: HttpRequest) -> Any:
    """The active user whose staff API token was sent as api_key, else a 403."""
    raw = (request.POST.get("api_key") or request.GET.get("api_key", "")).strip()
    if not raw:
        raise Open311Error(403, _("api_key is missing: send a staff API token as api_key."))
    user = api_token_authenticate(raw=raw)
    if user is None:
        raise Open311Error(403, _("api_key is not valid (unknown or revoked)."))
    return user


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _base_url(request: HttpRequest) -> str:
    discovery_path = reverse("open311:discovery", kwargs={"fmt": "json"})
    return request.build_absolute_uri(discovery_path.rsplit("/", 1)[0] + "/")


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    changeset = render.open311_datetime(queries.services_changed())
    contact = getattr(settings, "OPEN311_CONTACT", "") or _(
        "Contact the %(site)s programme team: %(url)s"
    ) % {"site": settings.SITE_NAME, "url": settings.SITE_URL}
    data = {
        "changeset": changeset,
        "contact": contact,
        "key_service": _(
            "Reading needs no key. To post requests or status updates, ask the programme team "
            "for a staff API token and send it as api_key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": _base_url(request),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.answer(fmt=fmt, data=data, root="discovery")


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = [render.service(category) for category in queries.service_list()]
    return render.answer(fmt=fmt, data=data, root="services", item="service")


@endpoint("GET")
def service_definition(request: HttpRequest, *, fmt: str, service_code: str) -> HttpResponse:
    try:
        category = queries.service_get(service_code=service_code)
    except IssueCategory.DoesNotExist:
        raise not_found(_("Unknown service_code “%(code)s”.") % {"code": service_code}) from None
    return render.answer(
        fmt=fmt, data=render.service_definition(category), root="service_definition"
    )


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, fmt=fmt)
    query = request.GET
    ids = parse.request_ids(query)
    category = None
    if code := query.get("service_code", "").strip():
        category = _category(code)
    states = parse.statuses(query)
    start, end = parse.window(query)
    issues = queries.request_list(ids=ids, category=category, states=states, start=start, end=end)
    data = [render.request_fields(issue, request=request) for issue in issues]
    return render.answer(fmt=fmt, data=data, root="service_requests", item="request")


def _category(service_code: str) -> IssueCategory:
    try:
        return queries.service_get(service_code=service_code)
    except IssueCategory.DoesNotExist:
        raise bad_request(
            _("Unknown service_code “%(code)s”: see services.json.") % {"code": service_code}
        ) from None


def _request_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    user = _key_holder(request)
    data = request.POST
    code = data.get("service_code", "").strip()
    if not code:
        raise bad_request(_("service_code is required."))
    category = _category(code)
    latitude = parse.coordinate(data, "lat")
    longitude = parse.coordinate(data, "long")
    try:
        # A request from a key holder is trusted: public at once, with no emailed confirmation.
        with transaction.atomic():
            issue = services.issue_report(
                actor=user,
                category=category,
                latitude=latitude,
                longitude=longitude,
                description=data.get("description", ""),
                attributes=parse.attributes(data),
                reporter_name=parse.reporter_name(data),
                reporter_email=data.get("email", ""),
                reporter_phone=data.get("phone", ""),
                source=Issue.Source.OPEN311,
                trusted=True,
            )
    except ValidationError as error:
        raise bad_request(_messages(error)) from None
    answer = [
        {
            "service_request_id": str(issue.pk),
            "service_notice": _("Thank you. The programme team will look at this request."),
            "account_id": None,
        }
    ]
    return render.answer(fmt=fmt, data=answer, root="service_requests", item="request")


@endpoint("GET")
def request_detail(request: HttpRequest, *, fmt: str, service_request_id: str) -> HttpResponse:
    pk = parse.request_id(service_request_id, in_path=True)
    try:
        issue = queries.request_get(pk=pk)
    except Issue.DoesNotExist:
        raise not_found(_("There is no request %(id)s.") % {"id": pk}) from None
    data = [render.request_fields(issue, request=request)]
    return render.answer(fmt=fmt, data=data, root="service_requests", item="request")


@endpoint("GET")
def token(request: HttpRequest, *, fmt: str, token_id: str) -> HttpResponse:
    try:
        issue = queries.request_for_token(token=str(parse.token(token_id)))
    except Issue.DoesNotExist:
        raise not_found(_("There is no request with that token.")) from None
    data = [{"service_request_id": str(issue.pk), "token": str(issue.uuid)}]
    return render.answer(fmt=fmt, data=data, root="service_requests", item="request")


def _update_actor(*, issue: Issue, user: Any, action: str) -> Any:
    # Once an issue is referred, its council speaks for it on the timeline; the key holder is
    # still the one who had to be allowed to manage the issue.
    body = queries.responsible_body(issue=issue)
    if body is not None and TRANSITIONS[action].allowed(body, issue):
        return body
    return user


@endpoint("POST")
def service_request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    user = _key_holder(request)
    data = request.POST
    if not data.get("service_request_id", "").strip():
        raise bad_request(_("service_request_id is required."))
    pk = parse.request_id(data["service_request_id"])
    try:
        issue = queries.issue_for_update(user=user, pk=pk)
    except Issue.DoesNotExist:
        raise not_found(_("There is no request %(id)s.") % {"id": pk}) from None
    if not can_manage_issues(user, issue):
        raise Open311Error(403, _("This api_key may not update requests."))
    # Checked so a client learns about a malformed value, though the timeline records when we
    # received the update rather than a time the client claims.
    parse.moment(data, "updated_datetime")
    term = data.get("term", "").strip().lower()
    action = parse.update_action(
        current=issue.state,
        status=data.get("status", ""),
        external_status=data.get("external_status", ""),
        term=term,
    )
    text = (data.get("description") or data.get("status_notes") or "").strip()
    try:
        if action is not None:
            actor = _update_actor(issue=issue, user=user, action=action)
            issue = services.issue_transition(
                issue=issue, actor=actor, action=action, text=text, public=True, term=term
            )
        elif text:
            services.issue_add_note(issue=issue, actor=user, text=text, public=True)
    except ValidationError as error:
        raise bad_request(_messages(error)) from None
    except PermissionDenied as error:
        raise Open311Error(403, str(error) or _("This api_key may not do that.")) from None
    update = queries.latest_update(issue=issue)
    answer = [
        {
            "update_id": str(update.pk) if update is not None else None,
            "service_request_id": str(issue.pk),
            "status": open311_status(issue.state),
            "external_status": issue.state,
            "updated_datetime": render.open311_datetime(issue.modified),
        }
    ]
    return render.answer(
        fmt=fmt, data=answer, root="service_request_updates", item="request_update"
    )


@csrf_exempt
def unknown(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under the Open311 root gets the spec's 404 body, not an HTML page."""
    fmt = "xml" if path.endswith(".xml") else "json"
    return render.error_answer(
        fmt=fmt,
        status=404,
        description=_(
            "Not an Open311 endpoint. Try discovery, services, requests or tokens with .json or "
            ".xml."
        ),
    )
