"""Every write to steering groups: members, meetings, minutes, the action log, initiatives."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.services import audit_record
from peoplezones.governance.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    Initiative,
    Meeting,
    Member,
    Milestone,
    Output,
    Participant,
    SteeringGroup,
)
from peoplezones.governance.permissions import (
    can_edit_group_business,
    can_manage_initiatives,
)
from peoplezones.governance.workflow import EDITABLE, TRANSITIONS

# What minutes may contain: structure and emphasis, links; never scripts, styles or frames.
MINUTES_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
MINUTES_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def sanitise_minutes(html: str) -> str:
    """Keep the allowed markup only; scripts, event handlers and javascript: links go."""
    return nh3.clean(
        html or "",
        tags=MINUTES_TAGS,
        attributes=MINUTES_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def _require_editor(actor: Any, group: SteeringGroup) -> None:
    if not can_edit_group_business(actor, group):
        raise PermissionDenied(_("Only the zone's members and the programme team can do that."))


@transaction.atomic
def group_create(
    *, zone: Any, actor: Any, name: str, action_prefix: str, terms_of_reference: str = ""
) -> SteeringGroup:
    """Set up a zone's steering group (the programme team does this once per zone)."""
    if not can_manage_initiatives(actor):
        raise PermissionDenied(_("Only the programme team sets up steering groups."))
    group = SteeringGroup(
        zone=zone,
        name=name.strip(),
        action_prefix=action_prefix.strip().upper(),
        terms_of_reference=terms_of_reference.strip(),
    )
    group.full_clean()
    group.save()
    audit_record(actor=actor, verb="group.create", target=group, zone=zone)
    return group


@transaction.atomic
def member_add(
    *,
    group: SteeringGroup,
    actor: Any,
    name: str,
    sector: str,
    role: str = Member.Role.MEMBER,
    organisation: str = "",
    area: str = "",
    email: str = "",
    user: Any = None,
    agreed_to_be_named: bool = False,
    joined: datetime.date | None = None,
) -> Member:
    """Add someone to a steering group."""
    _require_editor(actor, group)
    member = Member(
        group=group,
        name=name.strip(),
        sector=sector,
        role=role,
        organisation=organisation.strip(),
        area=area.strip(),
        email=email.strip(),
        user=user,
        agreed_to_be_named=agreed_to_be_named,
        joined=joined,
    )
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        verb="member.add",
        target=group,
        zone=group.zone,
        data={"role": role, "sector": sector},
    )
    return member


@transaction.atomic
def member_leave(*, member: Member, actor: Any, left: datetime.date | None = None) -> Member:
    _require_editor(actor, member.group)
    member.left = left or timezone.localdate()
    member.save(update_fields=["left", "modified"])
    audit_record(actor=actor, verb="member.leave", target=member.group, zone=member.group.zone)
    return member


@transaction.atomic
def meeting_create(
    *,
    group: SteeringGroup,
    actor: Any,
    starts: datetime.datetime,
    ends: datetime.datetime | None = None,
    place: str = "",
    link: str = "",
) -> Meeting:
    """Arrange a meeting. Open actions appear on its agenda as matters arising by themselves."""
    _require_editor(actor, group)
    if ends is not None and ends <= starts:
        raise ValidationError({"ends": _("The meeting must end after it starts.")})
    meeting = Meeting(group=group, starts=starts, ends=ends, place=place.strip(), link=link.strip())
    meeting.full_clean()
    meeting.save()
    audit_record(actor=actor, verb="meeting.create", target=meeting, zone=group.zone)
    return meeting


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    actor: Any,
    title: str,
    owner: str = "",
    minutes_allotted: int | None = None,
    themes: Iterable[Any] = (),
) -> AgendaItem:
    """Add an item at the end of the agenda; themes must be the zone's own."""
    _require_editor(actor, meeting.group)
    if meeting.minutes_status not in EDITABLE:
        raise ValidationError(_("The agenda of approved minutes cannot change."))
    themes = list(themes)
    if any(theme.zone_id != meeting.group.zone_id for theme in themes):
        raise ValidationError({"themes": _("Choose themes of this zone.")})
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
    item = AgendaItem(
        meeting=meeting,
        order=(last or 0) + 1,
        title=title.strip(),
        owner=owner.strip(),
        minutes_allotted=minutes_allotted,
    )
    item.full_clean()
    item.save()
    item.themes.set(themes)
    audit_record(actor=actor, verb="meeting.agenda.add", target=meeting, zone=meeting.group.zone)
    return item


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, actor: Any, item_ids: list[int]) -> None:
    """Put the agenda in the given order; every item must be named once."""
    _require_editor(actor, meeting.group)
    items = {item.pk: item for item in meeting.agenda_items.all()}
    if sorted(item_ids) != sorted(items):
        raise ValidationError(_("Give every agenda item once."))
    for order, pk in enumerate(item_ids, start=1):
        items[pk].order = order
    AgendaItem.objects.bulk_update(items.values(), ["order"])
    audit_record(
        actor=actor, verb="meeting.agenda.reorder", target=meeting, zone=meeting.group.zone
    )


