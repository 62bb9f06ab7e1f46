"""One application as staff see it: everything the applicant sent (contact details only for
grants staff, not for assessors), messages, the workflow buttons the user may press, the
assessor's conflict declaration and scores, and the commissioner's decision.

Each button posts to its own address; a refusal re-renders this page (400) with the service's
message and what was typed.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.core.money import format_gbp
from peoplezones.finance.selectors import committed_on_line
from peoplezones.grants import permissions, services
from peoplezones.grants.forms_staff import (
    ConflictForm,
    DecisionForm,
    MessageForm,
    MoveForm,
    ScoreForm,
)
from peoplezones.grants.models import Application, ConflictDeclaration, Review
from peoplezones.grants.views.staff import application_or_404, require, require_staff
from peoplezones.grants.workflow import TRANSITIONS, available_actions

S = Application.Status
# Moves made on this page with a plain button; approve and decline are the decision form.
STAFF_MOVES = (
    "eligible",
    "ineligible",
    "request_information",
    "recommend",
    "not_recommend",
    "reassess",
)
REASON_LABELS = {
    "ineligible": gettext_lazy("Why it is not eligible (the applicant will see this)"),
    "request_information": gettext_lazy(
        "What more information is needed (the applicant will see this)"
    ),
    "not_recommend": gettext_lazy("Why it is not recommended"),
}


def line_remaining(application: Application) -> Decimal | None:
    line = application.round.budget_line
    if line is None:
        return None
    return line.amount - committed_on_line(line.pk)


def _ids(action: str) -> str:
    """Each button's reason box has its own id (reason-ineligible ...), so errors link to it."""
    return "%s-" + "".join(ch for ch in action if ch.isalnum() or ch == "_")[:40]


def _move_forms(
    request: HttpRequest, application: Application, failed: MoveForm | None
) -> list[dict[str, Any]]:
    forms = []
    for transition in available_actions(user=request.user, application=application):
        if transition.action not in STAFF_MOVES:
            continue
        bound = (
            failed
            if failed is not None and failed.data.get("action") == transition.action
            else None
        )
        forms.append(
            {
                "transition": transition,
                "form": bound
                or MoveForm(initial={"action": transition.action}, auto_id=_ids(transition.action)),
                "reason_label": REASON_LABELS.get(transition.action, ""),
                "needs_reason": transition.needs_reason,
            }
        )
    return forms


def _assessment(
    request: HttpRequest,
    application: Application,
    conflict_form: ConflictForm | None,
    score_form: ScoreForm | None,
) -> dict[str, Any]:
    """What this assessor sees: declare first; a conflict hides the scores and says why."""
    user = request.user
    if not permissions.can_assess(user):
        return {}
    declaration = ConflictDeclaration.objects.filter(application=application, assessor=user).first()
    review = Review.objects.filter(application=application, assessor=user).first()
    open_for_scoring = application.status == S.ASSESSMENT
    context: dict[str, Any] = {
        "declaration": declaration,
        "review": review,
        "open_for_scoring": open_for_scoring,
        "criteria": list(application.round.criteria.all()),
    }
    if open_for_scoring and declaration is None:
        context["conflict_form"] = conflict_form or ConflictForm()
    if open_for_scoring and declaration is not None and not declaration.has_conflict:
        initial: dict[str, Any] = {}
        if review is not None:
            initial = {f"criterion_{pk}": str(value) for pk, value in review.scores.items()}
            initial["comment"] = review.comment
        context["score_form"] = score_form or ScoreForm(
            criteria=context["criteria"], initial=initial
        )
    return context


def application_page(
    request: HttpRequest,
    application: Application,
    *,
    move_form: MoveForm | None = None,
    conflict_form: ConflictForm | None = None,
    score_form: ScoreForm | None = None,
    decision_form: DecisionForm | None = None,
    message_form: MessageForm | None = None,
) -> HttpResponse:
    user = request.user
    is_staff = permissions.is_grants_staff(user)
    may_decide = any(
        t.action in ("approve", "decline")
        for t in available_actions(user=user, application=application)
    )
    if may_decide and decision_form is None:
        decision_form = DecisionForm(
            initial={"amount": application.amount_requested},
            may_override=permissions.can_manage_finance(user),
        )
    if is_staff and message_form is None:
        message_form = MessageForm()
    reviews = list(application.reviews.select_related("assessor").order_by("-weighted_score"))
    bound_forms = [
        f
        for f in (move_form, conflict_form, score_form, decision_form, message_form)
        if f is not None
    ]
    failed_form = next((f for f in bound_forms if f.is_bound and f.errors), None)
    award = getattr(application, "award", None) if application.status == S.APPROVED else None
    return render(
        request,
        "grants/staff/application.html",
        {
            "application": application,
            "grant_round": application.round,
            "items": list(application.budget_items.all()),
            "themes": list(application.themes.all()),
            "eligibility": [
                (question, (application.eligibility_answers or {}).get(question) is True)
                for question in application.round.eligibility_questions
            ],
            "thread": list(application.messages.select_related("author")),
            "show_contacts": is_staff,
            "move_forms": _move_forms(request, application, move_form),
            "decision_form": decision_form if may_decide else None,
            "line_remaining": line_remaining(application) if may_decide else None,
            "message_form": message_form if is_staff else None,
            "failed_form": failed_form,
            "conflicts": list(
                application.conflict_declarations.filter(has_conflict=True).select_related(
                    "assessor"
                )
            )
            if is_staff
            else [],
            "reviews": reviews if is_staff else [],
            # While assessment runs, staff see how many have scored but not the scores.
            "show_scores": is_staff and application.status not in (S.SUBMITTED, S.ASSESSMENT),
            "award": award,
            "returns": list(award.monitoring_returns.all()) if award else [],
            **_assessment(request, application, conflict_form, score_form),
        },
        status=400 if failed_form is not None else 200,
    )


