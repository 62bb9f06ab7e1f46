"""What pages, the API and open data read about grants; every total is summed from awards."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from peoplezones.core.money import GBP_ZERO
from peoplezones.grants import permissions
from peoplezones.grants.models import Application, Award, GrantRound, Review

S = Application.Status


def public_rounds() -> QuerySet[GrantRound]:
    return GrantRound.objects.select_related("fund").prefetch_related("zones", "themes")


def awards() -> QuerySet[Award]:
    return Award.objects.select_related(
        "application__organisation", "application__zone", "application__round__fund"
    )


def round_total(grant_round: GrantRound) -> Decimal:
    return Award.objects.filter(application__round=grant_round).aggregate(
        total=Coalesce(Sum("amount"), GBP_ZERO)
    )["total"]


def zone_year_total(*, zone: Any, start_year: int) -> Decimal:
    """Awards to a zone from rounds of one budget year."""
    return Award.objects.filter(
        application__zone=zone, application__round__budget_year__start_year=start_year
    ).aggregate(total=Coalesce(Sum("amount"), GBP_ZERO))["total"]


@dataclass
class ZoneFunding:
    zone: Any
    awards: list[Award] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.awards), GBP_ZERO)


@dataclass
class FundingTable:
    grant_round: GrantRound
    zones: list[ZoneFunding]

    @property
    def total(self) -> Decimal:
        return sum((z.total for z in self.zones), GBP_ZERO)

    @property
    def count(self) -> int:
        return sum(len(z.awards) for z in self.zones)


def funding_table(grant_round: GrantRound) -> FundingTable:
    """The round's awards grouped by zone, like the tables in the panel report; one query."""
    return funding_tables([grant_round])[0]


def funding_tables(rounds: list[GrantRound]) -> list[FundingTable]:
    """Each round's funding table (see `funding_table`), in the order given; one query for all
    of them."""
    by_round: dict[int, dict[int, ZoneFunding]] = {grant_round.pk: {} for grant_round in rounds}
    if rounds:
        for award in (
            awards()
            .filter(application__round__in=[grant_round.pk for grant_round in rounds])
            # Not shown in a funding table, and costly to decode on every row.
            .defer(
                "application__zone__boundary",
                "application__eligibility_answers",
                "application__round__eligibility_questions",
            )
            .order_by(
                "application__zone__name",
                "application__organisation__name",
                "application__project_name",
            )
        ):
            zone = award.application.zone
            by_zone = by_round[award.application.round_id]
            by_zone.setdefault(zone.pk, ZoneFunding(zone)).awards.append(award)
    return [
        FundingTable(grant_round, list(by_round[grant_round.pk].values())) for grant_round in rounds
    ]


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    reviews: int
    mean: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None  # population standard deviation of the assessors' weighted scores
    conflicts: int


# What the ranking and decision tables show of each application: leaving out the long texts,
# the answers and the zone's boundary makes a round of a thousand applications several times
# cheaper to load.
RANKING_FIELDS = (
    "reference",
    "project_name",
    "status",
    "amount_requested",
    "round_id",
    "organisation__name",
    "zone__name",
    "zone__slug",
)
_HUNDREDTH = Decimal("0.01")


def _mean_and_spread(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation, exact in Decimal, rounded to hundredths."""
    count = len(values)
    mean = sum(values) / count
    variance = sum((value - mean) ** 2 for value in values) / count
    return mean.quantize(_HUNDREDTH), variance.sqrt().quantize(_HUNDREDTH)


def ranking(grant_round: GrantRound, *, zone: Any = None) -> list[RankedApplication]:
    """Applications under assessment or later, best weighted mean first; two queries."""
    applications = (
        grant_round.applications.exclude(status__in=[S.DRAFT, S.WITHDRAWN, S.INELIGIBLE])
        .select_related("organisation", "zone")
        .only(*RANKING_FIELDS)
        .annotate(
            conflict_count=Count(
                "conflict_declarations",
                filter=Q(conflict_declarations__has_conflict=True),
                distinct=True,
            )
        )
    )
    review_rows = Review.objects.filter(application__round=grant_round)
    if zone is not None:
        applications = applications.filter(zone=zone)
        review_rows = review_rows.filter(application__zone=zone)
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for application_id, value in review_rows.values_list("application_id", "weighted_score"):
        scores[application_id].append(value)
    ranked = []
    for application in applications:
        values = scores.get(application.pk)
        if values:
            mean, spread = _mean_and_spread(values)
            ranked.append(
                RankedApplication(
                    application,
                    len(values),
                    mean,
                    min(values),
                    max(values),
                    spread,
                    application.conflict_count,
                )
            )
        else:
            conflicts = application.conflict_count
            ranked.append(RankedApplication(application, 0, None, None, None, None, conflicts))
    ranked.sort(key=lambda r: (r.mean is None, -(r.mean or 0), r.application.reference))
    return ranked


def applications_for(user: Any) -> QuerySet[Application]:
    """What a user may see: staff everything, assessors what reached assessment, applicants
    their own organisations' applications."""
    base = Application.objects.select_related("round", "organisation", "zone")
    if permissions.is_grants_staff(user):
        return base
    if permissions.can_assess(user):
        return base.exclude(status__in=[S.DRAFT, S.WITHDRAWN])
    if not getattr(user, "is_authenticated", False):
        return base.none()
    # One query with OR, not two querysets joined with |: Django refuses to combine a
    # distinct queryset with one that is not.
    return base.filter(Q(organisation__owners=user) | Q(applicant=user)).distinct()
