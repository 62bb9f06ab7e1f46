"""The moderation queue: pending contributions, flags and suggested changes, side by side."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.assets.models import Asset, AssetChange, Event, Flag
from peoplezones.assets.permissions import can_moderate_assets
from peoplezones.assets.selectors import asset_get, moderation_queue
from peoplezones.assets.services import asset_change_decide, asset_transition, flag_resolve
from peoplezones.assets.workflow import TRANSITIONS, available_actions
from peoplezones.core.forms import error_text
from peoplezones.core.selectors import audit_event_list

BULK_ACTIONS = ("approve", "reject", "archive")


def _moderator_only(request: HttpRequest) -> None:
    if not can_moderate_assets(request.user):
        raise PermissionDenied(_("Only moderators can see the moderation queue."))


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    _moderator_only(request)
    return render(
        request,
        "assets/moderation/queue.html",
        {
            **moderation_queue(user=request.user),
            "bulk_actions": [TRANSITIONS[a] for a in BULK_ACTIONS],
        },
    )


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to many assets; each succeeds or fails on its own, and says so."""
    _moderator_only(request)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    ids = [int(pk) for pk in request.POST.getlist("asset") if pk.isdigit()]
    if action not in BULK_ACTIONS or not ids:
        messages.error(request, _("Choose at least one asset and an action."))
        return redirect("assets:moderation")
    done, failed = 0, []
    for asset in Asset.objects.filter(pk__in=ids):
        try:
            with transaction.atomic():
                asset_transition(asset=asset, actor=request.user, action=action, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            failed.append(f"{asset.name}: {error_text(error)}")
    if done:
        messages.success(request, _("%(count)d changed.") % {"count": done})
    for problem in failed:
        messages.error(request, problem)
    return redirect("assets:moderation")


@login_required
@require_http_methods(["GET", "POST"])
def asset_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One asset with its private details, flags and history, and the moves allowed now."""
    _moderator_only(request)
    try:
        asset = asset_get(user=request.user, pk=pk)
    except Asset.DoesNotExist:
        raise Http404 from None
    error = None
    if request.method == "POST":
        try:
            asset_transition(
                asset=asset,
                actor=request.user,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as problem:
            error = error_text(problem)
        else:
            messages.success(request, _("Done."))
            return redirect("assets:moderation-asset", pk=asset.pk)
    return render(
        request,
        "assets/moderation/asset_review.html",
        {
            "asset": asset,
            "actions": available_actions(user=request.user, obj=asset),
            "flags": asset.flags.order_by("-created"),
            "changes": asset.changes.filter(status=AssetChange.Status.PENDING),
            "history": audit_event_list(target=asset)[:50],
            "error": error,
            "reason": request.POST.get("reason", ""),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A suggested change beside the current values; approve or turn it down with a reason."""
    _moderator_only(request)
    change = AssetChange.objects.select_related("asset").filter(pk=pk).first()
    if change is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            asset_change_decide(
                change=change,
                actor=request.user,
                approve=request.POST.get("decision") == "approve",
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as problem:
            error = error_text(problem)
        else:
            messages.success(request, _("Done."))
            return redirect("assets:moderation")
    rows = [
        {
            "field": Asset._meta.get_field(field).verbose_name,
            "current": getattr(change.asset, field),
            "suggested": value,
        }
        for field, value in change.changes.items()
    ]
    return render(
        request,
        "assets/moderation/change_review.html",
        {"change": change, "rows": rows, "error": error, "reason": request.POST.get("reason", "")},
        status=400 if error else 200,
    )


@login_required
@require_POST
def flag_close(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_only(request)
    flag = Flag.objects.select_related("asset").filter(pk=pk).first()
    if flag is None:
        raise Http404
    try:
        flag_resolve(
            flag=flag,
            actor=request.user,
            status=request.POST.get("status", ""),
            resolution=request.POST.get("resolution", ""),
        )
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(request, _("The flag is closed."))
    return redirect("assets:moderation-asset", pk=flag.asset_id)


@login_required
@require_POST
def event_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_only(request)
    event = Event.objects.filter(pk=pk).first()
    if event is None:
        raise Http404
    try:
        asset_transition(
            asset=event,
            actor=request.user,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, f"{event.title}: {error_text(problem)}")
    else:
        messages.success(request, _("Done."))
    return redirect("assets:moderation")


urlpatterns = [
    path("moderation/", queue, name="moderation"),
    path("moderation/bulk/", bulk, name="moderation-bulk"),
    path("moderation/assets/<int:pk>/", asset_review, name="moderation-asset"),
    path("moderation/changes/<int:pk>/", change_review, name="moderation-change"),
    path("moderation/flags/<int:pk>/close/", flag_close, name="moderation-flag-close"),
    path("moderation/events/<int:pk>/", event_decide, name="moderation-event"),
]
