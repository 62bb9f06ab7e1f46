"""Reads for the Open311 endpoints, built on the audits selectors.

GET answers are open data: they are the same for everyone, so every read here acts as an
anonymous user even when a staff token is presented (a key must never widen a public answer).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Prefetch, QuerySet, prefetch_related_objects

from peoplezones.audits.models import Body, Issue, IssueCategory, IssuePhoto, IssueUpdate, Referral
from peoplezones.audits.selectors import category_list, issue_get, issue_list, public_issues

MAX_REQUESTS = 1000


def _public_details() -> list[Prefetch]:
    # Loaded as lists on each issue so that a page of 1,000 requests costs a fixed few queries.
    return [
        Prefetch(
            "updates",
            queryset=IssueUpdate.objects.filter(public=True).order_by("-created", "-pk"),
            to_attr="open311_public_updates",
        ),
        Prefetch(
            "photos",
            queryset=IssuePhoto.objects.filter(public=True).order_by("created", "pk"),
            to_attr="open311_public_photos",
        ),
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("body").order_by("-created", "-pk"),
            to_attr="open311_referrals",
        ),
    ]


def service_list() -> QuerySet[IssueCategory]:
    """The active categories, in the order residents see them."""
    return category_list()


def service_get(*, service_code: str) -> IssueCategory:
    """One active category by its Open311 code; else IssueCategory.DoesNotExist."""
    return category_list().get(service_code=service_code)


def services_changed() -> datetime.datetime | None:
    """When the list of services last changed (the discovery document's changeset)."""
    return service_list().aggregate(latest=Max("modified"))["latest"]


def request_list(
    *,
    ids: Sequence[int] = (),
    category: IssueCategory | None = None,
    states: Sequence[str] | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> list[Issue]:
    """Public issues, newest first, at most MAX_REQUESTS, with what an Open311 answer shows.

    Ids override every other filter, as the spec says.
    """
    if ids:
        issues = issue_list(user=AnonymousUser()).filter(pk__in=ids)
    else:
        issues = issue_list(
            user=AnonymousUser(), category=category, states=list(states) if states else None
        )
        if start is not None:
            issues = issues.filter(created__gte=start)
        if end is not None:
            issues = issues.filter(created__lte=end)
    return list(issues.prefetch_related(*_public_details())[:MAX_REQUESTS])


def request_get(*, pk: int) -> Issue:
    """One public issue with its public details; else Issue.DoesNotExist (hidden ones too)."""
    issue = issue_get(user=AnonymousUser(), pk=pk)
    prefetch_related_objects([issue], *_public_details())
    return issue


def request_for_token(*, token: str) -> Issue:
    """The public issue whose uuid is this token; else Issue.DoesNotExist."""
    return public_issues().get(uuid=token)


def issue_for_update(*, user: Any, pk: int) -> Issue:
    """An issue a key holder may push a status change to (staff see unconfirmed ones too)."""
    return issue_get(user=user, pk=pk)


def responsible_body(*, issue: Issue) -> Body | None:
    """The body of the issue's latest referral: the council that answers for it."""
    referral = issue.referrals.select_related("body").order_by("-created", "-pk").first()
    return referral.body if referral is not None else None


def latest_update(*, issue: Issue) -> IssueUpdate | None:
    """The newest entry on the issue's timeline."""
    return issue.updates.order_by("-created", "-pk").first()
