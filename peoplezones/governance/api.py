"""Steering groups in the API: meetings (public dates, published minutes), the action log (for
the zone's people and staff, with a token) and initiatives (public; the programme team adds).

The action log names owners, so it answers 404 to anyone who may not see it, exactly as the
page does. Writes go through `governance.services`, which check permission (403) and validate
(400, with every message).
"""

import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from peoplezones.accounts.api import optional_token_auth, token_auth
from peoplezones.governance.action_queries import (
    action_get,
    action_log,
    action_log_group,
    meetings_for_reader,
    steering_group_for_zone,
    with_rag,
)
from peoplezones.governance.models import Action, Initiative, Member, SteeringGroup
from peoplezones.governance.permissions import can_edit_group_business, can_manage_initiatives
from peoplezones.governance.selectors import initiative_list
from peoplezones.governance.services import action_create, action_update, initiative_create
from peoplezones.zones.models import Theme, Zone
from peoplezones.zones.selectors import zone_get

router = Router(tags=["steering groups"], auth=optional_token_auth)

StatusName = Literal["open", "in_progress", "done", "dropped"]
Rag = Literal["red", "amber", "green"]


class MeetingOut(Schema):
    id: int
    starts: datetime.datetime
    ends: datetime.datetime | None
    place: str
    link: str = Field(description="The online meeting link, if there is one.")
    minutes_status: Literal["draft", "circulated", "approved", "published"]
    minutes: str | None = Field(
        description=(
            "Sanitised HTML. Published minutes for everyone (residents who did not agree to be "
            "named appear as “a resident”); other minutes only for the zone's members and "
            "staff; otherwise null."
        )
    )


class ActionFilters(Schema):
    status: StatusName | None = Field(None, description="Only actions in this status.")
    owner: str | None = Field(
        None, max_length=160, description="Words in the owner's name or organisation."
    )
    theme: str | None = Field(None, max_length=160, description="A theme's title in this zone.")
    overdue: bool = Field(False, description="Only open actions past their due date.")


class ActionOut(Schema):
    id: int
    reference: str = Field(description="The group's prefix and number, e.g. BF-017.")
    description: str
    owner: str = Field(description="A member's name, an account's name or an organisation.")
    theme: str | None
    raised_at: datetime.date | None = Field(description="The date of the meeting that raised it.")
    due: datetime.date | None
    status: StatusName
    rag: Rag | None = Field(
        description="red: overdue; amber: due within 7 days; green: on track; null once closed."
    )
    overdue: bool
    latest_update: str | None = None
    url: str = Field(description="The action's page.")


class ActionIn(Schema):
    description: str = Field(..., max_length=4000)
    owner_member: int | None = Field(
        None, description="The id of a current member of the group who owns the action."
    )
    owner: str = Field(
        "", max_length=160, description="Or the owning organisation, in words (not both)."
    )
    theme: str | None = Field(None, max_length=160, description="A theme's title in this zone.")
    raised_at: int | None = Field(None, description="The id of the meeting that raised it.")
    due: datetime.date | None = None


class ActionPatch(Schema):
    text: str = Field("", max_length=4000, description="An update for the action's timeline.")
    status: StatusName | None = Field(None, description="done or dropped closes the action.")
    due: datetime.date | None = Field(None, description="A new due date (resets reminders).")


class OutputOut(Schema):
    label: str
    value: float
    unit: str
    as_of: datetime.date | None


class MilestoneOut(Schema):
    title: str
    due: datetime.date | None
    done_on: datetime.date | None


class InitiativeOut(Schema):
    slug: str
    title: str
    kind: str
    status: str
    zones: list[str] = Field(description="The slugs of the zones it runs in.")
    starts: datetime.date | None
    ends: datetime.date | None
    partners: str
    description: str
    themes: list[str]
    outputs: list[OutputOut]
    milestones: list[MilestoneOut]


class InitiativeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    slug: str = Field(..., min_length=1, max_length=100, pattern=r"^[-a-z0-9_]+$")
    kind: Initiative.Kind
    status: Initiative.Status
    zones: list[str] = Field(..., min_length=1, description="Zone slugs.")
    themes: list[str] = Field(
        default_factory=list, description="Theme titles, each of one of the chosen zones."
    )
    partners: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    starts: datetime.date | None = None
    ends: datetime.date | None = None


def _group_or_404(request: HttpRequest, slug: str) -> SteeringGroup:
    try:
        return action_log_group(user=request.auth, slug=slug)
    except SteeringGroup.DoesNotExist:
        raise HttpError(404, f"There is no action log for “{slug}” that you may see.") from None


def _theme_or_400(group: SteeringGroup, title: str | None) -> Theme | None:
    if not title:
        return None
    theme = group.zone.themes.filter(title__iexact=title.strip()).first()
    if theme is None:
        raise HttpError(400, f"The zone has no theme called “{title}”.")
    return theme


def _action_out(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "reference": action.reference,
        "description": action.description,
        "owner": action.owner_name,
        "theme": action.theme.title if action.theme_id else None,
        "raised_at": timezone.localdate(action.raised_at.starts) if action.raised_at_id else None,
        "due": action.due,
        "status": action.status,
        "rag": action.rag,
        "overdue": action.rag == "red",
        "latest_update": getattr(action, "latest_update", None),
        "url": settings.SITE_URL + reverse("governance:action-detail", kwargs={"pk": action.pk}),
    }


