"""The rolling action log of a zone's steering group: the log with filters and a form to add an
action, one action with its timeline and a form to update or close it, and the log as CSV or
Word to circulate.

The log names owners, so only the zone's people and staff (`can_view_group_drafts`) see it;
anyone else gets the same 404 as for a zone with no group. Writes go to `governance.services`.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.governance.action_queries import (
    action_get,
    action_log,
    action_log_group,
    action_timeline,
    with_rag,
)
from peoplezones.governance.exports_actions import action_log_csv, action_log_docx
from peoplezones.governance.forms_actions import ActionFilterForm, ActionForm, ActionUpdateForm
from peoplezones.governance.models import Action, SteeringGroup
from peoplezones.governance.permissions import can_edit_group_business
from peoplezones.governance.selectors import CLOSED, today
from peoplezones.governance.services import action_create, action_update

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _group_or_404(request: HttpRequest, slug: str) -> SteeringGroup:
    try:
        return action_log_group(user=request.user, slug=slug)
    except SteeringGroup.DoesNotExist:
        raise Http404(_("There is no action log here.")) from None


def _action_or_404(request: HttpRequest, pk: int) -> Action:
    try:
        return action_get(user=request.user, pk=pk)
    except Action.DoesNotExist:
        raise Http404(_("There is no such action.")) from None


def _filtered(request: HttpRequest, group: SteeringGroup) -> tuple[ActionFilterForm, list]:
    filter_form = ActionFilterForm(request.GET or None, group=group)
    actions = action_log(user=request.user, group=group, **filter_form.filters())
    return filter_form, actions


@login_required
@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The log, filtered by the query string; posting adds an action."""
    group = _group_or_404(request, slug)
    may_edit = can_edit_group_business(request.user, group)
    form = ActionForm(group=group) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Only the zone's members and the programme team add actions."))
        form = ActionForm(request.POST, group=group)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = action_create(
                    group=group,
                    actor=request.user,
                    description=data["description"],
                    owner_member=data["owner_member"],
                    owner_text="" if data["owner_member"] else data["owner_text"],
                    theme=data["theme"],
                    raised_at=data["raised_at"],
                    due=data["due"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Action %(reference)s added.") % {"reference": action.reference}
                )
                return redirect(reverse("governance:action-list", kwargs={"slug": slug}))
    filter_form, actions = _filtered(request, group)
    failed = bool(filter_form.errors or (form is not None and form.errors))
    return render(
        request,
        "governance/actions/list.html",
        {
            "group": group,
            "zone": group.zone,
            "actions": actions,
            "filter_form": filter_form,
            "filtered": bool(filter_form.filters()),
            "form": form,
            "query": request.GET.urlencode(),
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One action and its timeline; posting adds an update, changes status or due date."""
    action = _action_or_404(request, pk)
    may_edit = can_edit_group_business(request.user, action.group)
    # The date control reads ISO dates only; a localised "24 Nov 2026" would show as empty.
    initial: dict[str, Any] = {
        "status": action.status,
        "due": action.due.isoformat() if action.due else None,
    }
    form = ActionUpdateForm(initial=initial) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(
                _("Only the zone's members and the programme team update actions.")
            )
        form = ActionUpdateForm(request.POST, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                updated = action_update(
                    action=action,
                    actor=request.user,
                    text=data["text"],
                    status=data["status"],
                    due=data["due"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                if updated.status in CLOSED and action.status not in CLOSED:
                    message = _("Action %(reference)s closed as “%(status)s”.")
                else:
                    message = _("Update to %(reference)s saved.")
                messages.success(
                    request,
                    message
                    % {"reference": updated.reference, "status": updated.get_status_display()},
                )
                return redirect(reverse("governance:action-detail", kwargs={"pk": pk}))
    return render(
        request,
        "governance/actions/detail.html",
        {
            "action": with_rag([action])[0],
            "group": action.group,
            "zone": action.group.zone,
            "timeline": action_timeline(action=action),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def action_log_csv_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The log (with the page's filters) as CSV."""
    group = _group_or_404(request, slug)
    _form, actions = _filtered(request, group)
    return _download(
        action_log_csv(actions=actions),
        "text/csv; charset=utf-8",
        f"{group.zone.slug}-action-log-{today():%Y-%m-%d}.csv",
    )


@login_required
@require_safe
def action_log_docx_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The log (with the page's filters) as a landscape Word table."""
    group = _group_or_404(request, slug)
    _form, actions = _filtered(request, group)
    on = today()
    return _download(
        action_log_docx(group=group, actions=actions, on=on),
        DOCX_TYPE,
        f"{group.zone.slug}-action-log-{on:%Y-%m-%d}.docx",
    )


urlpatterns = [
    path("zones/<slug:slug>/actions/", action_list, name="action-list"),
    path("zones/<slug:slug>/actions.csv", action_log_csv_view, name="action-log-csv"),
    path("zones/<slug:slug>/actions.docx", action_log_docx_view, name="action-log-docx"),
    path("actions/<int:pk>/", action_detail, name="action-detail"),
]
