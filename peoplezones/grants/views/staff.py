"""Staff grant pages, the shared part: who may open them, finding a round or an application,
the staff home (rounds with their applications counted by status) and a round's screening list.

Every staff page needs sign-in (anonymous people are sent to sign in) and a role: the
programme team, the commissioner and finance see every application; assessors see what has
reached assessment. Anyone else gets the 403 page. The other staff pages are in
`staff_rounds` (set-up), `staff_assessment` (one application), `staff_decisions` (ranking and
the commissioner's decisions) and `staff_monitoring` (returns and closure).
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from peoplezones.grants import permissions
from peoplezones.grants.forms_staff import StatusFilterForm
from peoplezones.grants.models import Application, GrantRound
from peoplezones.grants.selectors import applications_for

S = Application.Status


def may_open_staff_pages(user: Any) -> bool:
    return permissions.is_grants_staff(user) or permissions.can_assess(user)


def require(request: HttpRequest, check: Callable[[Any], bool], message: str) -> None:
    """403 unless the signed-in user passes `check` (sign-in itself is `login_required`)."""
    if not check(request.user):
        raise PermissionDenied(message)


def require_staff(request: HttpRequest) -> None:
    require(request, may_open_staff_pages, _("Only grants staff and assessors can see this page."))


def round_or_404(slug: str) -> GrantRound:
    grant_round = (
        GrantRound.objects.select_related("fund", "budget_year", "budget_line__year")
        .filter(slug=slug)
        .first()
    )
    if grant_round is None:
        raise Http404(_("There is no grant round “%(slug)s”.") % {"slug": slug[:80]})
    return grant_round


def application_or_404(request: HttpRequest, reference: str) -> Application:
    """An application this user may see on staff pages (assessors: not drafts or withdrawn)."""
    application = (
        applications_for(request.user)
        .select_related(
            "round__fund", "round__budget_line__year", "round__budget_year", "organisation"
        )
        .filter(reference=reference)
        .first()
    )
    if application is None:
        raise Http404(_("There is no application “%(reference)s”.") % {"reference": reference[:40]})
    return application


def counts_by_status(rounds: list[GrantRound]) -> dict[int, dict[str, int]]:
    """{round id: {status: number of applications}} in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Application.objects.filter(round__in=rounds)
        .values_list("round_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for round_id, status, number in rows:
        counts[round_id][status] = number
    return counts


def status_cells(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in workflow order."""
    return [(value, label, counts.get(value, 0)) for value, label in S.choices]


@login_required
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    """Every round with its applications counted by status, and links to the work."""
    require_staff(request)
    rounds = list(
        GrantRound.objects.select_related("fund", "budget_year").prefetch_related("zones")
    )
    counts = counts_by_status(rounds)
    user = request.user
    return render(
        request,
        "grants/staff/home.html",
        {
            "rows": [
                (
                    grant_round,
                    status_cells(counts.get(grant_round.pk, {})),
                    sum(counts.get(grant_round.pk, {}).values()),
                )
                for grant_round in rounds
            ],
            "statuses": S.choices,
            "may_manage": permissions.can_manage_rounds(user),
            "may_decide": permissions.can_decide(user),
            "is_staff": permissions.is_grants_staff(user),
            "may_view_finance": permissions.can_view_finance(user),
        },
    )


def screening_page(
    request: HttpRequest, grant_round: GrantRound, *, errors: list[tuple[str, str]] | None = None
) -> HttpResponse:
    """The round's applications (filtered by status), for screening and finding one to assess."""
    filter_form = StatusFilterForm(request.GET or None)
    applications = (
        applications_for(request.user)
        .filter(round=grant_round)
        .select_related("organisation", "zone")
        .order_by("reference")
    )
    status = ""
    if filter_form.is_bound and filter_form.is_valid():
        status = filter_form.cleaned_data["status"]
        if status:
            applications = applications.filter(status=status)
    counts = counts_by_status([grant_round]).get(grant_round.pk, {})
    failed = bool(errors) or bool(filter_form.errors)
    return render(
        request,
        "grants/staff/round_detail.html",
        {
            "grant_round": grant_round,
            "applications": list(applications),
            "filter_form": filter_form,
            "filtered": bool(status),
            "statuses": [cell for cell in status_cells(counts) if cell[2]],
            "errors": errors or [],
            "may_manage": permissions.can_manage_rounds(request.user),
            "may_decide": permissions.can_decide(request.user),
            "is_staff": permissions.is_grants_staff(request.user),
        },
        status=400 if failed else 200,
    )


@login_required
@require_safe
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require_staff(request)
    return screening_page(request, round_or_404(slug))
