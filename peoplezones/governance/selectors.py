"""Reads of steering groups, scoped to what the acting user may see."""

import datetime
import re
from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.governance.models import Action, Initiative, Meeting, Member, SteeringGroup
from peoplezones.governance.permissions import can_view_group_drafts

AMBER_DAYS = 7
CLOSED = (Action.Status.DONE, Action.Status.DROPPED)


def today() -> datetime.date:
    """Today in London: an action due today is overdue from midnight London time, not UTC."""
    return timezone.localdate()


def action_rag(action: Action, *, on: datetime.date | None = None) -> str | None:
    """Red when overdue, amber when due within a week, green otherwise; None once closed."""
    if action.status in CLOSED:
        return None
    on = on or today()
    if action.due is None:
        return "green"
    if action.due < on:
        return "red"
    if action.due <= on + datetime.timedelta(days=AMBER_DAYS):
        return "amber"
    return "green"


def action_is_overdue(action: Action, *, on: datetime.date | None = None) -> bool:
    return action_rag(action, on=on) == "red"


def group_for_zone(*, zone: Any) -> SteeringGroup | None:
    return SteeringGroup.objects.filter(zone=zone).select_related("zone").first()


def current_members(*, group: SteeringGroup) -> QuerySet[Member]:
    return group.members.filter(left__isnull=True).select_related("user")


def composition(*, group: SteeringGroup) -> dict[str, Any]:
    """The group's make-up by sector and by area: counts only, never names."""
    members = list(current_members(group=group).values_list("sector", "area", "role"))
    labels = dict(Member.Sector.choices)
    return {
        "total": len(members),
        "by_sector": [(labels[s], n) for s, n in Counter(s for s, _, _ in members).most_common()],
        "by_area": [(a or "–", n) for a, n in Counter(a for _, a, _ in members).most_common()],
        "chair_sector": next((labels[s] for s, _, r in members if r == Member.Role.CHAIR), None),
    }


def meeting_list(*, user: Any, group: SteeringGroup) -> QuerySet[Meeting]:
    """Meetings this user may see: everyone sees when meetings are; drafts stay with members."""
    return group.meetings.order_by("-starts")


def published_meetings(*, group: SteeringGroup) -> QuerySet[Meeting]:
    return group.meetings.filter(minutes_status=Meeting.MinutesStatus.PUBLISHED).order_by("-starts")


def upcoming_meetings(
    *, group: SteeringGroup, now: datetime.datetime | None = None
) -> QuerySet[Meeting]:
    return group.meetings.filter(starts__gte=now or timezone.now()).order_by("starts")


def meeting_minutes_visible(*, user: Any, meeting: Meeting) -> bool:
    return meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED or can_view_group_drafts(
        user, meeting.group
    )


def matters_arising(*, meeting: Meeting) -> QuerySet[Action]:
    """Actions still open when the meeting starts, raised at earlier meetings (or between).

    Worked out from dates rather than copied onto the agenda, so an old meeting shows what was
    open then, and a future one what is open now.
    """
    return (
        meeting.group.actions.filter(
            Q(raised_at__isnull=True) | Q(raised_at__starts__lt=meeting.starts)
        )
        .filter(created__lt=meeting.starts)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=meeting.starts))
        .select_related("owner_member", "owner_user", "theme", "group")
        .order_by("number")
    )


def action_list(
    *,
    user: Any,
    group: SteeringGroup,
    status: str | None = None,
    owner: str | None = None,
    theme: Any = None,
    overdue: bool = False,
    on: datetime.date | None = None,
) -> QuerySet[Action]:
    """The group's action log, filtered; `owner` matches a member's, account's or named owner."""
    actions = group.actions.select_related(
        "owner_member", "owner_user", "theme", "raised_at", "group"
    )
    if status:
        actions = actions.filter(status=status)
    if owner:
        actions = actions.filter(
            Q(owner_member__name__icontains=owner)
            | Q(owner_user__full_name__icontains=owner)
            | Q(owner_text__icontains=owner)
        )
    if theme is not None:
        actions = actions.filter(theme=theme)
    if overdue:
        actions = actions.exclude(status__in=CLOSED).filter(due__lt=on or today())
    return actions.order_by("-number")


def action_summary(*, group: SteeringGroup, on: datetime.date | None = None) -> dict[str, Any]:
    """Open actions by theme and RAG, for the public zone page: counts, no owners."""
    open_actions = list(
        group.actions.exclude(status__in=CLOSED)
        .select_related("theme")
        .only("due", "status", "theme__title", "group_id")
    )
    by_rag = Counter(action_rag(a, on=on) for a in open_actions)
    by_theme = Counter(a.theme.title if a.theme_id else "" for a in open_actions)
    return {
        "open": len(open_actions),
        "red": by_rag["red"],
        "amber": by_rag["amber"],
        "green": by_rag["green"],
        "by_theme": sorted(by_theme.items()),
        "done": group.actions.filter(status=Action.Status.DONE).count(),
    }


def hidden_names(*, group: SteeringGroup) -> list[str]:
    """Names the public may not see, longest first so that "Ann Smith" goes before "Ann"."""
    names = [m.name for m in group.members.all() if not m.may_be_named and m.name.strip()]
    return sorted(names, key=len, reverse=True)


def redact(*, text: str, names: list[str]) -> str:
    """Each of `names` becomes "a resident", whole words only ("Ann" leaves "Annual" alone)."""
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", _("a resident"), text, flags=re.IGNORECASE)
    return text


def published_minutes_html(*, meeting: Meeting) -> str:
    """The minutes as the public sees them: residents who did not agree to be named become
    "a resident" wherever their name appears."""
    return redact(text=meeting.minutes, names=hidden_names(group=meeting.group))


def public_attendance(*, meeting: Meeting) -> list[dict[str, str]]:
    """Who came, as published: named only with agreement, otherwise by sector."""
    rows = []
    for attendance in meeting.attendance.select_related("member"):
        member = attendance.member
        if member is None:
            name = attendance.guest_name
            detail = attendance.guest_organisation
        elif member.may_be_named:
            name, detail = member.name, member.organisation or member.get_sector_display()
        else:
            name, detail = str(Member.Sector.RESIDENT.label), member.area
        rows.append({"name": name, "detail": detail, "status": attendance.get_status_display()})
    return rows


def initiative_list(*, zone: Any = None) -> QuerySet[Initiative]:
    initiatives = Initiative.objects.prefetch_related("zones", "outputs", "milestones", "themes")
    if zone is not None:
        initiatives = initiatives.filter(zones=zone)
    return initiatives.order_by("title")
