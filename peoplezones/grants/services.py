"""Every write to grants goes through here: rounds, applications and their moves, conflicts of
interest, scores, decisions (with their budget commitment), payments and monitoring returns."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from peoplezones.core.money import format_gbp
from peoplezones.core.services import audit_record
from peoplezones.finance import services as finance
from peoplezones.finance.models import Commitment
from peoplezones.grants import permissions
from peoplezones.grants.models import (
    Application,
    Award,
    BudgetItem,
    ConflictDeclaration,
    Criterion,
    Fund,
    GrantRound,
    Message,
    MonitoringReturn,
    Organisation,
    Payment,
    Review,
)
from peoplezones.grants.workflow import APPLICANT_EDITABLE, TRANSITIONS

S = Application.Status
ZERO = Decimal("0.00")


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Rounds ---------------------------------------------------------------------------------------


def create_round(
    *,
    actor: Any,
    fund: Fund,
    name: str,
    zones: Sequence[Any],
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    budget_year: Any,
    budget_line: Any = None,
    minimum_award: Decimal = ZERO,
    maximum_award: Decimal = Decimal("10000.00"),
    themes: Iterable[Any] | None = None,
    eligibility_questions: Sequence[str] = (),
    guidance: str = "",
    slug: str = "",
    check_permission: bool = True,
) -> GrantRound:
    """Set up a round; its themes default to the research themes of its zones."""
    if check_permission and not permissions.can_manage_rounds(actor):
        raise PermissionDenied(_("Only the programme team can set up grant rounds."))
    if not zones:
        raise ValidationError({"zones": _("Choose at least one zone that may apply.")})
    if budget_line is not None and budget_line.year_id != budget_year.pk:
        raise ValidationError(
            {"budget_line": _("The budget line must belong to the round's budget year.")}
        )
    grant_round = GrantRound(
        fund=fund,
        name=name,
        slug=slug or slugify(name)[:120],
        opens_at=opens_at,
        closes_at=closes_at,
        minimum_award=minimum_award,
        maximum_award=maximum_award,
        eligibility_questions=[q.strip() for q in eligibility_questions if q.strip()],
        guidance=guidance,
        budget_year=budget_year,
        budget_line=budget_line,
    )
    errors: dict[str, list[str]] = {}
    try:
        grant_round.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if opens_at >= closes_at:
        errors.setdefault("closes_at", []).append(_("A round must close after it opens."))
    if maximum_award < minimum_award:
        errors.setdefault("maximum_award", []).append(
            _("The largest grant cannot be smaller than the smallest.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant_round.save()
        grant_round.zones.set(zones)
        if themes is None:
            from peoplezones.zones.models import Theme

            themes = Theme.objects.filter(zone__in=zones)
        grant_round.themes.set(themes)
        audit_record(
            actor=actor,
            verb="grants.round_created",
            target=grant_round,
            data={
                "opens_at": opens_at.isoformat(),
                "closes_at": closes_at.isoformat(),
                "maximum_award": str(maximum_award),
            },
        )
    return grant_round


def mark_round_decided(*, grant_round: GrantRound, actor: Any) -> GrantRound:
    if not permissions.can_decide(actor) and not permissions.can_manage_rounds(actor):
        raise PermissionDenied(_("Only the programme team or the commissioner can do that."))
    undecided = grant_round.applications.exclude(
        status__in=[S.APPROVED, S.DECLINED, S.INELIGIBLE, S.WITHDRAWN, S.DRAFT]
    ).count()
    if undecided:
        raise ValidationError(
            _("%(count)s application(s) in this round still wait for a decision.")
            % {"count": undecided}
        )
    grant_round.decided_at = timezone.now()
    grant_round.save(update_fields=["decided_at", "modified"])
    audit_record(actor=actor, verb="grants.round_decided", target=grant_round)
    return grant_round


# Organisations and applications ---------------------------------------------------------------


def organisation_create(*, actor: Any, fields: dict[str, Any]) -> Organisation:
    """A new applicant organisation, owned by the person who adds it.

    Callers run it inside their own transaction, so a refused application adds no organisation.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to add an organisation."))
    organisation = Organisation(**fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        organisation.owners.add(actor)
        audit_record(actor=actor, verb="grants.organisation_created", target=organisation)
    return organisation


def next_reference(grant_round: GrantRound) -> str:
    """References read like PZ-2023-0007: the round's budget year and a running number."""
    prefix = f"PZ-{grant_round.budget_year.start_year}-"
    last = (
        Application.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


APPLICANT_FIELDS = (
    "project_name",
    "brief",
    "amount_requested",
    "beneficiaries",
    "beneficiary_count",
    "beneficiary_ages",
    "starts_on",
    "ends_on",
    "eligibility_answers",
    "has_safeguarding_policy",
    "safeguarding_details",
    "has_insurance",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def save_application(
    *,
    actor: Any,
    grant_round: GrantRound,
    organisation: Organisation,
    zone: Any,
    data: dict[str, Any],
    items: Sequence[tuple[str, Decimal]] = (),
    themes: Iterable[Any] = (),
    application: Application | None = None,
) -> Application:
    """Create or update an application the applicant is still writing (saved, not submitted).

    Only what is wrong in form is refused here; whether it is complete is checked on submit.
    """
    if application is not None:
        if not permissions.is_applicant_for(actor, application):
            raise PermissionDenied(_("Only the applicant can change this application."))
        if application.status not in APPLICANT_EDITABLE:
            raise ValidationError(
                _("This application is %(status)s and can no longer be changed.")
                % {"status": application.get_status_display().lower()}
            )
    elif not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to apply."))
    if not grant_round.zones.filter(pk=zone.pk).exists():
        raise ValidationError({"zone": _("This round is not open to %(zone)s.") % {"zone": zone}})
    theme_list = list(themes)
    allowed_themes = set(grant_round.themes.values_list("pk", flat=True))
    if any(theme.pk not in allowed_themes for theme in theme_list):
        raise ValidationError({"themes": _("Choose themes from this round's list.")})
    creating = application is None
    if creating:
        application = Application(
            round=grant_round, applicant=actor, reference=next_reference(grant_round)
        )
    application.organisation = organisation
    application.zone = zone
    for field in APPLICANT_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    with transaction.atomic():
        application.full_clean()
        application.save()
        application.themes.set(theme_list)
        application.budget_items.all().delete()
        BudgetItem.objects.bulk_create(
            BudgetItem(application=application, description=text, amount=amount, order=index)
            for index, (text, amount) in enumerate(items, start=1)
        )
        if not organisation.owners.filter(pk=actor.pk).exists():
            organisation.owners.add(actor)
        audit_record(
            actor=actor,
            verb="grants.application_started" if creating else "grants.application_saved",
            target=application,
            zone=zone,
        )
    return application


def submission_problems(application: Application, *, now: datetime.datetime | None = None) -> dict:
    """Everything that stops an application being submitted, by field; empty when it can go."""
    now = now or timezone.now()
    grant_round = application.round
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    applicant = application.applicant
    if applicant is not None and applicant.email_verified_at is None:
        add(
            "__all__",
            _(
                "Confirm your email address before submitting: follow the link in the email we "
                "sent when you created your account (you can ask for a new one)."
            ),
        )
    if not grant_round.is_open(now):
        if now < grant_round.opens_at:
            add("__all__", _("This round has not opened yet, so applications cannot be submitted."))
        else:
            closes = timezone.localtime(grant_round.closes_at)
            add(
                "__all__",
                _(
                    "This round closed at %(time)s on %(date)s (UK time), so the application "
                    "can no longer be submitted. It has been kept as it is."
                )
                % {"time": closes.strftime("%H:%M"), "date": closes.strftime("%d %B %Y")},
            )
    if not application.project_name.strip():
        add("project_name", _("Enter the project's name."))
    if not application.brief.strip():
        add("brief", _("Say what the project will do."))
    amount = application.amount_requested
    if amount is None:
        add("amount_requested", _("Enter the amount you are asking for."))
    else:
        if amount > grant_round.maximum_award:
            add(
                "amount_requested",
                _("The most this round can give is %(maximum)s; you asked for %(amount)s.")
                % {"maximum": format_gbp(grant_round.maximum_award), "amount": format_gbp(amount)},
            )
        if amount < grant_round.minimum_award or amount <= 0:
            add(
                "amount_requested",
                _("The smallest grant in this round is %(minimum)s; you asked for %(amount)s.")
                % {
                    "minimum": format_gbp(max(grant_round.minimum_award, Decimal("0.01"))),
                    "amount": format_gbp(amount),
                },
            )
        items = list(application.budget_items.all())
        if not items:
            add("budget_items", _("List what the money will be spent on, item by item."))
        else:
            total = sum((item.amount for item in items), ZERO)
            if total != amount:
                add(
                    "budget_items",
                    _(
                        "The budget items add up to %(total)s but you asked for %(amount)s: "
                        "they must be the same (a difference of %(difference)s)."
                    )
                    % {
                        "total": format_gbp(total),
                        "amount": format_gbp(amount),
                        "difference": format_gbp(abs(total - amount)),
                    },
                )
    round_themes = set(grant_round.themes.values_list("pk", flat=True))
    chosen = set(application.themes.values_list("pk", flat=True))
    if round_themes and not (chosen & round_themes):
        add(
            "themes",
            _("Choose at least one of the research themes this round funds."),
        )
    answers = application.eligibility_answers or {}
    for question in grant_round.eligibility_questions:
        if answers.get(question) is not True:
            add("eligibility_answers", _("Confirm: %(question)s") % {"question": question})
    if not application.beneficiaries.strip():
        add("beneficiaries", _("Say who will benefit."))
    if application.has_safeguarding_policy is None:
        add("has_safeguarding_policy", _("Say whether you have a safeguarding policy."))
    if application.has_insurance is None:
        add("has_insurance", _("Say whether you have public liability insurance."))
    if not application.contact_name.strip():
        add("contact_name", _("Enter the name of the person we should contact."))
    if not application.contact_email.strip():
        add("contact_email", _("Enter an email address we can reach the contact at."))
    if (
        application.starts_on
        and application.ends_on
        and application.ends_on < application.starts_on
    ):
        add("ends_on", _("The project must end after it starts."))
    return problems


def _check_move(application: Application, action: str, actor: Any) -> None:
    transition = TRANSITIONS[action]
    if application.status not in transition.sources:
        raise ValidationError(
            _("An application that is “%(status)s” cannot be moved that way (%(action)s).")
            % {"status": application.get_status_display(), "action": transition.label}
        )
    if not transition.allowed(actor, application):
        raise PermissionDenied(_("You are not allowed to do that to this application."))


def move(
    *,
    application: Application,
    action: str,
    actor: Any,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Make one workflow move (not approve: see `approve`)."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action[:40]})
    if action == "approve":
        raise ValueError("Use approve() to approve an application: it creates the award.")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        _check_move(application, action, actor)
        transition = TRANSITIONS[action]
        reason = reason.strip()
        if transition.needs_reason and not reason:
            raise ValidationError({"reason": _("Give a reason: the applicant will see it.")})
        if action == "submit":
            problems = submission_problems(application, now=now)
            if problems:
                raise ValidationError(problems)
            if application.submitted_at is None:
                application.submitted_at = now or timezone.now()
        before = application.status
        application.status = transition.target
        application.save(update_fields=["status", "submitted_at", "modified"])
        if reason:
            Message.objects.create(
                application=application,
                author=_user_or_none(actor),
                from_staff=not permissions.is_applicant_for(actor, application),
                body=reason,
            )
        audit_record(
            actor=actor,
            verb=f"grants.application_{action}",
            target=application,
            zone=application.zone,
            data={
                "from": before,
                "to": application.status,
                **({"reason": reason} if reason else {}),
            },
        )
    return application


def award_identifier(application: Application) -> str:
    return f"{application.round.fund.identifier_prefix}-{application.reference}"


def approve(
    *,
    application: Application,
    actor: Any,
    amount: Decimal | None = None,
    reasons: str = "",
    conditions: str = "",
    decided_on: datetime.date | None = None,
    override_reason: str = "",
) -> Award:
    """The commissioner approves a bid: an award (perhaps less than asked) and its commitment.

    All or nothing: if the budget line cannot take it, nothing changes.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("round__fund", "round__budget_line")
            .get(pk=application.pk)
        )
        _check_move(application, "approve", actor)
        requested = application.amount_requested or ZERO
        amount = requested if amount is None else amount
        if amount <= 0:
            raise ValidationError({"amount": _("An award must be more than £0.00.")})
        if amount > requested:
            raise ValidationError(
                {
                    "amount": _("The award cannot be more than the %(requested)s asked for.")
                    % {"requested": format_gbp(requested)}
                }
            )
        if amount > application.round.maximum_award:
            raise ValidationError(
                {
                    "amount": _("The most this round can give is %(maximum)s.")
                    % {"maximum": format_gbp(application.round.maximum_award)}
                }
            )
        commitment: Commitment | None = None
        decided_on = decided_on or timezone.localdate()
        if application.round.budget_line is not None:
            commitment = finance.commit(
                line=application.round.budget_line,
                amount=amount,
                description=f"{application.reference} {application.organisation}: "
                f"{application.project_name}",
                kind=Commitment.Kind.GRANT,
                actor=actor,
                zone=application.zone,
                committed_on=decided_on,
                override_reason=override_reason,
            )
        award = Award(
            application=application,
            amount=amount,
            decided_on=decided_on,
            decided_by=_user_or_none(actor),
            reasons=reasons.strip(),
            conditions=conditions.strip(),
            identifier=award_identifier(application),
            commitment=commitment,
        )
        award.full_clean()
        award.save()
        before = application.status
        application.status = S.APPROVED
        application.save(update_fields=["status", "modified"])
        audit_record(
            actor=actor,
            verb="grants.application_approve",
            target=application,
            zone=application.zone,
            data={
                "from": before,
                "to": S.APPROVED,
                "amount": str(amount),
                "requested": str(requested),
                "award": award.identifier,
            },
        )
    return award


def decide_batch(
    *, decisions: Sequence[dict[str, Any]], actor: Any
) -> list[tuple[Application, str | None]]:
    """Decide many at once, each in its own transaction: one refusal does not undo the rest.

    Each decision: {"application": Application, "action": "approve"|"decline",
    "amount": Decimal|None, "reason": str}. Returns (application, error message or None).
    """
    results: list[tuple[Application, str | None]] = []
    for decision in decisions:
        application = decision["application"]
        try:
            if decision["action"] == "approve":
                approve(
                    application=application,
                    actor=actor,
                    amount=decision.get("amount"),
                    reasons=decision.get("reason", ""),
                )
            else:
                move(
                    application=application,
                    action="decline",
                    actor=actor,
                    reason=decision.get("reason", ""),
                )
            results.append((application, None))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            results.append((application, text))
    return results


def send_message(*, application: Application, actor: Any, body: str) -> Message:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    staff = permissions.is_grants_staff(actor)
    if not staff and not permissions.is_applicant_for(actor, application):
        raise PermissionDenied(_("You cannot write about this application."))
    message = Message.objects.create(
        application=application, author=_user_or_none(actor), from_staff=staff, body=body
    )
    audit_record(actor=actor, verb="grants.message_sent", target=application, zone=application.zone)
    return message


# Assessment -----------------------------------------------------------------------------------


def declare_conflict(
    *, application: Application, assessor: Any, has_conflict: bool, details: str = ""
) -> ConflictDeclaration:
    if not permissions.can_assess(assessor):
        raise PermissionDenied(_("Only assessors declare conflicts of interest."))
    existing = ConflictDeclaration.objects.filter(
        application=application, assessor=assessor
    ).first()
    if existing is not None:
        if existing.has_conflict and not has_conflict:
            raise ValidationError(
                _("A declared conflict of interest stays on the record and cannot be withdrawn.")
            )
        if existing.has_conflict == has_conflict:
            return existing
    if has_conflict and not details.strip():
        raise ValidationError({"details": _("Say what the conflict of interest is.")})
    with transaction.atomic():
        declaration, _created = ConflictDeclaration.objects.update_or_create(
            application=application,
            assessor=assessor,
            defaults={"has_conflict": has_conflict, "details": details.strip()},
        )
        if has_conflict:
            # A conflict bars the assessor: any scores they gave no longer count.
            Review.objects.filter(application=application, assessor=assessor).delete()
        audit_record(
            actor=assessor,
            verb="grants.conflict_declared" if has_conflict else "grants.no_conflict_declared",
            target=application,
            zone=application.zone,
        )
    return declaration


def weighted_mean(scores: dict[int, int], criteria: Sequence[Criterion]) -> Decimal:
    total_weight = sum(c.weight for c in criteria)
    total = sum(c.weight * scores[c.pk] for c in criteria)
    return (Decimal(total) / Decimal(total_weight)).quantize(Decimal("0.0001"))


def score(
    *,
    application: Application,
    assessor: Any,
    scores: dict[int, int],
    comment: str = "",
) -> Review:
    """Record an assessor's scores (0-5 for every criterion of the round)."""
    if not permissions.can_assess(assessor):
        raise PermissionDenied(_("Only assessors can score applications."))
    application.refresh_from_db(fields=["status"])
    if application.status != S.ASSESSMENT:
        raise ValidationError(_("Only applications being assessed can be scored."))
    declaration = ConflictDeclaration.objects.filter(
        application=application, assessor=assessor
    ).first()
    if declaration is None:
        raise ValidationError(_("Declare whether you have a conflict of interest before scoring."))
    if declaration.has_conflict:
        raise PermissionDenied(
            _("You declared a conflict of interest, so you cannot score this application.")
        )
    criteria = list(application.round.criteria.all())
    if not criteria:
        raise ValidationError(_("This round has no scoring criteria yet."))
    errors = {}
    clean: dict[int, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None or not isinstance(value, int) or isinstance(value, bool):
            errors[f"criterion_{criterion.pk}"] = _("Score “%(title)s” from 0 to 5.") % {
                "title": criterion.title
            }
        elif not 0 <= value <= 5:
            errors[f"criterion_{criterion.pk}"] = _("“%(title)s” must be scored from 0 to 5.") % {
                "title": criterion.title
            }
        else:
            clean[criterion.pk] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review, _created = Review.objects.update_or_create(
            application=application,
            assessor=assessor,
            defaults={
                "scores": {str(k): v for k, v in clean.items()},
                "weighted_score": weighted_mean(clean, criteria),
                "comment": comment.strip(),
            },
        )
        audit_record(
            actor=assessor,
            verb="grants.scored",
            target=application,
            zone=application.zone,
            data={"weighted_score": str(review.weighted_score)},
        )
    return review


# After the award ------------------------------------------------------------------------------


def record_payment(
    *, award: Award, amount: Decimal, paid_on: datetime.date, reference: str = "", actor: Any
) -> Payment:
    if not permissions.can_manage_finance(actor):
        raise PermissionDenied(_("Only a finance officer records payments."))
    with transaction.atomic():
        spend = None
        if award.commitment is not None:
            spend = finance.record_spend(
                commitment=award.commitment,
                amount=amount,
                paid_on=paid_on,
                reference=reference,
                actor=actor,
            )
        else:
            paid = sum((p.amount for p in award.payments.all()), ZERO)
            if paid + amount > award.amount:
                raise ValidationError(
                    {
                        "amount": _("Only %(left)s of the award is left to pay.")
                        % {"left": format_gbp(award.amount - paid)}
                    }
                )
        payment = Payment(
            award=award, spend=spend, amount=amount, paid_on=paid_on, reference=reference
        )
        payment.full_clean()
        payment.save()
        audit_record(
            actor=actor,
            verb="grants.paid",
            target=award,
            zone=award.application.zone,
            data={"amount": str(amount)},
        )
    return payment


def schedule_return(
    *, award: Award, due_on: datetime.date, title: str, actor: Any
) -> MonitoringReturn:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team schedules monitoring returns."))
    item = MonitoringReturn(award=award, due_on=due_on, title=title)
    item.full_clean()
    item.save()
    audit_record(
        actor=actor, verb="grants.return_scheduled", target=award, data={"due_on": str(due_on)}
    )
    return item


def submit_return(*, item: MonitoringReturn, actor: Any, data: dict[str, Any]) -> MonitoringReturn:
    if not permissions.is_applicant_for(actor, item.award.application):
        raise PermissionDenied(_("Only the funded organisation submits its returns."))
    if item.status == MonitoringReturn.Status.ACCEPTED:
        raise ValidationError(_("This return has been accepted and can no longer be changed."))
    for field in ("outputs", "people_reached", "spend_to_date", "story", "photo"):
        if field in data:
            setattr(item, field, data[field])
    if not (item.outputs or "").strip():
        raise ValidationError({"outputs": _("Say what the project has delivered.")})
    item.status = MonitoringReturn.Status.SUBMITTED
    item.submitted_at = timezone.now()
    item.full_clean()
    item.save()
    audit_record(actor=actor, verb="grants.return_submitted", target=item.award)
    return item


def accept_return(*, item: MonitoringReturn, actor: Any) -> MonitoringReturn:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team accepts monitoring returns."))
    if item.status != MonitoringReturn.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted return can be accepted."))
    item.status = MonitoringReturn.Status.ACCEPTED
    item.save(update_fields=["status", "modified"])
    audit_record(actor=actor, verb="grants.return_accepted", target=item.award)
    return item


def close_award(*, award: Award, actor: Any, note: str = "") -> Award:
    if not permissions.can_screen(actor):
        raise PermissionDenied(_("Only the programme team closes awards."))
    outstanding = award.monitoring_returns.exclude(status=MonitoringReturn.Status.ACCEPTED).count()
    if outstanding:
        raise ValidationError(
            _("%(count)s monitoring return(s) are not yet accepted.") % {"count": outstanding}
        )
    award.closed_on = timezone.localdate()
    award.closure_note = note.strip()
    award.save(update_fields=["closed_on", "closure_note", "modified"])
    audit_record(actor=actor, verb="grants.award_closed", target=award)
    return award
