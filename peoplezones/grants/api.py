"""Grants in the API: rounds and awards (public), applications (signed in: applicants see their
own, staff every one, assessors those that reached assessment) and the commissioner's decisions.

Money is always a string of pounds and pence ("4800.00"), in answers and in requests. Public
answers never carry people's names or contact details: an award names the organisation, never
the applicant or who decided. An application's contact details go only to its applicant and to
programme staff. Writes go through `grants.services`, which check permission (403) and validate
(400, with every message).
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from peoplezones.accounts.api import token_auth
from peoplezones.core.money import MoneyError, parse_gbp, plain_pounds
from peoplezones.grants import permissions, services
from peoplezones.grants.models import Application, Award, GrantRound, Organisation
from peoplezones.grants.selectors import applications_for, awards, funding_table, public_rounds

router = Router(tags=["grants"])


class SessionCookieAuth(SessionAuth):
    """The browser's session, for the site's own pages; writes need the CSRF token.

    Without a session cookie there is nothing to check, so an anonymous request is answered
    401 (not signed in) rather than 403 (CSRF).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


# A token for scripts, or the browser's session.
signed_in = [token_auth, SessionCookieAuth()]

Money = str
MONEY_HELP = 'Pounds and pence as a string, e.g. "4800.00".'
RoundStatus = Literal["scheduled", "open", "closed", "decided"]
ApplicationStatus = Literal[
    "draft",
    "submitted",
    "more_information",
    "ineligible",
    "assessment",
    "recommended",
    "not_recommended",
    "approved",
    "declined",
    "withdrawn",
]


# Rounds ---------------------------------------------------------------------------------------


class ThemeOut(Schema):
    zone: str = Field(description="The zone's slug.")
    title: str


class ZoneFundingOut(Schema):
    zone: str = Field(description="The zone's slug.")
    zone_name: str
    awards: int
    total: Money = Field(description=MONEY_HELP)


class RoundOut(Schema):
    slug: str
    name: str
    fund: str
    funder: str
    zones: list[str] = Field(description="Slugs of the zones that may apply.")
    opens_at: datetime.datetime = Field(
        description="London time with its offset, e.g. 2023-03-27T17:00:00+01:00."
    )
    closes_at: datetime.datetime = Field(description="London time with its offset.")
    status: RoundStatus = Field(description="From the clock and the decisions, as of now.")
    minimum_award: Money = Field(description=MONEY_HELP)
    maximum_award: Money = Field(description=MONEY_HELP)
    themes: list[ThemeOut] = Field(description="Applications must address at least one.")
    budget_year: str = Field(description='e.g. "2023/24".')
    awards: int = Field(description="How many awards the round has made.")
    awarded: Money = Field(description="The sum of its awards, computed from them. " + MONEY_HELP)
    url: str | None = Field(description="The round's page.")


class RoundDetailOut(RoundOut):
    eligibility_questions: list[str] = Field(description="Statements applicants must confirm.")
    guidance: str
    funding: list[ZoneFundingOut] = Field(description="Awards and their total by zone.")


class RoundFilters(Schema):
    status: RoundStatus | None = Field(None, description="Only rounds in this status now.")
    zone: str | None = Field(None, max_length=80, description="Only rounds open to this zone.")


def _rounds() -> QuerySet[GrantRound]:
    return (
        public_rounds()
        .select_related("budget_year")
        .prefetch_related("themes__zone")
        .annotate(
            award_count=Count("applications__award"),
            awarded=Coalesce(Sum("applications__award__amount"), Decimal("0.00")),
        )
    )


def _round_out(grant_round: GrantRound) -> dict[str, Any]:
    return {
        "slug": grant_round.slug,
        "name": grant_round.name,
        "fund": grant_round.fund.name,
        "funder": grant_round.fund.funder_name,
        "zones": [zone.slug for zone in grant_round.zones.all()],
        "opens_at": timezone.localtime(grant_round.opens_at),
        "closes_at": timezone.localtime(grant_round.closes_at),
        "status": grant_round.status,
        "minimum_award": plain_pounds(grant_round.minimum_award),
        "maximum_award": plain_pounds(grant_round.maximum_award),
        "themes": [{"zone": t.zone.slug, "title": t.title} for t in grant_round.themes.all()],
        "budget_year": grant_round.budget_year.label,
        "awards": grant_round.award_count,
        "awarded": plain_pounds(grant_round.awarded),
        "url": grant_round.get_absolute_url(),
    }


@router.get("/rounds", response=list[RoundOut], summary="Grant rounds, newest first (public)")
def round_list(request: HttpRequest, filters: Query[RoundFilters]) -> list[dict[str, Any]]:
    """Every round with its dates, limits, themes and what it has awarded so far."""
    found = _rounds()
    if filters.zone:
        found = found.filter(zones__slug=filters.zone)
    rounds = [_round_out(r) for r in found]
    if filters.status:
        rounds = [r for r in rounds if r["status"] == filters.status]
    return rounds


