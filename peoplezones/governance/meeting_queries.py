"""Reads behind the meeting pages and the minutes downloads, scoped to what the user may see.

`minutes_document` is the one place that decides what a version of the minutes contains: the
members' version names everyone; the public version says "a resident" for residents who did not
agree to be named, in every field that could carry a name, not only in the minutes text.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.governance.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    Member,
    SteeringGroup,
)
from peoplezones.governance.permissions import can_view_group_drafts
from peoplezones.governance.selectors import (
    current_members,
    hidden_names,
    matters_arising,
    meeting_list,
    meeting_minutes_visible,
    public_attendance,
    published_minutes_html,
    redact,
)
from peoplezones.zones.models import Theme


@dataclass
class MinutesDocument:
    """One version of a meeting's papers, ready for a page, a Word document or a CSV file."""

    meeting: Meeting
    public: bool
    group_name: str
    zone_name: str
    starts: datetime.datetime
    ends: datetime.datetime | None
    place: str
    link: str
    status: str
    present: list[dict[str, str]] = field(default_factory=list)
    apologies: list[dict[str, str]] = field(default_factory=list)
    absent: list[dict[str, str]] = field(default_factory=list)
    guests: list[dict[str, str]] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)
    matters_arising: list[dict[str, str]] = field(default_factory=list)
    minutes_html: str = ""
    decisions: str = ""


def meeting_get(*, user: Any, pk: int) -> Meeting:
    """One meeting, if this user may see it; raises Meeting.DoesNotExist otherwise.

    Unpublished minutes are reported as missing, not forbidden, so nobody learns they exist.
    """
    meeting = Meeting.objects.select_related("group__zone").get(pk=pk)
    if not meeting_minutes_visible(user=user, meeting=meeting):
        raise Meeting.DoesNotExist
    return meeting


def meetings_for_list(
    *, user: Any, group: SteeringGroup, now: datetime.datetime | None = None
) -> dict[str, list[Meeting]]:
    """The group's meetings split into upcoming (soonest first) and past (latest first)."""
    now = now or timezone.now()
    meetings = list(meeting_list(user=user, group=group))
    return {
        "upcoming": sorted((m for m in meetings if m.starts >= now), key=lambda m: m.starts),
        "past": [m for m in meetings if m.starts < now],
    }


def agenda_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda_items.prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("order", "title"))
    ).order_by("order", "pk")


def meeting_attendance(*, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("member").order_by("status", "pk")


def attendance_members(*, meeting: Meeting) -> tuple[list[Member], dict[int, str]]:
    """Who to ask about: current members, and anyone recorded here who has since left.

    Returns the members in name order and the attendance already recorded for each.
    """
    recorded = {
        row.member_id: row.status for row in meeting_attendance(meeting=meeting) if row.member_id
    }
    members = {member.pk: member for member in current_members(group=meeting.group)}
    missing = set(recorded) - set(members)
    if missing:
        members.update({m.pk: m for m in meeting.group.members.filter(pk__in=missing)})
    return sorted(members.values(), key=lambda m: m.name.casefold()), recorded


def action_owner(action: Action, *, public: bool) -> str:
    """Who owns an action: members see the name; the public a name only with agreement.

    An account holder (usually programme staff) is not named in public: the action's
    organisation in words is shown instead, if there is one.
    """
    if not public:
        return action.owner_name
    member = action.owner_member
    if member is not None:
        return member.name if member.may_be_named else _("a resident")
    return action.owner_text


def _attendance_rows(meeting: Meeting, *, public: bool) -> list[tuple[str, dict[str, str]]]:
    if public:
        by_label = {str(label): value for value, label in Attendance.Status.choices}
        return [
            (by_label.get(row["status"], Attendance.Status.GUEST), row)
            for row in public_attendance(meeting=meeting)
        ]
    rows = []
    for attendance in meeting_attendance(meeting=meeting):
        member = attendance.member
        if member is None:
            name, detail = attendance.guest_name, attendance.guest_organisation
        else:
            name, detail = member.name, member.organisation or member.get_sector_display()
        rows.append(
            (
                attendance.status,
                {"name": name, "detail": detail, "status": attendance.get_status_display()},
            )
        )
    return rows


def minutes_document(*, meeting: Meeting, public: bool) -> MinutesDocument:
    """The papers of one meeting as members (public=False) or the public (public=True) see them.

    Callers decide who gets which version; the public version is the only one for anyone who
    cannot see drafts, and only once the minutes are published.
    """
    group = meeting.group
    names = hidden_names(group=group) if public else []

    def clean(text: str) -> str:
        return redact(text=text, names=names) if public else text

    document = MinutesDocument(
        meeting=meeting,
        public=public,
        group_name=group.name,
        zone_name=group.zone.name,
        starts=meeting.starts,
        ends=meeting.ends,
        place=meeting.place,
        link=meeting.link,
        status=meeting.get_minutes_status_display(),
        minutes_html=published_minutes_html(meeting=meeting) if public else meeting.minutes,
        decisions=clean(meeting.decisions),
    )
    buckets = {
        Attendance.Status.PRESENT: document.present,
        Attendance.Status.APOLOGIES: document.apologies,
        Attendance.Status.ABSENT: document.absent,
        Attendance.Status.GUEST: document.guests,
    }
    for status, row in _attendance_rows(meeting, public=public):
        buckets.get(status, document.guests).append(row)
    for item in agenda_items(meeting=meeting):
        document.agenda.append(
            {
                "pk": item.pk,
                "order": item.order,
                "title": clean(item.title),
                "owner": clean(item.owner),
                "minutes_allotted": item.minutes_allotted,
                "themes": [theme.title for theme in item.themes.all()],
            }
        )
    for action in matters_arising(meeting=meeting):
        document.matters_arising.append(
            {
                "reference": action.reference,
                "description": clean(action.description),
                "owner": clean(action_owner(action, public=public)),
                "status": action.get_status_display(),
            }
        )
    return document


def may_see_full_minutes(*, user: Any, meeting: Meeting) -> bool:
    return can_view_group_drafts(user, meeting.group)