def _back(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("grants:staff-application", kwargs={"reference": application.reference})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_safe
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    require_staff(request)
    return application_page(request, application_or_404(request, reference))


@login_required
@require_POST
def application_move(request: HttpRequest, reference: str) -> HttpResponse:
    """One workflow button (not approve or decline: see `application_decide`)."""
    require_staff(request)
    application = application_or_404(request, reference)
    form = MoveForm(request.POST, auto_id=_ids(request.POST.get("action", "")))
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action not in STAFF_MOVES:
            form.add_error(None, _("That is not a move this page makes."))
        else:
            try:
                moved = services.move(
                    application=application,
                    action=action,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s: %(action)s. It is now “%(status)s”.")
                    % {
                        "reference": moved.reference,
                        "action": TRANSITIONS[action].label,
                        "status": moved.get_status_display(),
                    },
                )
                return _back(moved)
    return application_page(request, application, move_form=form)


@login_required
@require_POST
def application_message(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, permissions.is_grants_staff, _("Only grants staff write to applicants."))
    application = application_or_404(request, reference)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.send_message(
                application=application, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            return _back(application, "messages")
    return application_page(request, application, message_form=form)


@login_required
@require_POST
def application_conflict(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, permissions.can_assess, _("Only assessors declare conflicts of interest."))
    application = application_or_404(request, reference)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            declaration = services.declare_conflict(
                application=application,
                assessor=request.user,
                has_conflict=form.cleaned_data["has_conflict"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if declaration.has_conflict:
                messages.success(
                    request,
                    _(
                        "Your conflict of interest is recorded: you will not score this "
                        "application."
                    ),
                )
            else:
                messages.success(
                    request, _("Recorded: no conflict of interest. You can now score it.")
                )
            return _back(application, "assessment")
    return application_page(request, application, conflict_form=form)


@login_required
@require_POST
def application_score(request: HttpRequest, reference: str) -> HttpResponse:
    require(request, permissions.can_assess, _("Only assessors score applications."))
    application = application_or_404(request, reference)
    form = ScoreForm(request.POST, criteria=list(application.round.criteria.all()))
    if form.is_valid():
        try:
            review = services.score(
                application=application,
                assessor=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your scores are saved: a weighted score of %(score)s out of 5.")
                % {"score": f"{review.weighted_score:.2f}"},
            )
            return _back(application, "assessment")
    return application_page(request, application, score_form=form)


@login_required
@require_POST
def application_decide(request: HttpRequest, reference: str) -> HttpResponse:
    """The commissioner approves (perhaps less than asked, perhaps over the line with a finance
    override) or declines one application."""
    require(request, permissions.can_decide, _("Only the commissioner decides on applications."))
    application = application_or_404(request, reference)
    form = DecisionForm(request.POST, may_override=permissions.can_manage_finance(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                award = services.approve(
                    application=application,
                    actor=request.user,
                    amount=data["amount"],
                    reasons=data["reasons"],
                    conditions=data["conditions"],
                    override_reason=data.get("override_reason", ""),
                )
                text = _("%(reference)s approved: %(amount)s awarded.") % {
                    "reference": application.reference,
                    "amount": format_gbp(award.amount),
                }
            else:
                services.move(
                    application=application,
                    action="decline",
                    actor=request.user,
                    reason=data["reasons"],
                )
                text = _("%(reference)s declined.") % {"reference": application.reference}
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error(None, str(error))
            else:
                add_service_errors(form, error, field_names={"reason": "reasons"})
        else:
            messages.success(request, text)
            return _back(application)
        application.refresh_from_db()
    return application_page(request, application, decision_form=form)