@router.get("/rounds/{slug}", response=RoundDetailOut, summary="One grant round (public)")
def round_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """With its eligibility questions, guidance, and its awards' totals by zone."""
    grant_round = _rounds().filter(slug=slug).first()
    if grant_round is None:
        raise HttpError(404, _("There is no grant round “%(slug)s”.") % {"slug": slug[:120]})
    table = funding_table(grant_round)
    return {
        **_round_out(grant_round),
        "eligibility_questions": grant_round.eligibility_questions,
        "guidance": grant_round.guidance,
        "funding": [
            {
                "zone": row.zone.slug,
                "zone_name": row.zone.name,
                "awards": len(row.awards),
                "total": plain_pounds(row.total),
            }
            for row in table.zones
        ],
    }


# Awards ---------------------------------------------------------------------------------------


class AwardOut(Schema):
    identifier: str = Field(description="The 360Giving identifier, e.g. 360G-pz-PZ-2023-0007.")
    round: str = Field(description="The round's slug.")
    round_name: str
    zone: str = Field(description="The zone's slug.")
    organisation: str = Field(description="The organisation funded (never a person's name).")
    organisation_id: str = Field(description="Its org-id style identifier.")
    project: str
    brief: str
    amount: Money = Field(description=MONEY_HELP)
    decided_on: datetime.date | None = Field(description="Unknown for some historical awards.")
    conditions: str
    reasons: str
    url: str | None = Field(description="The award's page.")


class AwardFilters(Schema):
    round: str | None = Field(None, max_length=120, description="A round's slug.")
    zone: str | None = Field(None, max_length=80, description="A zone's slug.")


def _award_out(award: Award) -> dict[str, Any]:
    application = award.application
    return {
        "identifier": award.identifier,
        "round": application.round.slug,
        "round_name": application.round.name,
        "zone": application.zone.slug,
        "organisation": application.organisation.name,
        "organisation_id": application.organisation.org_id(application.round.fund),
        "project": application.project_name,
        "brief": application.brief,
        "amount": plain_pounds(award.amount),
        "decided_on": award.decided_on,
        "conditions": award.conditions,
        "reasons": award.reasons,
        "url": award.get_absolute_url(),
    }


@router.get("/awards", response=list[AwardOut], summary="Grants awarded (public)")
def award_list(request: HttpRequest, filters: Query[AwardFilters]) -> list[dict[str, Any]]:
    """Every award with its recipient organisation, purpose, amount, conditions and reasons."""
    found = awards().order_by("application__round__opens_at", "application__reference")
    if filters.round:
        found = found.filter(application__round__slug=filters.round)
    if filters.zone:
        found = found.filter(application__zone__slug=filters.zone)
    return [_award_out(award) for award in found]


@router.get("/awards/{identifier}", response=AwardOut, summary="One award (public)")
def award_detail(request: HttpRequest, identifier: str) -> dict[str, Any]:
    award = awards().filter(identifier=identifier).first()
    if award is None:
        raise HttpError(
            404, _("There is no award “%(identifier)s”.") % {"identifier": identifier[:120]}
        )
    return _award_out(award)


# Applications ---------------------------------------------------------------------------------


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class BudgetItemOut(Schema):
    description: str
    amount: Money = Field(description=MONEY_HELP)


class AwardBriefOut(Schema):
    identifier: str
    amount: Money = Field(description=MONEY_HELP)
    decided_on: datetime.date | None


class ApplicationOut(Schema):
    reference: str
    round: str = Field(description="The round's slug.")
    zone: str = Field(description="The zone's slug.")
    organisation: str
    project_name: str
    brief: str
    amount_requested: Money | None = Field(description=MONEY_HELP)
    budget_items: list[BudgetItemOut]
    themes: list[str]
    beneficiaries: str
    beneficiary_count: int | None
    status: ApplicationStatus
    status_label: str
    submitted_at: datetime.datetime | None
    imported: bool = Field(description="A historical award loaded from a table.")
    award: AwardBriefOut | None
    contact: ContactOut | None = Field(
        description="Only for the applicant and programme staff; null for anyone else."
    )


class ApplicationFilters(Schema):
    round: str | None = Field(None, max_length=120, description="A round's slug.")
    status: ApplicationStatus | None = None


def _visible(user: Any) -> QuerySet[Application]:
    return (
        applications_for(user)
        .select_related("award", "round__fund")
        .prefetch_related("budget_items", "themes")
        .order_by("round__opens_at", "reference")
    )


