"""Public representations of issues: never a reporter's email or phone, and their name only
when they chose to show it."""

from typing import Any

from django.urls import reverse

from peoplezones.audits.models import Issue
from peoplezones.audits.workflow import open311_status


def issue_properties(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.pk,
        "category": issue.category.code,
        "category_name": issue.category.name,
        "state": issue.state,
        "state_name": str(issue.get_state_display()),
        "status": open311_status(issue.state),
        "term": issue.term or None,
        "description": issue.description,
        "attributes": issue.attributes,
        "zone": issue.zone.slug if issue.zone_id and issue.zone else None,
        "audit": issue.audit.slug if issue.audit_id and issue.audit else None,
        "support_count": issue.support_count,
        "reported_by": issue.reporter_name if issue.show_name else None,
        "created": issue.created.isoformat(),
        "confirmed": issue.confirmed_at.isoformat() if issue.confirmed_at else None,
        "fixed": issue.fixed_at.isoformat() if issue.fixed_at else None,
        "closed": issue.closed_at.isoformat() if issue.closed_at else None,
        "duplicate_of": issue.duplicate_of_id,
        "url": reverse("audits:issue-detail", kwargs={"pk": issue.pk}),
    }


def issue_feature(issue: Issue) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": issue.pk,
        "geometry": {"type": "Point", "coordinates": [issue.longitude, issue.latitude]},
        "properties": issue_properties(issue),
    }


def issue_private_properties(issue: Issue) -> dict[str, Any]:
    """The extra fields staff see (never for the public)."""
    return {
        "reporter_name": issue.reporter_name,
        "reporter_email": issue.reporter_email,
        "reporter_phone": issue.reporter_phone,
        "accuracy_m": issue.accuracy_m,
        "original_description": issue.original_description,
    }