@router.get(
    "/zones/{slug}/meetings",
    response=list[MeetingOut],
    summary="A zone's steering group meetings, with the minutes you may read",
)
def meetings(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Everyone sees when and where meetings are and the published minutes. With a token, the
    zone's members and staff also see draft, circulated and approved minutes."""
    try:
        zone_get(user=request.auth, slug=slug)
        group = steering_group_for_zone(slug=slug)
    except (Zone.DoesNotExist, SteeringGroup.DoesNotExist):
        raise HttpError(404, f"There is no steering group for “{slug}”.") from None
    return [
        {
            "id": row["meeting"].pk,
            "starts": row["meeting"].starts,
            "ends": row["meeting"].ends,
            "place": row["meeting"].place,
            "link": row["meeting"].link,
            "minutes_status": row["meeting"].minutes_status,
            "minutes": row["minutes"],
        }
        for row in meetings_for_reader(user=request.auth, group=group)
    ]


@router.get(
    "/zones/{slug}/actions",
    response=list[ActionOut],
    summary="A zone's action log (members and staff, with a token)",
)
def actions(request: HttpRequest, slug: str, filters: Query[ActionFilters]) -> list[dict[str, Any]]:
    """Newest first, with each action's RAG status. Anyone else gets 404, as on the page."""
    group = _group_or_404(request, slug)
    found = action_log(
        user=request.auth,
        group=group,
        status=filters.status,
        owner=(filters.owner or "").strip() or None,
        theme=_theme_or_400(group, filters.theme),
        overdue=filters.overdue,
    )
    return [_action_out(action) for action in found]


@router.post(
    "/zones/{slug}/actions",
    response={201: ActionOut},
    auth=token_auth,
    summary="Add an action to a zone's log (the zone's members and staff)",
)
def action_add(request: HttpRequest, slug: str, payload: ActionIn) -> Status:
    """The action gets the group's next reference. Give `owner_member` or `owner`, not both."""
    group = _group_or_404(request, slug)
    if not can_edit_group_business(request.auth, group):
        raise PermissionDenied("Only the zone's members and the programme team add actions.")
    if payload.owner_member is not None and payload.owner.strip():
        raise HttpError(400, "Give a member or an organisation as the owner, not both.")
    owner_member = None
    if payload.owner_member is not None:
        owner_member = Member.objects.filter(
            pk=payload.owner_member, group=group, left__isnull=True
        ).first()
        if owner_member is None:
            raise HttpError(400, f"{payload.owner_member} is not a current member of this group.")
    raised_at = None
    if payload.raised_at is not None:
        raised_at = group.meetings.filter(pk=payload.raised_at).first()
        if raised_at is None:
            raise HttpError(400, f"{payload.raised_at} is not a meeting of this group.")
    action = action_create(
        group=group,
        actor=request.auth,
        description=payload.description,
        owner_member=owner_member,
        owner_text=payload.owner,
        theme=_theme_or_400(group, payload.theme),
        raised_at=raised_at,
        due=payload.due,
    )
    return Status(201, _action_out(with_rag([action_get(user=request.auth, pk=action.pk)])[0]))


@router.patch(
    "/actions/{action_id}",
    response=ActionOut,
    auth=token_auth,
    summary="Update an action: a timeline note, a new status or a new due date",
)
def action_change(request: HttpRequest, action_id: int, payload: ActionPatch) -> dict[str, Any]:
    """Send at least one of `text`, `status` and `due`; `done` or `dropped` closes it."""
    try:
        action = action_get(user=request.auth, pk=action_id)
    except Action.DoesNotExist:
        raise HttpError(404, f"There is no action {action_id} that you may see.") from None
    action_update(
        action=action,
        actor=request.auth,
        text=payload.text,
        status=payload.status,
        due=payload.due,
    )
    return _action_out(with_rag([action_get(user=request.auth, pk=action_id)])[0])


def _initiative_out(initiative: Initiative) -> dict[str, Any]:
    return {
        "slug": initiative.slug,
        "title": initiative.title,
        "kind": initiative.kind,
        "status": initiative.status,
        "zones": [zone.slug for zone in initiative.zones.all()],
        "starts": initiative.starts,
        "ends": initiative.ends,
        "partners": initiative.partners,
        "description": initiative.description,
        "themes": [theme.title for theme in initiative.themes.all()],
        "outputs": [
            {"label": o.label, "value": o.value, "unit": o.unit, "as_of": o.as_of}
            for o in initiative.outputs.all()
        ],
        "milestones": [
            {"title": m.title, "due": m.due, "done_on": m.done_on}
            for m in initiative.milestones.all()
        ],
    }


@router.get(
    "/initiatives",
    response=list[InitiativeOut],
    summary="Initiatives the programme runs, with their outputs and milestones (public)",
)
def initiatives(
    request: HttpRequest,
    zone: str | None = Query(None, description="Only initiatives in this zone (a slug)."),
) -> list[dict[str, Any]]:
    """Counts and dates only: the people on a programme are never listed."""
    found_zone = None
    if zone:
        try:
            found_zone = zone_get(user=request.auth, slug=zone)
        except Zone.DoesNotExist:
            raise HttpError(400, f"There is no zone called “{zone}”.") from None
    return [_initiative_out(i) for i in initiative_list(zone=found_zone)]


@router.post(
    "/initiatives",
    response={201: InitiativeOut},
    auth=token_auth,
    summary="Record an initiative (the programme team)",
)
def initiative_add(request: HttpRequest, payload: InitiativeIn) -> Status:
    """Give zones and themes by slug and title; outputs and milestones are added later."""
    if not can_manage_initiatives(request.auth):
        raise PermissionDenied("Only the programme team records initiatives.")
    zones = list(Zone.objects.filter(slug__in=payload.zones))
    missing = sorted(set(payload.zones) - {zone.slug for zone in zones})
    if missing:
        raise HttpError(400, "There is no zone called " + ", ".join(f"“{s}”" for s in missing))
    themes = []
    for title in payload.themes:
        theme = Theme.objects.filter(zone__in=zones, title__iexact=title.strip()).first()
        if theme is None:
            raise HttpError(400, f"None of the chosen zones has a theme called “{title}”.")
        themes.append(theme)
    if Initiative.objects.filter(slug=payload.slug).exists():
        raise HttpError(400, f"There is already an initiative with the slug “{payload.slug}”.")
    initiative = initiative_create(
        actor=request.auth,
        title=payload.title,
        slug=payload.slug,
        kind=payload.kind,
        status=payload.status,
        zones=zones,
        themes=themes,
        partners=payload.partners,
        description=payload.description,
        starts=payload.starts,
        ends=payload.ends,
    )
    return Status(201, _initiative_out(initiative_list().get(pk=initiative.pk)))
