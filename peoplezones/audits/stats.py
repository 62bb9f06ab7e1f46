"""Staff reads of issues: the dashboard figures, and the lists behind the staff pages.

Medians are worked out in Python from the two timestamps, so the same code gives the same
answer on SQLite and PostgreSQL. Each figure is one query whatever the number of issues.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count

from peoplezones.audits.models import Audit, Issue
from peoplezones.audits.permissions import managed_zone_ids
from peoplezones.audits.referrals import issue_grid
from peoplezones.audits.selectors import public_issues
from peoplezones.audits.workflow import CLOSED_STATES, OPEN_STATES

OLDEST_OPEN_LIMIT = 10
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class WalkRow:
    issue: Issue
    easting: int | None
    northing: int | None


def walk_list(*, issues: Iterable[Issue]) -> list[WalkRow]:
    """The issues to visit on foot, each with its grid reference for a paper map."""
    rows = []
    for issue in issues:
        grid = issue_grid(issue)
        rows.append(WalkRow(issue, grid[0] if grid else None, grid[1] if grid else None))
    return rows


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        # A missing stamp has no duration; one before the other is bad data, left out.
        return None
    return (end - start).total_seconds() / SECONDS_PER_DAY


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


@dataclass
class GroupFigures:
    """Counts and medians for one zone or audit (or all issues)."""

    key: Any
    name: str
    total: int = 0
    open: int = 0
    fixed: int = 0
    closed: int = 0
    days_to_refer: list[float] = field(default_factory=list, repr=False)
    days_to_fix: list[float] = field(default_factory=list, repr=False)

    @property
    def median_days_to_refer(self) -> float | None:
        return _median(self.days_to_refer)

    @property
    def median_days_to_fix(self) -> float | None:
        return _median(self.days_to_fix)

    def add(self, state: str, to_refer: float | None, to_fix: float | None) -> None:
        self.total += 1
        self.open += state in OPEN_STATES
        self.fixed += state == Issue.State.FIXED
        self.closed += state in CLOSED_STATES
        if to_refer is not None:
            self.days_to_refer.append(to_refer)
        if to_fix is not None:
            self.days_to_fix.append(to_fix)


@dataclass
class IssueStats:
    overall: GroupFigures
    by_category: list[dict[str, Any]]
    by_state: list[dict[str, Any]]
    by_zone: list[GroupFigures]
    by_audit: list[GroupFigures]
    oldest_open: list[Issue]


def issue_stats(*, user: Any, zone: Any = None, audit: Audit | None = None) -> IssueStats:
    """The dashboard: counts by category and state, median days from confirmation to referral
    and to fix, the oldest open issues; overall and per zone and per audit. Four queries.

    Staff see every issue of the zones they manage; anyone else the public ones only.
    """
    managed = managed_zone_ids(user=user)
    if managed is None or (zone is not None and zone.pk in managed):
        issues = Issue.objects.all()
    elif managed:
        issues = Issue.objects.filter(zone_id__in=managed)
    else:
        issues = public_issues()
    if zone is not None:
        issues = issues.filter(zone=zone)
    if audit is not None:
        issues = issues.filter(audit=audit)

    by_category = list(
        issues.values("category__code", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__name")
    )
    state_counts = {
        row["state"]: row["count"]
        for row in issues.order_by().values("state").annotate(count=Count("pk"))
    }
    by_state = [
        {"state": value, "label": label, "count": state_counts.get(value, 0)}
        for value, label in Issue.State.choices
    ]

    overall = GroupFigures(key=None, name="")
    zones: dict[Any, GroupFigures] = {}
    audits: dict[Any, GroupFigures] = {}
    rows = issues.values_list(
        "state",
        "confirmed_at",
        "referred_at",
        "fixed_at",
        "zone_id",
        "zone__name",
        "audit_id",
        "audit__name",
    )
    for state, confirmed, referred, fixed, zone_id, zone_name, audit_id, audit_name in rows:
        to_refer, to_fix = _days(confirmed, referred), _days(confirmed, fixed)
        overall.add(state, to_refer, to_fix)
        zones.setdefault(zone_id, GroupFigures(key=zone_id, name=zone_name or "")).add(
            state, to_refer, to_fix
        )
        if audit_id is not None:
            audits.setdefault(audit_id, GroupFigures(key=audit_id, name=audit_name)).add(
                state, to_refer, to_fix
            )

    oldest_open = list(
        issues.filter(state__in=OPEN_STATES)
        .select_related("category", "zone")
        .order_by("created", "pk")[:OLDEST_OPEN_LIMIT]
    )
    return IssueStats(
        overall=overall,
        by_category=by_category,
        by_state=by_state,
        by_zone=sorted(zones.values(), key=lambda g: (g.key is None, g.name)),
        by_audit=sorted(audits.values(), key=lambda g: g.name),
        oldest_open=oldest_open,
    )
