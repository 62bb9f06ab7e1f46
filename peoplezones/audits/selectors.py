"""Reads of issues and audits, scoped to what the acting user may see."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from peoplezones.audits.models import Audit, Issue, IssueCategory, IssuePhoto, IssueUpdate
from peoplezones.audits.permissions import can_manage_issues, managed_zone_ids
from peoplezones.audits.workflow import OPEN_STATES, PUBLIC_STATES
from peoplezones.core.selectors import within_radius

DUPLICATE_RADIUS_M = 250
QUEUE_STATES = (Issue.State.UNCONFIRMED, Issue.State.OPEN)


def category_list(*, audit: Audit | None = None) -> QuerySet[IssueCategory]:
    """The kinds of problem people can report now (an audit's own list, if it has one)."""
    categories = IssueCategory.objects.filter(active=True)
    if audit is not None and audit.categories.exists():
        categories = audit.categories.filter(active=True)
    return categories.order_by("order", "name")


def public_issues() -> QuerySet[Issue]:
    """Confirmed issues that are not hidden: what anyone may see."""
    return Issue.objects.filter(state__in=PUBLIC_STATES)


def issue_list(
    *,
    user: Any,
    zone: Any = None,
    audit: Audit | None = None,
    category: IssueCategory | None = None,
    states: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> QuerySet[Issue]:
    """Issues this user may see, newest first, filtered, with category and zone loaded.

    Staff see unconfirmed and hidden issues too (for the zones they manage, or all).
    """
    issues = Issue.objects.all() if can_manage_issues(user) else public_issues()
    if zone is not None:
        issues = issues.filter(zone=zone)
    if audit is not None:
        issues = issues.filter(audit=audit)
    if category is not None:
        issues = issues.filter(category=category)
    if states:
        issues = issues.filter(state__in=states)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        issues = issues.filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    return issues.select_related("category", "zone", "audit").order_by("-created", "-pk")


def issue_get(*, user: Any, pk: int) -> Issue:
    """One issue this user may see, with its public photos; else Issue.DoesNotExist."""
    issue = (
        Issue.objects.select_related("category", "zone", "audit", "duplicate_of")
        .prefetch_related(Prefetch("photos", queryset=IssuePhoto.objects.order_by("created")))
        .get(pk=pk)
    )
    if issue.state not in PUBLIC_STATES and not can_manage_issues(user, issue):
        raise Issue.DoesNotExist
    return issue


def issue_for_client_report(*, client_report_id: Any) -> Issue | None:
    """The issue a phone already sent with this id, if any (offline queues retry)."""
    return Issue.objects.filter(client_report_id=client_report_id).first()


def issue_photos(*, user: Any, issue: Issue) -> list[IssuePhoto]:
    """The photos this user may see: staff see hidden ones too."""
    photos = list(issue.photos.all())
    if can_manage_issues(user, issue):
        return photos
    return [photo for photo in photos if photo.public]


def issue_timeline(*, user: Any, issue: Issue) -> QuerySet[IssueUpdate]:
    """The issue's updates, oldest first; the public sees public ones only."""
    updates = issue.updates.select_related("author", "body").order_by("created", "pk")
    if not can_manage_issues(user, issue):
        updates = updates.filter(public=True)
    return updates


def nearby_open_issues(
    *,
    category: IssueCategory,
    lat: float,
    lon: float,
    radius_m: float = DUPLICATE_RADIUS_M,
    limit: int = 5,
) -> list[Issue]:
    """Open public issues of this category within `radius_m`, nearest first: maybe the same."""
    candidates = public_issues().filter(category=category, state__in=OPEN_STATES)
    return within_radius(
        candidates.select_related("category"), lat=lat, lon=lon, radius_m=radius_m
    )[:limit]


def audit_list(*, user: Any, zone: Any = None) -> QuerySet[Audit]:
    audits = Audit.objects.select_related("zone").prefetch_related("categories")
    if zone is not None:
        audits = audits.filter(zone=zone)
    return audits.order_by("-starts")


def _managed_issues(user: Any) -> QuerySet[Issue]:
    zone_ids = managed_zone_ids(user=user)
    if zone_ids is None:
        return Issue.objects.all()
    return Issue.objects.filter(zone_id__in=zone_ids)


def _filtered(
    issues: QuerySet[Issue],
    *,
    zone: Any = None,
    audit: Audit | None = None,
    category: IssueCategory | None = None,
    states: Iterable[str] | None = None,
    ids: Iterable[int] | None = None,
) -> QuerySet[Issue]:
    if zone is not None:
        issues = issues.filter(zone=zone)
    if audit is not None:
        issues = issues.filter(audit=audit)
    if category is not None:
        issues = issues.filter(category=category)
    if states:
        issues = issues.filter(state__in=list(states))
    if ids is not None:
        issues = issues.filter(pk__in=list(ids))
    return issues.select_related("category", "zone", "audit").order_by("created", "pk")


def staff_issue_list(
    *,
    user: Any,
    zone: Any = None,
    audit: Audit | None = None,
    category: IssueCategory | None = None,
    states: Iterable[str] | None = None,
    ids: Iterable[int] | None = None,
) -> QuerySet[Issue]:
    """Every issue this user manages (unconfirmed and hidden ones too), filtered, oldest first.

    The programme team and moderators manage all zones; a zone officer the zones they serve.
    Anyone else gets nothing.
    """
    return _filtered(
        _managed_issues(user),
        zone=zone,
        audit=audit,
        category=category,
        states=states,
        ids=ids,
    )


def validation_queue(
    *,
    user: Any,
    zone: Any = None,
    audit: Audit | None = None,
    category: IssueCategory | None = None,
) -> QuerySet[Issue]:
    """New and unconfirmed issues of the zones this user manages, oldest first."""
    return staff_issue_list(
        user=user, zone=zone, audit=audit, category=category, states=QUEUE_STATES
    )
