"""Monitoring: returns due and overdue (with how many days), submitted returns to accept,
scheduling a return for an award, and closing an award once its returns are accepted.

Grants staff see the page; the programme team acts on it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from peoplezones.core.forms import add_service_errors, error_text
from peoplezones.grants import permissions, services
from peoplezones.grants.forms_staff import CloseAwardForm, ScheduleReturnForm
from peoplezones.grants.models import Award, MonitoringReturn
from peoplezones.grants.views.staff import require

R = MonitoringReturn.Status


def _require_view(request: HttpRequest) -> None:
    require(request, permissions.is_grants_staff, _("Only grants staff see monitoring returns."))


def _require_programme_team(request: HttpRequest) -> None:
    require(request, permissions.can_screen, _("Only the programme team manages monitoring."))


def monitoring_page(
    request: HttpRequest,
    *,
    schedule_form: ScheduleReturnForm | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    returns = list(
        MonitoringReturn.objects.filter(status__in=[R.DUE, R.SUBMITTED])
        .select_related("award__application__organisation", "award__application__zone")
        .order_by("due_on", "pk")
    )
    due = [(item, (today - item.due_on).days) for item in returns if item.status == R.DUE]
    open_awards = (
        Award.objects.filter(closed_on__isnull=True)
        .select_related("application__organisation", "application__zone", "application__round")
        .annotate(
            outstanding=Count(
                "monitoring_returns", filter=~Q(monitoring_returns__status=R.ACCEPTED)
            ),
            scheduled=Count("monitoring_returns"),
        )
        .order_by("application__reference")
    )
    may_act = permissions.can_screen(request.user)
    if may_act and schedule_form is None:
        schedule_form = ScheduleReturnForm()
    return render(
        request,
        "grants/staff/monitoring.html",
        {
            "due": due,
            "overdue_count": sum(1 for _item, days in due if days > 0),
            "submitted": [item for item in returns if item.status == R.SUBMITTED],
            "open_awards": open_awards,
            "schedule_form": schedule_form if may_act else None,
            "close_form": CloseAwardForm() if may_act else None,
            "may_act": may_act,
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_safe
def monitoring(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return monitoring_page(request)


def _back() -> HttpResponse:
    return redirect(reverse("grants:staff-monitoring"))


@login_required
@require_POST
def return_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require_programme_team(request)
    item = get_object_or_404(MonitoringReturn.objects.select_related("award"), pk=pk)
    try:
        services.accept_return(item=item, actor=request.user)
    except ValidationError as error:
        return monitoring_page(request, errors=[("submitted", error_text(error))], status=400)
    messages.success(request, _("The return “%(title)s” is accepted.") % {"title": item.title})
    return _back()


@login_required
@require_POST
def return_schedule(request: HttpRequest) -> HttpResponse:
    _require_programme_team(request)
    form = ScheduleReturnForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_return(
                award=data["award"], due_on=data["due_on"], title=data["title"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("A return is due from %(reference)s on %(date)s.")
                % {
                    "reference": data["award"].application.reference,
                    "date": data["due_on"].strftime("%d/%m/%Y"),
                },
            )
            return _back()
    return monitoring_page(request, schedule_form=form, status=400)


@login_required
@require_POST
def award_close(request: HttpRequest, identifier: str) -> HttpResponse:
    _require_programme_team(request)
    award = get_object_or_404(Award.objects.select_related("application"), identifier=identifier)
    form = CloseAwardForm(request.POST)
    if not form.is_valid():
        problems = [("awards", m) for messages_ in form.errors.values() for m in messages_]
        return monitoring_page(request, errors=problems, status=400)
    try:
        services.close_award(award=award, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        return monitoring_page(
            request,
            errors=[
                (
                    "awards",
                    _("%(reference)s cannot be closed: %(problem)s")
                    % {"reference": award.application.reference, "problem": error_text(error)},
                )
            ],
            status=400,
        )
    messages.success(
        request, _("%(reference)s is closed.") % {"reference": award.application.reference}
    )
    return _back()
