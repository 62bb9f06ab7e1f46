"""Assessment: conflicts of interest and scores."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.grants import permissions
from peoplezones.grants.models import (
    Application,
    ConflictDeclaration,
    Criterion,
    Review,
)
from peoplezones.grants.services._common import S


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
