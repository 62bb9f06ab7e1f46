"""The staff round pages' writes: setting up a round with its scoring matrix in one go, changing
a round's fields, and keeping its criteria.

Every change is an audit event (one per field changed, so the history reads field by field).
Only the programme team may call these.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.grants import permissions
from peoplezones.grants.models import Award, Criterion, GrantRound, Review

from .rounds import add_round_rule_errors, create_round

# Slugs the staff URLs use for pages of their own.
RESERVED_SLUGS = frozenset({"new"})


@dataclass(frozen=True)
class CriterionInput:
    """One criterion as the set-up form gives it; `pk` None for a new one."""

    pk: int | None
    title: str
    weight: int = 1
    description: str = ""
    descriptors: list[str] = field(default_factory=list)
    delete: bool = False


def _require_programme_team(actor: Any) -> None:
    if not permissions.can_manage_rounds(actor):
        raise PermissionDenied(_("Only the programme team can set up grant rounds."))


def unique_round_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the name that no other round (and no staff page) uses."""
    base = slugify(name)[:110] or "round"
    taken = (
        set(
            GrantRound.objects.filter(slug__startswith=base)
            .exclude(pk=exclude_pk)
            .values_list("slug", flat=True)
        )
        | RESERVED_SLUGS
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def round_set_up(
    *,
    actor: Any,
    criteria: Sequence[CriterionInput] = (),
    **fields: Any,
) -> GrantRound:
    """A new round (through `create_round`) and its scoring criteria, all or nothing."""
    _require_programme_team(actor)
    with transaction.atomic():
        grant_round = create_round(
            actor=actor, slug=unique_round_slug(fields.get("name", "")), **fields
        )
        criteria_save(grant_round=grant_round, actor=actor, criteria=criteria)
    return grant_round


def _shown(value: Any) -> Any:
    """A value as the audit event keeps it (JSON-friendly)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return value
    if value is None:
        return None
    return str(value)


def round_update(
    *,
    grant_round: GrantRound,
    actor: Any,
    fund: Any,
    name: str,
    zones: Sequence[Any],
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    budget_year: Any,
    budget_line: Any = None,
    minimum_award: Decimal = Decimal("0.00"),
    maximum_award: Decimal = Decimal("10000.00"),
    themes: Iterable[Any] | None = None,
    eligibility_questions: Sequence[str] = (),
    guidance: str = "",
    criteria: Sequence[CriterionInput] | None = None,
) -> GrantRound:
    """Change a round's set-up, recording each field that changed.

    Refuses what would break records already made: dropping a zone that has applications, or
    moving a round with awards to another budget year or line (their commitments stay put).
    """
    _require_programme_team(actor)
    themes = list(themes) if themes is not None else None
    errors: dict[str, list[str]] = {}
    if not zones:
        errors.setdefault("zones", []).append(_("Choose at least one zone that may apply."))
    zone_ids = {zone.pk for zone in zones}
    dropped = (
        grant_round.applications.exclude(zone_id__in=zone_ids)
        .select_related("zone")
        .order_by("zone__name")
        .first()
    )
    if dropped is not None:
        errors.setdefault("zones", []).append(
            _("%(zone)s cannot be taken off the round: it has applications.")
            % {"zone": dropped.zone.name}
        )
    if budget_line is not None and budget_line.year_id != budget_year.pk:
        errors.setdefault("budget_line", []).append(
            _("The budget line must belong to the round's budget year.")
        )
    has_awards = Award.objects.filter(application__round=grant_round).exists()
    if has_awards and (
        budget_year.pk != grant_round.budget_year_id
        or (budget_line.pk if budget_line else None) != grant_round.budget_line_id
    ):
        errors.setdefault("budget_line", []).append(
            _(
                "This round's awards are already committed against its budget line, so its "
                "budget year and line can no longer change."
            )
        )
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

    new_values = {
        "fund": fund,
        "name": name,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "minimum_award": minimum_award,
        "maximum_award": maximum_award,
        "eligibility_questions": [q.strip() for q in eligibility_questions if q.strip()],
        "guidance": guidance,
        "budget_year": budget_year,
        "budget_line": budget_line,
    }
    changes: dict[str, tuple[Any, Any]] = {}
    for name_of_field, value in new_values.items():
        before = getattr(grant_round, name_of_field)
        if before != value:
            changes[name_of_field] = (before, value)
            setattr(grant_round, name_of_field, value)
    with transaction.atomic():
        grant_round.full_clean()
        if changes:
            grant_round.save(update_fields=[*changes, "modified"])
        before_zones = sorted(z.pk for z in grant_round.zones.all())
        if before_zones != sorted(zone_ids):
            changes["zones"] = (
                [str(z) for z in grant_round.zones.order_by("name")],
                [str(z) for z in sorted(zones, key=lambda z: z.name)],
            )
            grant_round.zones.set(zones)
        if themes is None:
            from peoplezones.zones.models import Theme

            themes = Theme.objects.filter(zone__in=zones)
        theme_list = list(themes)
        before_themes = sorted(t.pk for t in grant_round.themes.all())
        if before_themes != sorted(t.pk for t in theme_list):
            changes["themes"] = (
                [str(t) for t in grant_round.themes.order_by("pk")],
                [str(t) for t in sorted(theme_list, key=lambda t: t.pk)],
            )
            grant_round.themes.set(theme_list)
        for name_of_field, (before, after) in changes.items():
            audit_record(
                actor=actor,
                verb="grants.round_changed",
                target=grant_round,
                data={"field": name_of_field, "from": _shown(before), "to": _shown(after)},
            )
        if criteria is not None:
            criteria_save(grant_round=grant_round, actor=actor, criteria=criteria)
    return grant_round


def criteria_save(
    *, grant_round: GrantRound, actor: Any, criteria: Sequence[CriterionInput]
) -> list[Criterion]:
    """Add, change and remove criteria of a round's scoring matrix (those not named stay).

    Once anyone has scored in the round, criteria can no longer be added, removed or
    re-weighted: the weighted scores already given would no longer mean the same. Their words
    can still be corrected.
    """
    _require_programme_team(actor)
    existing = {c.pk: c for c in grant_round.criteria.all()}
    scored = Review.objects.filter(application__round=grant_round).exists()
    problems: list[str] = []
    mentioned = {item.pk for item in criteria if item.pk is not None}
    # Titles in use once this is saved: the criteria left alone, then each one on the form.
    titles = {c.title.casefold() for c in existing.values() if c.pk not in mentioned}
    for item in criteria:
        if item.pk is not None and item.pk not in existing:
            problems.append(_("A criterion on the form is not one of this round's."))
            continue
        if item.delete:
            if scored:
                problems.append(
                    _("“%(title)s” cannot be removed: assessors have already scored.")
                    % {"title": existing[item.pk].title}
                )
            continue
        if not item.title:
            problems.append(_("Give every criterion a title."))
            continue
        key = item.title.casefold()
        if key in titles:
            problems.append(_("There are two criteria called “%(title)s”.") % {"title": item.title})
        titles.add(key)
        if scored and (item.pk is None or existing[item.pk].weight != item.weight):
            problems.append(
                _(
                    "Assessors have already scored applications in this round, so criteria "
                    "cannot be added or re-weighted (“%(title)s”)."
                )
                % {"title": item.title}
            )
    if problems:
        raise ValidationError({"criteria": list(dict.fromkeys(problems))})

    order = max((c.order for c in existing.values()), default=0)
    with transaction.atomic():
        for item in criteria:
            if item.delete:
                criterion = existing.pop(item.pk)
                criterion.delete()
                audit_record(
                    actor=actor,
                    verb="grants.criterion_removed",
                    target=grant_round,
                    data={"criterion": criterion.title},
                )
                continue
            descriptors = list(item.descriptors)
            if not any(descriptors):
                descriptors = []
            if item.pk is None:
                order += 1
                criterion = Criterion(
                    round=grant_round,
                    title=item.title,
                    description=item.description,
                    weight=item.weight,
                    descriptors=descriptors,
                    order=order,
                )
                criterion.full_clean()
                criterion.save()
                existing[criterion.pk] = criterion
                audit_record(
                    actor=actor,
                    verb="grants.criterion_added",
                    target=grant_round,
                    data={"criterion": criterion.title, "weight": criterion.weight},
                )
                continue
            criterion = existing[item.pk]
            changed = {
                name: (getattr(criterion, name), value)
                for name, value in (
                    ("title", item.title),
                    ("description", item.description),
                    ("weight", item.weight),
                    ("descriptors", descriptors),
                )
                if getattr(criterion, name) != value
            }
            if not changed:
                continue
            for name, (_before, value) in changed.items():
                setattr(criterion, name, value)
            criterion.full_clean()
            criterion.save(update_fields=list(changed))
            audit_record(
                actor=actor,
                verb="grants.criterion_changed",
                target=grant_round,
                data={
                    "criterion": criterion.title,
                    "changes": {
                        name: {"from": before, "to": after}
                        for name, (before, after) in changed.items()
                    },
                },
            )
    return sorted(existing.values(), key=lambda c: (c.order, c.pk))
