"""Grant rounds: creating one, and marking it decided."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from peoplezones.core.money import GBP_ZERO
from peoplezones.core.services import audit_record
from peoplezones.grants import permissions
from peoplezones.grants.models import (
    Fund,
    GrantRound,
)
from peoplezones.grants.services._common import S


def add_round_rule_errors(
    errors: dict[str, list[str]],
    *,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    minimum_award: Decimal,
    maximum_award: Decimal,
    zones: Sequence[Any] = (),
    themes: Sequence[Any] | None = None,
) -> None:
    """Add to `errors` (messages by field) what is wrong with a round's dates, award limits and
    themes: the rules of setting a round up and of changing it, beside the model's own field
    checks (a largest grant of at least £0.01, say). `themes` None: the zones' own themes,
    which are always right."""
    if opens_at >= closes_at:
        errors.setdefault("closes_at", []).append(_("A round must close after it opens."))
    if maximum_award < minimum_award:
        errors.setdefault("maximum_award", []).append(
            _("The largest grant cannot be smaller than the smallest.")
        )
    if themes is not None and zones:
        zone_ids = {zone.pk for zone in zones}
        strays = [theme for theme in themes if theme.zone_id not in zone_ids]
        if strays:
            errors.setdefault("themes", []).append(
                _("“%(theme)s” is not a theme of the zones chosen.") % {"theme": strays[0].title}
            )


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
    minimum_award: Decimal = GBP_ZERO,
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
    themes = list(themes) if themes is not None else None
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
    add_round_rule_errors(
        errors,
        opens_at=opens_at,
        closes_at=closes_at,
        minimum_award=minimum_award,
        maximum_award=maximum_award,
        zones=zones,
        themes=themes,
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
