"""Reads for the action log pages, exports and API, scoped to what the acting user may see.

The general reads (`action_list`, `action_rag`, ...) live in `governance.selectors`; these add
the look-ups the log needs on top of them: the group behind a zone's slug, one action, the
timeline, the choices for the forms and the latest update of each action in one query.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from peoplezones.governance.models import Action, ActionUpdate, Meeting, SteeringGroup
from peoplezones.governance.permissions import can_view_group_drafts
from peoplezones.governance.selectors import (
    action_list,
    action_rag,
    meeting_minutes_visible,
    published_minutes_html,
    today,
)

# RAG in words as well as colour: a red tag alone means nothing to someone who cannot see red.
RAG_LABELS = {
    "red": _("Overdue"),
    "amber": _("Due soon"),
    "green": _("On track"),
}
# The names steering groups use in a circulated log's RAG column.
RAG_NAMES = {"red": _("Red"), "amber": _("Amber"), "green": _("Green")}
RAG_TAG_CLASSES = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--yellow",
    "green": "govuk-tag--green",
}


def action_log_group(*, user: Any, slug: str) -> SteeringGroup:
    """The steering group of the zone `slug`, if this user may read its action log.

    Raises SteeringGroup.DoesNotExist both when there is no such group and when the user may
    not see it, so that pages and the API answer the same 404 to both.
    """
    group = (
        SteeringGroup.objects.select_related("zone").filter(zone__slug=slug).first()
        if slug
        else None
    )
    if group is None or not can_view_group_drafts(user, group):
        raise SteeringGroup.DoesNotExist
    return group


def steering_group_for_zone(*, slug: str) -> SteeringGroup:
    """The zone's steering group for public reads (meeting dates); raises DoesNotExist."""
    return SteeringGroup.objects.select_related("zone").get(zone__slug=slug)


def action_get(*, user: Any, pk: int) -> Action:
    """One action, if this user may see its group's log; raises Action.DoesNotExist."""
    action = (
        Action.objects.select_related(
            "group__zone", "owner_member", "owner_user", "theme", "raised_at"
        )
        .filter(pk=pk)
        .first()
    )
    if action is None or not can_view_group_drafts(user, action.group):
        raise Action.DoesNotExist
    return action


def action_log(
    *,
    user: Any,
    group: SteeringGroup,
    status: str | None = None,
    owner: str | None = None,
    theme: Any = None,
    overdue: bool = False,
    on: datetime.date | None = None,
) -> list[Action]:
    """The filtered log with each action's `rag` and `latest_update` worked out.

    The latest update comes from a subquery, not a prefetch of whole timelines, so the log
    costs one query however long it is. Callers must have checked `can_view_group_drafts`.
    """
    on = on or today()
    latest = (
        ActionUpdate.objects.filter(action=OuterRef("pk"))
        .exclude(text="")
        .order_by("-created", "-pk")
        .values("text")[:1]
    )
    actions = list(
        action_list(
            user=user, group=group, status=status, owner=owner, theme=theme, overdue=overdue, on=on
        ).annotate(latest_update=Subquery(latest))
    )
    return with_rag(actions, on=on)


def with_rag(actions: Iterable[Action], *, on: datetime.date | None = None) -> list[Action]:
    """Set `rag`, `rag_label` and `rag_class` on each action, for templates and writers."""
    on = on or today()
    out = []
    for action in actions:
        action.rag = action_rag(action, on=on)
        action.rag_label = RAG_LABELS.get(action.rag, "")
        action.rag_class = RAG_TAG_CLASSES.get(action.rag, "govuk-tag--grey")
        out.append(action)
    return out


def action_timeline(*, action: Action) -> QuerySet[ActionUpdate]:
    """Every update of the action, oldest first, with who wrote it."""
    return action.updates.select_related("author").order_by("created", "pk")


def group_meetings(*, group: SteeringGroup) -> QuerySet[Meeting]:
    """The group's meetings, newest first: the choices for "raised at"."""
    return group.meetings.order_by("-starts")


def meetings_for_reader(*, user: Any, group: SteeringGroup) -> list[dict[str, Any]]:
    """Every meeting's date and place, with the minutes this user may read.

    Everyone sees when and where meetings are and the published minutes (residents who did
    not agree to be named replaced by "a resident"); the zone's people and staff also see draft,
    circulated and approved minutes as written. The group's members are fetched once for all
    the published minutes rather than once per meeting.
    """
    group = SteeringGroup.objects.prefetch_related("members").get(pk=group.pk)
    rows = []
    for meeting in group.meetings.order_by("-starts"):
        meeting.group = group
        published = meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED
        if published:
            minutes: str | None = published_minutes_html(meeting=meeting)
        elif meeting_minutes_visible(user=user, meeting=meeting):
            minutes = meeting.minutes
        else:
            minutes = None
        rows.append({"meeting": meeting, "minutes": minutes})
    return rows
