"""The ranking table of a round and the commissioner's decision screen.

The ranking comes from `selectors.ranking` (a fixed number of queries however large the
round). Decisions are made one by one on an application's page or here in a batch: every
selected row is checked first (nothing is decided if any row is mistyped), then
`services.decide_batch` decides each in its own transaction and the page reports, row by row,
what was decided and what was refused and why (for example a budget line that would be
over-committed).
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.core.forms import error_text
from peoplezones.core.money import format_gbp
from peoplezones.finance.selectors import left_to_commit
from peoplezones.grants import permissions, services
from peoplezones.grants.forms_staff import BatchRowForm, ZoneFilterForm
from peoplezones.grants.models import Application, GrantRound
from peoplezones.grants.selectors import ranking
from peoplezones.grants.views.staff import require, round_or_404, screening_page

S = Application.Status
PENDING = (S.RECOMMENDED, S.NOT_RECOMMENDED)
# Rows per page of the ranking table; ranks run on across pages.
RANKING_PAGE_SIZE = 200


@login_required
@require_safe
def ranking_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Weighted means, spread and conflicts per application, optionally for one zone."""
    require(request, permissions.is_grants_staff, _("Only grants staff see the ranking."))
    grant_round = round_or_404(slug)
    form = ZoneFilterForm(request.GET or None, grant_round=grant_round)
    zone = None
    if form.is_bound and form.is_valid():
        zone = form.cleaned_data["zone"]
    ranked = [] if form.errors else ranking(grant_round, zone=zone)
    page = Paginator(ranked, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/staff/ranking.html",
        {
            "grant_round": grant_round,
            "rows": _ranking_rows(page.object_list, first=page.start_index()),
            "page": page,
            "query": query.urlencode(),
            "count": len(ranked),
            "form": form,
            "zone": zone,
            "criteria": list(grant_round.criteria.all()),
        },
        status=400 if form.errors else 200,
    )


def _ranking_rows(ranked: list, *, first: int = 1) -> list[dict[str, Any]]:
    """The table's cells as text, made here once: with a thousand rows, template filters and a
    {% url %} per row would cost more than the queries."""
    marker = "REFERENCE"
    link = reverse("grants:staff-application", kwargs={"reference": marker})
    statuses = dict(Application.Status.choices)
    dash = "–"

    def two_places(value: Decimal | None) -> str:
        return dash if value is None else f"{value:.2f}"

    rows = []
    for position, row in enumerate(ranked, start=first):
        application = row.application
        amount = application.amount_requested
        rows.append(
            {
                "rank": str(position) if row.mean is not None else dash,
                "url": link.replace(marker, application.reference),
                "reference": application.reference,
                "caption": f"{application.organisation.name}: {application.project_name} "
                f"({application.zone.name})",
                "mean": None if row.mean is None else two_places(row.mean),
                "reviews": row.reviews,
                "lowest": two_places(row.lowest),
                "highest": two_places(row.highest),
                "spread": two_places(row.spread),
                "conflicts": row.conflicts,
                "status": statuses[application.status],
                "amount": dash if amount is None else format_gbp(amount),
            }
        )
    return rows


def _line_state(grant_round: GrantRound) -> dict[str, Decimal] | None:
    line = grant_round.budget_line
    if line is None:
        return None
    committed, remaining = left_to_commit(line)
    return {"budget": line.amount, "committed": committed, "remaining": remaining}


def decisions_page(
    request: HttpRequest,
    grant_round: GrantRound,
    *,
    data: Any = None,
    results: list[dict[str, Any]] | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    ranked = {r.application.pk: r for r in ranking(grant_round)}
    pending = [r for r in ranked.values() if r.application.status in PENDING]
    rows = [{"ranked": r, "form": BatchRowForm(data, application=r.application)} for r in pending]
    decided = (
        grant_round.applications.filter(status__in=[S.APPROVED, S.DECLINED])
        .select_related("organisation", "zone", "award")
        .order_by("reference")
    )
    return render(
        request,
        "grants/staff/decisions.html",
        {
            "grant_round": grant_round,
            "rows": rows,
            "decided": decided,
            "line": _line_state(grant_round),
            "results": results or [],
            "errors": errors or [],
            "may_override": permissions.can_manage_finance(request.user),
        },
        status=status,
    )


def _require_commissioner(request: HttpRequest) -> None:
    require(request, permissions.can_decide, _("Only the commissioner decides on applications."))


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request: HttpRequest, slug: str) -> HttpResponse:
    """Recommended and not-recommended applications; a batch of decisions posted at once."""
    _require_commissioner(request)
    grant_round = round_or_404(slug)
    if request.method == "GET":
        return decisions_page(request, grant_round)

    pending = grant_round.applications.filter(status__in=PENDING).select_related("organisation")
    forms = [BatchRowForm(request.POST, application=a) for a in pending]
    chosen = [f for f in forms if f.is_valid() and f.cleaned_data["selected"]]
    chosen += [f for f in forms if not f.is_valid() and f.data.get(f.add_prefix("selected"))]
    if not chosen:
        return decisions_page(
            request,
            grant_round,
            data=request.POST,
            errors=[("decisions", _("Tick at least one application to decide."))],
            status=400,
        )
    errors = [
        (
            form[name if name in form.fields else "selected"].auto_id,
            _("%(reference)s: %(problem)s")
            % {"reference": form.application.reference, "problem": " ".join(problems)},
        )
        for form in chosen
        if form.errors
        for name, problems in form.errors.items()
    ]
    if errors:
        # Nothing is decided while any ticked row is mistyped.
        return decisions_page(request, grant_round, data=request.POST, errors=errors, status=400)
    outcome = services.decide_batch(
        decisions=[
            {
                "application": form.application,
                "action": form.cleaned_data["action"],
                "amount": form.cleaned_data["amount"],
                "reason": form.cleaned_data["reason"],
            }
            for form in chosen
        ],
        actor=request.user,
    )
    actions = {form.application.pk: form.cleaned_data["action"] for form in chosen}
    results = [
        {
            "application": application,
            "action": actions[application.pk],
            "problem": problem,
        }
        for application, problem in outcome
    ]
    succeeded = sum(1 for r in results if not r["problem"])
    return decisions_page(
        request,
        grant_round,
        data=request.POST,
        results=results,
        status=200 if succeeded else 400,
    )


@login_required
@require_POST
def round_decided(request: HttpRequest, slug: str) -> HttpResponse:
    """Mark every decision in the round made (refused while any application still waits)."""
    require(
        request,
        lambda user: permissions.can_decide(user) or permissions.can_manage_rounds(user),
        _("Only the commissioner or the programme team can do that."),
    )
    grant_round = round_or_404(slug)
    try:
        services.mark_round_decided(grant_round=grant_round, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        problem = error_text(error)
        if permissions.can_decide(request.user):
            return decisions_page(
                request, grant_round, errors=[("mark-decided", problem)], status=400
            )
        return screening_page(request, grant_round, errors=[("mark-decided", problem)])
    messages.success(request, _("“%(name)s” is marked as decided.") % {"name": grant_round.name})
    if permissions.can_decide(request.user):
        return redirect(reverse("grants:staff-decisions", kwargs={"slug": slug}))
    return redirect(reverse("grants:staff-round", kwargs={"slug": slug}))
