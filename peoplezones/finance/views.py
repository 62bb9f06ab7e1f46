"""Budget pages: the years, a year's lines with their totals and warnings, one line with its
commitments and spend, an award's payments, and the reconciliation of published figures.

The programme team, the commissioner and finance read them; only finance officers write (the
programme team may also record a published figure). Every total comes from `selectors`.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.core.money import GBP_ZERO, format_gbp
from peoplezones.finance import services
from peoplezones.finance.forms import CommitmentForm, PaymentForm, SpendForm, StatedFigureForm
from peoplezones.finance.models import BudgetLine, BudgetYear, Spend
from peoplezones.finance.reconciliation import reconcile
from peoplezones.finance.selectors import (
    commitments_for,
    line_totals,
    totals_sum,
    year_summary,
)
from peoplezones.finance.year_notes import year_notes
from peoplezones.grants import permissions
from peoplezones.grants import services as grant_services
from peoplezones.grants.models import Award


def _require_view(request: HttpRequest) -> None:
    if not permissions.can_view_finance(request.user):
        raise PermissionDenied(
            _("Only the programme team, the commissioner and finance see the budget.")
        )


def _require_finance(request: HttpRequest) -> None:
    if not permissions.can_manage_finance(request.user):
        raise PermissionDenied(_("Only a finance officer can change the budget records."))


def _year_or_404(start_year: int) -> BudgetYear:
    year = BudgetYear.objects.filter(start_year=start_year).first()
    if year is None:
        raise Http404(_("No budget year starting in %(year)s is recorded.") % {"year": start_year})
    return year


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Every budget year with its headline totals (a handful of years: three queries each)."""
    _require_view(request)
    years = [(year, year_summary(year=year)) for year in BudgetYear.objects.all()]
    return render(request, "finance/home.html", {"years": years})


@login_required
@require_safe
def year_detail(request: HttpRequest, start_year: int) -> HttpResponse:
    """A year's lines: budget, committed, spent, remaining, with warnings, and the totals."""
    _require_view(request)
    year = _year_or_404(start_year)
    totals = line_totals(year=year)
    return render(
        request,
        "finance/year_detail.html",
        {
            "year": year,
            "lines": totals,
            "total": totals_sum(totals),
            "warnings": [t for t in totals if t.over_committed or t.nearly_committed],
            "notes": year_notes(year),
        },
    )


def _line_page(
    request: HttpRequest,
    year: BudgetYear,
    line: BudgetLine,
    *,
    commitment_form: CommitmentForm | None = None,
    spend_form: SpendForm | None = None,
) -> HttpResponse:
    may_write = permissions.can_manage_finance(request.user)
    if may_write:
        commitment_form = commitment_form or CommitmentForm()
        spend_form = spend_form or SpendForm(line=line)
    totals = next(t for t in line_totals(year=year) if t.line.pk == line.pk)
    failed = bool(
        (commitment_form is not None and commitment_form.errors)
        or (spend_form is not None and spend_form.errors)
    )
    return render(
        request,
        "finance/line_detail.html",
        {
            "year": year,
            "line": line,
            "totals": totals,
            "commitments": commitments_for(line=line)
            .select_related("award__application")
            .order_by("-committed_on", "-pk"),
            "spends": Spend.objects.filter(commitment__line=line).select_related("commitment"),
            "commitment_form": commitment_form if may_write else None,
            "spend_form": spend_form if may_write else None,
        },
        status=400 if failed else 200,
    )


def _line_or_404(start_year: int, pk: int) -> tuple[BudgetYear, BudgetLine]:
    year = _year_or_404(start_year)
    return year, get_object_or_404(BudgetLine, year=year, pk=pk)


@login_required
@require_safe
def line_detail(request: HttpRequest, start_year: int, pk: int) -> HttpResponse:
    """One line: its totals, its commitments (with what was paid against each) and its spend."""
    _require_view(request)
    year, line = _line_or_404(start_year, pk)
    return _line_page(request, year, line)


@login_required
@require_POST
def commitment_create(request: HttpRequest, start_year: int, pk: int) -> HttpResponse:
    _require_view(request)
    _require_finance(request)
    year, line = _line_or_404(start_year, pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            commitment = services.commit(
                line=line,
                amount=data["amount"],
                description=data["description"],
                kind=data["kind"],
                actor=request.user,
                zone=data["zone"],
                committed_on=data["committed_on"],
                override_reason=data["override_reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(amount)s committed for “%(description)s”.")
                % {"amount": format_gbp(commitment.amount), "description": commitment.description},
            )
            return redirect(_line_url(line))
    return _line_page(request, year, line, commitment_form=form)


@login_required
@require_POST
def spend_create(request: HttpRequest, start_year: int, pk: int) -> HttpResponse:
    _require_view(request)
    _require_finance(request)
    year, line = _line_or_404(start_year, pk)
    form = SpendForm(request.POST, line=line)
    if form.is_valid():
        data = form.cleaned_data
        try:
            spend = services.record_spend(
                commitment=data["commitment"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                reference=data["reference"],
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(amount)s paid against “%(description)s” recorded.")
                % {"amount": format_gbp(spend.amount), "description": spend.commitment.description},
            )
            return redirect(_line_url(line))
    return _line_page(request, year, line, spend_form=form)


def _line_url(line: BudgetLine) -> str:
    return reverse(
        "finance:line-detail", kwargs={"start_year": line.year.start_year, "pk": line.pk}
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_payments(request: HttpRequest, identifier: str) -> HttpResponse:
    """An award's payments and what is left to pay; finance officers record a payment."""
    _require_view(request)
    award = get_object_or_404(
        Award.objects.select_related(
            "application__organisation",
            "application__round",
            "application__zone",
            "commitment__line__year",
        ),
        identifier=identifier,
    )
    may_write = permissions.can_manage_finance(request.user)
    form = PaymentForm() if may_write else None
    if request.method == "POST":
        _require_finance(request)
        form = PaymentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                grant_services.record_payment(
                    award=award,
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Payment of %(amount)s recorded.") % {"amount": format_gbp(data["amount"])},
                )
                return redirect(
                    reverse("finance:award-payments", kwargs={"identifier": identifier})
                )
    payments = list(award.payments.all())
    paid = sum((p.amount for p in payments), GBP_ZERO)
    return render(
        request,
        "finance/award_payments.html",
        {
            "award": award,
            "application": award.application,
            "payments": payments,
            "paid": paid,
            "left": award.amount - paid,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _may_record_figures(user: Any) -> bool:
    return permissions.can_manage_finance(user) or permissions.can_manage_rounds(user)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Each published figure beside the one the records give, with the difference; a form to
    record another published figure (its key must name something recorded)."""
    _require_view(request)
    may_record = _may_record_figures(request.user)
    form = StatedFigureForm() if may_record else None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(
                _("Only finance and the programme team record published figures.")
            )
        form = StatedFigureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_stated_figure(
                    scope=data["scope"],
                    key=data["key"].strip(),
                    amount=data["amount"],
                    source=data["source"].strip(),
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The published figure is recorded."))
                return redirect(reverse("finance:reconciliation"))
    checks = reconcile()
    return render(
        request,
        "finance/reconciliation.html",
        {
            "checks": checks,
            "differing": sum(1 for check in checks if not check.agrees),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )
