"""Public pages of safety audits: report a problem, see it on a map, follow it to the fix."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.assets.selectors import postcode_point
from peoplezones.audits.followup import issue_record_reporter_answer, read_answer_token
from peoplezones.audits.forms import FollowForm, IssueReportForm
from peoplezones.audits.models import Audit, Issue, IssueCategory, IssueSubscription
from peoplezones.audits.permissions import can_manage_issues
from peoplezones.audits.selectors import (
    audit_list,
    category_list,
    issue_for_client_report,
    issue_get,
    issue_list,
    issue_photos,
    issue_timeline,
    nearby_open_issues,
)
from peoplezones.audits.services import (
    issue_confirm,
    issue_report,
    issue_support,
    subscription_cancel,
    subscription_confirm,
    subscription_create,
)
from peoplezones.audits.workflow import CLOSED_STATES, OPEN_STATES
from peoplezones.core import geo
from peoplezones.core.forms import add_service_errors
from peoplezones.core.http import contribution_limited
from peoplezones.core.images import MAX_UPLOAD_BYTES, exif_gps
from peoplezones.zones.models import Zone
from peoplezones.zones.shortcuts import zone_or_404

STATE_FILTERS = {"open": sorted(OPEN_STATES), "closed": sorted(CLOSED_STATES)}


def _issue_or_404(request: HttpRequest, pk: int) -> Issue:
    try:
        return issue_get(user=request.user, pk=pk)
    except Issue.DoesNotExist:
        raise Http404(_("There is no such issue.")) from None


def _filters(request: HttpRequest) -> dict:
    category = IssueCategory.objects.filter(code=request.GET.get("category") or "").first()
    state = request.GET.get("state") if request.GET.get("state") in STATE_FILTERS else ""
    return {"category": category, "state": state}


def _issues_page(request: HttpRequest, *, zone: Zone, audit: Audit | None) -> HttpResponse:
    filters = _filters(request)
    issues = issue_list(
        user=AnonymousUser(),
        zone=zone,
        audit=audit,
        category=filters["category"],
        states=STATE_FILTERS.get(filters["state"]),
    )
    page = Paginator(issues, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    points = params.copy()
    points["zone"] = zone.slug
    if audit is not None:
        points["audit"] = audit.slug
    return render(
        request,
        "audits/issues.html",
        {
            "zone": zone,
            "audit": audit,
            "audits": audit_list(user=request.user, zone=zone) if audit is None else None,
            "categories": category_list(),
            "filters": filters,
            "page": page,
            "query": params.urlencode(),
            "points_url": f"{reverse('audits:issue-points')}?{points.urlencode()}",
        },
    )


@require_safe
def zone_issues(request: HttpRequest, slug: str) -> HttpResponse:
    zone = zone_or_404(user=request.user, slug=slug)
    return _issues_page(request, zone=zone, audit=None)


@require_safe
def audit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    audit = Audit.objects.select_related("zone").filter(slug=slug).first()
    if audit is None:
        raise Http404
    return _issues_page(request, zone=audit.zone, audit=audit)


@require_safe
def issue_points(request: HttpRequest) -> JsonResponse:
    """Markers for the issue maps: the same filters as the list."""
    filters = _filters(request)
    zone = Zone.objects.filter(slug=request.GET.get("zone") or "").first()
    audit = Audit.objects.filter(slug=request.GET.get("audit") or "").first()
    issues = issue_list(
        user=AnonymousUser(),
        zone=zone,
        audit=audit,
        category=filters["category"],
        states=STATE_FILTERS.get(filters["state"]),
    )
    return JsonResponse(
        {
            "points": [
                {
                    "id": issue.pk,
                    "lat": issue.latitude,
                    "lon": issue.longitude,
                    "name": f"{issue.category.name}: {issue.get_state_display()}",
                    "colour": "#00703c" if issue.state in CLOSED_STATES else "#d4351c",
                    "url": issue.get_absolute_url(),
                }
                for issue in issues[:5000]
            ]
        }
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem in two steps: pick a picture, then place the pin and say what's wrong.

    Before saving, open reports of the same kind within 250 m are shown with a "me too"
    button, so that people support an existing report instead of making a duplicate.
    """
    audit = Audit.objects.select_related("zone").filter(slug=request.GET.get("audit") or "").first()
    categories = category_list(audit=audit)
    category = categories.filter(code=request.GET.get("category") or "").first()
    if category is None:
        return render(
            request,
            "audits/report_category.html",
            {"categories": categories, "audit": audit, "zone_slug": request.GET.get("zone", "")},
        )
    if request.method == "GET":
        form = IssueReportForm(category=category)
        return render(request, "audits/report_form.html", _form_context(request, form, audit))
    form = IssueReportForm(request.POST, request.FILES, category=category)
    if form.is_valid() and form.is_spam():
        return render(request, "audits/report_done.html", {"issue": None})
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        if data.get("client_report_id"):
            # A phone resending its offline queue after a lost answer: say it is done again.
            already = issue_for_client_report(client_report_id=data["client_report_id"])
            if already is not None:
                return render(request, "audits/report_done.html", {"issue": already})
        if data["latitude"] is None or data["longitude"] is None:
            point = postcode_point(postcode=data["postcode"]) if data["postcode"] else None
            if point is None:
                form.add_error(
                    "latitude",
                    _(
                        "Show us where it is: tap the map, use your location, or give a "
                        "postcode we know."
                    ),
                )
                return render(
                    request,
                    "audits/report_form.html",
                    _form_context(request, form, audit),
                    status=400,
                )
            data["latitude"], data["longitude"] = point
        nearby = []
        if not data["checked_nearby"]:
            nearby = nearby_open_issues(
                category=category, lat=data["latitude"], lon=data["longitude"]
            )
        if nearby:
            form.data = form.data.copy()
            form.data["checked_nearby"] = "on"
            return render(
                request,
                "audits/report_form.html",
                {**_form_context(request, form, audit), "nearby": nearby},
            )
        if contribution_limited(request):
            form.add_error(None, _("Too many reports from your address. Try again in an hour."))
            status = 429
        else:
            try:
                issue = issue_report(
                    actor=request.user,
                    category=category,
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    accuracy_m=data.get("accuracy_m"),
                    description=data["description"],
                    attributes=form.attributes(),
                    photos=[data["photo"]] if data.get("photo") else [],
                    reporter_name=data["reporter_name"],
                    reporter_email=data["reporter_email"],
                    reporter_phone=data["reporter_phone"],
                    show_name=data["show_name"],
                    audit=audit,
                    client_report_id=data.get("client_report_id"),
                )
            except ValidationError as error:
                add_service_errors(
                    form,
                    error,
                    field_names={"attributes": None, "category": None},
                    photo_field="photo",
                )
            else:
                return render(request, "audits/report_done.html", {"issue": issue})
    return render(
        request, "audits/report_form.html", _form_context(request, form, audit), status=status
    )