@transaction.atomic
def attendance_set(
    *,
    meeting: Meeting,
    actor: Any,
    status: str,
    member: Member | None = None,
    guest_name: str = "",
    guest_organisation: str = "",
) -> Attendance:
    """Record whether a member came (or add a guest)."""
    _require_editor(actor, meeting.group)
    if meeting.minutes_status not in EDITABLE:
        raise ValidationError(_("Attendance of approved minutes cannot change."))
    if member is not None and member.group_id != meeting.group_id:
        raise ValidationError({"member": _("That person is not a member of this group.")})
    if member is None and not guest_name.strip():
        raise ValidationError({"guest_name": _("Give the guest's name.")})
    if member is not None:
        attendance, _created = Attendance.objects.update_or_create(
            meeting=meeting, member=member, defaults={"status": status}
        )
    else:
        attendance = Attendance(
            meeting=meeting,
            guest_name=guest_name.strip(),
            guest_organisation=guest_organisation.strip(),
            status=Attendance.Status.GUEST,
        )
    attendance.full_clean()
    attendance.save()
    audit_record(actor=actor, verb="meeting.attendance", target=meeting, zone=meeting.group.zone)
    return attendance


@transaction.atomic
def minutes_save(*, meeting: Meeting, actor: Any, minutes: str, decisions: str = "") -> Meeting:
    """Save the minutes (sanitised) while they are a draft or circulated."""
    _require_editor(actor, meeting.group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_status not in EDITABLE:
        raise ValidationError(_("Approved minutes cannot be changed. Take them down first."))
    meeting.minutes = sanitise_minutes(minutes)
    meeting.decisions = decisions.strip()
    meeting.save(update_fields=["minutes", "decisions", "modified"])
    audit_record(actor=actor, verb="meeting.minutes.save", target=meeting, zone=meeting.group.zone)
    return meeting


@transaction.atomic
def minutes_transition(*, meeting: Meeting, actor: Any, action: str) -> Meeting:
    """Move the minutes as the declared table allows for this user."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    meeting = Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)
    if not transition.allowed(actor, meeting):
        raise PermissionDenied(_("You cannot do that to these minutes."))
    if meeting.minutes_status not in transition.sources:
        raise ValidationError(
            _("Minutes that are “%(status)s” cannot be moved that way.")
            % {"status": meeting.get_minutes_status_display()}
        )
    if action == "approve" and meeting.starts > timezone.now():
        raise ValidationError(_("Minutes of a meeting that has not happened cannot be approved."))
    before = meeting.minutes_status
    meeting.minutes_status = transition.target
    fields = ["minutes_status", "modified"]
    if action == "approve":
        meeting.approved_by = actor if getattr(actor, "is_authenticated", False) else None
        meeting.approved_at = timezone.now()
        fields += ["approved_by", "approved_at"]
    if action == "publish":
        meeting.published_at = timezone.now()
        fields.append("published_at")
    meeting.save(update_fields=fields)
    audit_record(
        actor=actor,
        verb=f"meeting.minutes.{action}",
        target=meeting,
        zone=meeting.group.zone,
        data={"from": before, "to": meeting.minutes_status},
    )
    return meeting


def _check_owner(group: SteeringGroup, owner_member: Member | None) -> None:
    if owner_member is not None and owner_member.group_id != group.pk:
        raise ValidationError({"owner_member": _("The owner must be a member of this group.")})


@transaction.atomic
def action_create(
    *,
    group: SteeringGroup,
    actor: Any,
    description: str,
    owner_member: Member | None = None,
    owner_user: Any = None,
    owner_text: str = "",
    theme: Any = None,
    raised_at: Meeting | None = None,
    due: datetime.date | None = None,
) -> Action:
    """Add a line to the rolling action log with the group's next reference number.

    The group row is locked so that two people adding actions at once get different numbers.
    """
    _require_editor(actor, group)
    if not description.strip():
        raise ValidationError({"description": _("Say what needs doing.")})
    _check_owner(group, owner_member)
    if theme is not None and theme.zone_id != group.zone_id:
        raise ValidationError({"theme": _("Choose a theme of this zone.")})
    if raised_at is not None:
        if raised_at.group_id != group.pk:
            raise ValidationError({"raised_at": _("That meeting is another group's.")})
        if due is not None and due < timezone.localdate(raised_at.starts):
            raise ValidationError(
                {"due": _("The due date is before the meeting that raised the action.")}
            )
    SteeringGroup.objects.select_for_update().get(pk=group.pk)
    last = group.actions.order_by("-number").values_list("number", flat=True).first()
    action = Action(
        group=group,
        number=(last or 0) + 1,
        description=description.strip(),
        owner_member=owner_member,
        owner_user=owner_user,
        owner_text=owner_text.strip(),
        theme=theme,
        raised_at=raised_at,
        due=due,
    )
    action.full_clean()
    action.save()
    audit_record(
        actor=actor,
        verb="action.create",
        target=action,
        zone=group.zone,
        data={"ref": action.reference},
    )
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor: Any,
    text: str = "",
    status: str | None = None,
    due: datetime.date | None = None,
) -> Action:
    """Add an update to an action and, optionally, change its status or due date."""
    _require_editor(actor, action.group)
    action = Action.objects.select_for_update().select_related("group").get(pk=action.pk)
    if status is not None and status not in Action.Status.values:
        raise ValidationError({"status": _("Choose open, in progress, done or dropped.")})
    if not text.strip() and status in (None, action.status) and due in (None, action.due):
        raise ValidationError({"text": _("Write an update or change the status or due date.")})
    before = action.status
    fields = ["modified"]
    if status is not None and status != action.status:
        action.status = status
        action.closed_at = (
            timezone.now() if status in {Action.Status.DONE, Action.Status.DROPPED} else None
        )
        fields += ["status", "closed_at"]
    if due is not None and due != action.due:
        action.due = due
        action.reminded_due_on = action.reminded_overdue_on = None
        fields += ["due", "reminded_due_on", "reminded_overdue_on"]
    action.save(update_fields=fields)
    ActionUpdate.objects.create(
        action=action,
        text=text.strip(),
        status_from=before if before != action.status else "",
        status_to=action.status if before != action.status else "",
        author=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        verb="action.update",
        target=action,
        zone=action.group.zone,
        data={"from": before, "to": action.status},
    )
    return action


@transaction.atomic
def initiative_create(
    *,
    actor: Any,
    title: str,
    slug: str,
    kind: str,
    status: str,
    zones: Iterable[Any],
    partners: str = "",
    description: str = "",
    starts: datetime.date | None = None,
    ends: datetime.date | None = None,
    themes: Iterable[Any] = (),
    is_demo: bool = False,
) -> Initiative:
    """Record an initiative the programme runs in one or more zones."""
    if not can_manage_initiatives(actor):
        raise PermissionDenied(_("Only the programme team records initiatives."))
    zones = list(zones)
    if not zones:
        raise ValidationError({"zones": _("Choose at least one zone.")})
    if starts and ends and ends < starts:
        raise ValidationError({"ends": _("An initiative cannot end before it starts.")})
    initiative = Initiative(
        title=title.strip(),
        slug=slug,
        kind=kind,
        status=status,
        partners=partners.strip(),
        description=description.strip(),
        starts=starts,
        ends=ends,
        is_demo=is_demo,
    )
    initiative.full_clean()
    initiative.save()
    initiative.zones.set(zones)
    initiative.themes.set(list(themes))
    audit_record(actor=actor, verb="initiative.create", target=initiative)
    return initiative


@transaction.atomic
def initiative_output_set(
    *,
    initiative: Initiative,
    actor: Any,
    label: str,
    value: Decimal,
    unit: str = "",
    as_of: datetime.date | None = None,
) -> Output:
    """Record (or correct) a counted output, e.g. 1,700 hours of payback work."""
    if not can_manage_initiatives(actor):
        raise PermissionDenied(_("Only the programme team records outputs."))
    if value < 0:
        raise ValidationError({"value": _("An output cannot be negative.")})
    output, _created = Output.objects.update_or_create(
        initiative=initiative,
        label=label.strip(),
        defaults={"value": value, "unit": unit.strip(), "as_of": as_of},
    )
    output.full_clean()
    audit_record(
        actor=actor,
        verb="initiative.output",
        target=initiative,
        data={"label": label, "value": value},
    )
    return output


@transaction.atomic
def participant_add(
    *,
    initiative: Initiative,
    actor: Any,
    name: str,
    email: str = "",
    completed: bool = False,
    joined_leaders_network: bool = False,
) -> Participant:
    """Add someone to a leadership programme cohort. Their details stay private."""
    if not can_manage_initiatives(actor):
        raise PermissionDenied(_("Only the programme team records participants."))
    participant = Participant(
        initiative=initiative,
        name=name.strip(),
        email=email.strip(),
        completed=completed,
        joined_leaders_network=joined_leaders_network,
    )
    participant.full_clean()
    participant.save()
    # The audit event names the cohort, never the person.
    audit_record(actor=actor, verb="initiative.participant.add", target=initiative)
    return participant


@transaction.atomic
def milestone_add(
    *, initiative: Initiative, actor: Any, title: str, due: datetime.date | None = None
) -> Milestone:
    if not can_manage_initiatives(actor):
        raise PermissionDenied(_("Only the programme team records milestones."))
    milestone = Milestone(initiative=initiative, title=title.strip(), due=due)
    milestone.full_clean()
    milestone.save()
    audit_record(actor=actor, verb="initiative.milestone", target=initiative)
    return milestone
