"""Round set-up for the programme team: a new round or changes to one, with its scoring
criteria as a simple formset (existing rows plus two blank ones; no JavaScript needed)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peoplezones.core.forms import add_service_errors
from peoplezones.finance.models import BudgetYear
from peoplezones.grants import permissions, services
from peoplezones.grants.forms_staff import (
    CriterionForm,
    CriterionFormSet,
    RoundForm,
    criteria_inputs,
)
from peoplezones.grants.models import Fund, GrantRound
from peoplezones.grants.views.staff import require, round_or_404

PREFIX = "criteria"


def _require_programme_team(request: HttpRequest) -> None:
    require(request, permissions.can_manage_rounds, _("Only the programme team sets up rounds."))


def _round_fields(form: RoundForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "fund": data["fund"],
        "name": data["name"].strip(),
        "zones": list(data["zones"]),
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "budget_year": data["budget_year"],
        "budget_line": data["budget_line"],
        "minimum_award": data["minimum_award"],
        "maximum_award": data["maximum_award"],
        "themes": list(data["themes"]) or None,
        "eligibility_questions": data["questions"],
        "guidance": data["guidance"].strip(),
    }


def _anchor(bound_form: Any, name: str) -> str:
    """The id an error summary link jumps to: the field's control (the first of a group)."""
    if name not in bound_form.fields:
        name = next(iter(bound_form.fields))
    field = bound_form[name]
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return field.auto_id


def error_list(form: RoundForm, formset: Any) -> list[tuple[str, str]]:
    """Every problem on the page, in page order, for one GOV.UK error summary."""
    errors = [
        (_anchor(form, name), message)
        for name in [*form.fields, "__all__"]
        for message in form.errors.get(name, [])
    ]
    first_row = f"{formset.prefix}-0-title"
    errors += [(f"id_{first_row}", message) for message in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        for name, messages_ in row.errors.items():
            for message in messages_:
                errors.append(
                    (
                        _anchor(row, name),
                        _("Criterion %(number)s: %(problem)s")
                        % {"number": number, "problem": message},
                    )
                )
    return errors


def _render(
    request: HttpRequest,
    form: RoundForm,
    formset: Any,
    *,
    grant_round: GrantRound | None,
) -> HttpResponse:
    errors = error_list(form, formset) if form.is_bound else []
    return render(
        request,
        "grants/staff/round_form.html",
        {
            "form": form,
            "formset": formset,
            "grant_round": grant_round,
            "errors": errors,
            "no_funds": not Fund.objects.exists(),
            "no_years": not BudgetYear.objects.exists(),
        },
        status=400 if errors else 200,
    )


def _save(
    request: HttpRequest, form: RoundForm, formset: Any, grant_round: GrantRound | None
) -> GrantRound | None:
    """Call the service; on refusal put its messages on the form (or the criteria)."""
    fields = _round_fields(form)
    criteria = criteria_inputs(formset)
    try:
        if grant_round is None:
            return services.round_set_up(actor=request.user, criteria=criteria, **fields)
        return services.round_update(
            grant_round=grant_round, actor=request.user, criteria=criteria, **fields
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "criteria" in error.error_dict:
            problems = dict(error.message_dict)
            formset.non_form_errors().extend(problems.pop("criteria"))
            if problems:
                add_service_errors(
                    form, ValidationError(problems), field_names=RoundForm.SERVICE_FIELDS
                )
        else:
            add_service_errors(form, error, field_names=RoundForm.SERVICE_FIELDS)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    _require_programme_team(request)
    if request.method == "POST":
        form = RoundForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix=PREFIX)
        if form.is_valid() and formset.is_valid():
            grant_round = _save(request, form, formset, None)
            if grant_round is not None:
                messages.success(
                    request, _("The round “%(name)s” is set up.") % {"name": grant_round.name}
                )
                return redirect(reverse("grants:staff-round", kwargs={"slug": grant_round.slug}))
    else:
        fund = Fund.objects.first()
        year = BudgetYear.objects.first()
        form = RoundForm(
            initial={"fund": fund.pk if fund else None, "budget_year": year.pk if year else None}
        )
        formset = CriterionFormSet(prefix=PREFIX)
    return _render(request, form, formset, grant_round=None)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _require_programme_team(request)
    grant_round = round_or_404(slug)
    criteria_initial = [CriterionForm.initial_for(c) for c in grant_round.criteria.all()]
    if request.method == "POST":
        form = RoundForm(request.POST, initial=RoundForm.initial_for(grant_round))
        formset = CriterionFormSet(request.POST, prefix=PREFIX, initial=criteria_initial)
        if form.is_valid() and formset.is_valid():
            saved = _save(request, form, formset, grant_round)
            if saved is not None:
                messages.success(
                    request, _("The changes to “%(name)s” are saved.") % {"name": saved.name}
                )
                return redirect(reverse("grants:staff-round", kwargs={"slug": saved.slug}))
            # The service refused: show the round as it still is, with what was typed.
            grant_round = round_or_404(slug)
    else:
        form = RoundForm(initial=RoundForm.initial_for(grant_round))
        formset = CriterionFormSet(prefix=PREFIX, initial=criteria_initial)
    return _render(request, form, formset, grant_round=grant_round)