def _form_context(request: HttpRequest, form: IssueReportForm, audit: Audit | None) -> dict:
    zone = audit.zone if audit else Zone.objects.filter(slug=request.GET.get("zone") or "").first()
    return {
        "form": form,
        "category": form.category,
        "audit": audit,
        "zone": zone,
        "zone_boundary": zone.boundary if zone else None,
    }


@require_POST
def photo_location(request: HttpRequest) -> JsonResponse:
    """Where a chosen photo was taken, to suggest the pin; the photo is read and forgotten."""
    upload = request.FILES.get("photo")
    if upload is None or upload.size > MAX_UPLOAD_BYTES:
        return JsonResponse({"detail": _("Send one photo of 10 MB or less.")}, status=400)
    point = exif_gps(upload.read())
    if point is None:
        return JsonResponse({})
    try:
        lat, lon = geo.validate_point(lat=point[0], lon=point[1])
    except geo.GeoError:
        return JsonResponse({})
    return JsonResponse({"lat": lat, "lon": lon})


@require_safe
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    return render(
        request,
        "audits/issue_detail.html",
        {
            "issue": issue,
            "photos": issue_photos(user=request.user, issue=issue),
            "timeline": issue_timeline(user=request.user, issue=issue),
            "follow_form": FollowForm(),
            "can_support": issue.state in OPEN_STATES,
            "can_manage": can_manage_issues(request.user, issue),
        },
    )


