"""Reads for the public steering group page and the initiative pages.

Everything here is public: counts, dates, statuses and outputs, never a member's or a
participant's name or email. Kept apart from `selectors.py`, which others are changing; it
builds on those selectors rather than repeating them.
"""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peoplezones.governance.models import Initiative, Member, Milestone, Output, SteeringGroup
from peoplezones.governance.selectors import (
    action_summary,
    composition,
    group_for_zone,
    initiative_list,
    published_meetings,
    upcoming_meetings,
)

# How the page says who chairs the group: a role in words, never a person.
CHAIR_IN_WORDS = {
    Member.Sector.RESIDENT: _("Chaired by a resident"),
    Member.Sector.COMMUNITY: _("Chaired by someone from a community organisation"),
    Member.Sector.POLICE: _("Chaired by the police"),
    Member.Sector.FIRE: _("Chaired by the fire and rescue service"),
    Member.Sector.COUNCIL: _("Chaired by the council"),
    Member.Sector.HEALTH: _("Chaired by a health partner"),
    Member.Sector.PROBATION: _("Chaired by the probation service"),
    Member.Sector.EDUCATION: _("Chaired by someone from education"),
    Member.Sector.FAITH: _("Chaired by someone from a faith group"),
    Member.Sector.BUSINESS: _("Chaired by someone from a local business"),
    Member.Sector.OTHER: _("Chaired by a partner"),
}
WHOLE_ZONE = _("Across the whole zone")

# The page shows this many meetings with published minutes; older ones are on the meetings page.
PUBLISHED_SHOWN = 12


def chair_in_words(*, sector_label: Any) -> str | None:
    """The chair's role in words from `composition`'s chair sector (a label), or None."""
    if sector_label is None:
        return None
    by_label = {str(label): value for value, label in Member.Sector.choices}
    sector = by_label.get(str(sector_label))
    return CHAIR_IN_WORDS.get(sector, CHAIR_IN_WORDS[Member.Sector.OTHER])


def public_initiatives(*, zone: Any = None, kind: str | None = None) -> QuerySet[Initiative]:
    """Initiatives for the public lists, optionally in one zone and of one kind."""
    initiatives = initiative_list(zone=zone)
    if kind:
        initiatives = initiatives.filter(kind=kind)
    return initiatives


def initiative_get(*, slug: str) -> Initiative:
    """One initiative with what its page shows; raises Initiative.DoesNotExist."""
    return Initiative.objects.prefetch_related(
        "zones",
        "themes",
        Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk")),
        Prefetch("outputs", queryset=Output.objects.order_by("pk")),
    ).get(slug=slug)


def cohort_counts(*, initiative: Initiative) -> dict[str, int] | None:
    """A leadership cohort's numbers (participants, completed, joined the network); else None.

    One aggregate query, so no participant row (and no name) ever leaves the database here.
    """
    if initiative.kind != Initiative.Kind.LEADERSHIP:
        return None
    return initiative.participants.aggregate(
        participants=Count("pk"),
        completed=Count("pk", filter=Q(completed=True)),
        joined_network=Count("pk", filter=Q(joined_leaders_network=True)),
    )


def group_page(*, zone: Any) -> dict[str, Any] | None:
    """What the public steering group page shows for a zone, or None if it has no group."""
    group: SteeringGroup | None = group_for_zone(zone=zone)
    if group is None:
        return None
    make_up = composition(group=group)
    make_up["by_area"] = [
        (WHOLE_ZONE if area == "–" else area, count) for area, count in make_up["by_area"]
    ]
    return {
        "group": group,
        "composition": make_up,
        "chair": chair_in_words(sector_label=make_up["chair_sector"]),
        "upcoming": list(upcoming_meetings(group=group)),
        "published": list(published_meetings(group=group)[:PUBLISHED_SHOWN]),
        "actions": action_summary(group=group),
        "initiatives": list(public_initiatives(zone=zone)),
    }
