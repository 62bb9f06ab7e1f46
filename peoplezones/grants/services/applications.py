"""Organisations and applications: saving, the rules for submitting, the moves of the workflow,
and messages between applicants and staff."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.money import GBP_ZERO, format_gbp
from peoplezones.core.services import audit_record
from peoplezones.grants import permissions
from peoplezones.grants.models import (
    Application,
    BudgetItem,
    GrantRound,
    Message,
    Organisation,
)
from peoplezones.grants.services._common import _user_or_none
from peoplezones.grants.workflow import APPLICANT_EDITABLE, TRANSITIONS


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
            total = sum((item.amount for item in items), GBP_ZERO)
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


def check_move(application: Application, action: str, actor: Any) -> None:
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
        check_move(application, action, actor)
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