@require_safe
def confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    issue = Issue.objects.filter(pk=pk).first()
    if issue is None:
        raise Http404
    try:
        issue = issue_confirm(issue=issue, token=token)
    except PermissionDenied as error:
        return render(request, "audits/confirm_failed.html", {"message": str(error)}, status=403)
    messages.success(request, _("Thank you: your report is confirmed and now public."))
    return redirect(issue.get_absolute_url())


@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Me too" from the issue page or the duplicate check while reporting."""
    issue = _issue_or_404(request, pk)
    if contribution_limited(request):
        messages.error(request, _("Too many reports from your address. Try again in an hour."))
        return redirect(issue.get_absolute_url())
    try:
        issue_support(issue=issue, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: we have added you to this report."))
    return redirect(issue.get_absolute_url())


@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_or_404(request, pk)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "audits/issue_detail.html",
            {
                "issue": issue,
                "photos": issue_photos(user=request.user, issue=issue),
                "timeline": issue_timeline(user=request.user, issue=issue),
                "follow_form": form,
                "can_support": issue.state in OPEN_STATES,
            },
            status=400,
        )
    if contribution_limited(request):
        messages.error(request, _("Too many requests from your address. Try again in an hour."))
    else:
        subscription_create(issue=issue, email=form.cleaned_data["email"])
        messages.success(
            request, _("Check your email: open the link we sent to start getting updates.")
        )
    return redirect(issue.get_absolute_url())


@require_safe
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = subscription_confirm(token=token)
    except IssueSubscription.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("You will get an email when this issue changes."))
    return redirect(subscription.issue.get_absolute_url())


@require_safe
def fixed_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The reporter's one-click answer to “has it been fixed?”."""
    try:
        answer = read_answer_token(token)
    except signing.BadSignature:
        return render(
            request,
            "audits/confirm_failed.html",
            {"message": _("This link is not right or has expired.")},
            status=403,
        )
    issue = Issue.objects.filter(pk=answer["issue"]).first()
    if issue is None:
        raise Http404
    issue = issue_record_reporter_answer(issue=issue, fixed=bool(answer["fixed"]))
    messages.success(request, _("Thank you for letting us know."))
    return redirect(issue.get_absolute_url())


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the email stops the updates (and forgets the address)."""
    subscription_cancel(token=token)
    return render(request, "audits/unsubscribed.html")


urlpatterns = [
    path("zones/<slug:slug>/issues/", zone_issues, name="zone-issues"),
    path("audits/<slug:slug>/", audit_detail, name="audit-detail"),
    path("issues/report/", report, name="report"),
    path("issues/points.json", issue_points, name="issue-points"),
    path("issues/photo-location.json", photo_location, name="photo-location"),
    path("issues/<int:pk>/", issue_detail, name="issue-detail"),
    path("issues/<int:pk>/confirm/<str:token>/", confirm, name="issue-confirm"),
    path("issues/<int:pk>/me-too/", support, name="issue-support"),
    path("issues/<int:pk>/follow/", follow, name="issue-follow"),
    path("issues/follow/<str:token>/", follow_confirm, name="subscription-confirm"),
    path("issues/unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("issues/fixed/<str:token>/", fixed_answer, name="fixed-answer"),
]