def _contact_rule(user: Any):
    """Whether a user may see an application's contact details, decided with one query."""
    if permissions.is_grants_staff(user):
        return lambda application: True
    owned = set(
        Organisation.objects.filter(owners=user.pk).values_list("pk", flat=True)
        if getattr(user, "is_authenticated", False)
        else []
    )
    return lambda application: (
        application.applicant_id == user.pk or application.organisation_id in owned
    )


def _application_out(application: Application, *, show_contact: bool) -> dict[str, Any]:
    award = getattr(application, "award", None)
    return {
        "reference": application.reference,
        "round": application.round.slug,
        "zone": application.zone.slug,
        "organisation": application.organisation.name,
        "project_name": application.project_name,
        "brief": application.brief,
        "amount_requested": plain_pounds(application.amount_requested),
        "budget_items": [
            {"description": item.description, "amount": plain_pounds(item.amount)}
            for item in application.budget_items.all()
        ],
        "themes": [theme.title for theme in application.themes.all()],
        "beneficiaries": application.beneficiaries,
        "beneficiary_count": application.beneficiary_count,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "submitted_at": (
            timezone.localtime(application.submitted_at) if application.submitted_at else None
        ),
        "imported": application.imported,
        "award": (
            {
                "identifier": award.identifier,
                "amount": plain_pounds(award.amount),
                "decided_on": award.decided_on,
            }
            if award is not None
            else None
        ),
        "contact": (
            {
                "name": application.contact_name,
                "email": application.contact_email,
                "phone": application.contact_phone,
            }
            if show_contact
            else None
        ),
    }


def _application_or_404(user: Any, reference: str) -> Application:
    application = _visible(user).filter(reference=reference).first()
    if application is None:
        raise HttpError(
            404,
            _("There is no application “%(reference)s” that you may see.")
            % {"reference": reference[:40]},
        )
    return application


@router.get(
    "/applications",
    response=list[ApplicationOut],
    auth=signed_in,
    summary="Applications you may see (signed in)",
)
def application_list(
    request: HttpRequest, filters: Query[ApplicationFilters]
) -> list[dict[str, Any]]:
    """Applicants see their own organisations' applications; the programme team, commissioner
    and finance every one; assessors those that reached assessment. Contact details only for
    the applicant and staff."""
    found = _visible(request.auth)
    if filters.round:
        found = found.filter(round__slug=filters.round)
    if filters.status:
        found = found.filter(status=filters.status)
    may_see_contact = _contact_rule(request.auth)
    return [_application_out(a, show_contact=may_see_contact(a)) for a in found]


@router.get(
    "/applications/{reference}",
    response=ApplicationOut,
    auth=signed_in,
    summary="One application you may see (signed in)",
)
def application_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    """404 for an application you may not see, as for one that does not exist."""
    application = _application_or_404(request.auth, reference)
    return _application_out(application, show_contact=_contact_rule(request.auth)(application))


class DecisionIn(Schema):
    action: Literal["approve", "decline"]
    amount: Money | None = Field(
        None,
        max_length=40,
        description="For approve: the amount awarded, at most the amount requested; "
        "defaults to it. " + MONEY_HELP + " A JSON number is refused.",
    )
    reason: str = Field(
        "",
        max_length=4000,
        description="Published with an award as its reasons; required to decline (the "
        "applicant sees it).",
    )
    conditions: str = Field("", max_length=4000, description="For approve: the award's terms.")


@router.post(
    "/applications/{reference}/decision",
    response=ApplicationOut,
    auth=signed_in,
    summary="Approve or decline an application (the commissioner)",
)
def decision(request: HttpRequest, reference: str, payload: DecisionIn) -> dict[str, Any]:
    """Only recommended or not recommended applications can be decided. Approving creates the
    award and commits it against the round's budget line, refusing to over-commit the line
    (400). Errors: 400 with every message, 403 for anyone but the commissioner."""
    user = request.auth
    application = _application_or_404(user, reference)
    if not permissions.can_decide(user):
        raise PermissionDenied(_("Only the commissioner approves or declines grant applications."))
    if payload.action == "approve":
        amount = None
        if payload.amount is not None:
            try:
                amount = parse_gbp(payload.amount)
            except MoneyError as error:
                raise ValidationError({"amount": error.messages}) from None
        services.approve(
            application=application,
            actor=user,
            amount=amount,
            reasons=payload.reason,
            conditions=payload.conditions,
        )
    else:
        if payload.amount is not None or payload.conditions.strip():
            raise ValidationError(
                {"amount": [_("An amount and conditions are only given when approving.")]}
            )
        services.move(application=application, action="decline", actor=user, reason=payload.reason)
    return _application_out(_application_or_404(user, reference), show_contact=True)
