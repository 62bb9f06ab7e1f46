"""Steering group meetings: the list, the meeting page (agenda, attendance, minutes), downloads.

Everyone sees when meetings are and reads published minutes with unagreed residents' names
taken out; the zone's people and the programme team see drafts and run the meeting. A meeting
whose minutes someone may not see is "not found", so nobody learns that drafts exist.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from peoplezones.core.forms import add_service_errors, error_text
from peoplezones.governance.exports import DOCX_CONTENT_TYPE, minutes_csv, minutes_docx
from peoplezones.governance.forms import (
    ALLOWED_TAGS_TEXT,
    AgendaItemForm,
    AgendaMoveForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
)
from peoplezones.governance.meeting_queries import (
    agenda_items,
    attendance_members,
    may_see_full_minutes,
    meeting_get,
    meetings_for_list,
    minutes_document,
)
from peoplezones.governance.models import Attendance, Meeting, SteeringGroup
from peoplezones.governance.permissions import can_edit_group_business, can_view_group_drafts
from peoplezones.governance.selectors import group_for_zone
from peoplezones.governance.services import (
    agenda_item_add,
    agenda_reorder,
    attendance_set,
    meeting_create,
    minutes_save,
    minutes_transition,
)
from peoplezones.governance.workflow import EDITABLE, available_actions
from peoplezones.zones.shortcuts import zone_or_404


def _group_or_404(request: HttpRequest, slug: str) -> SteeringGroup:
    zone = zone_or_404(user=request.user, slug=slug)
    group = group_for_zone(zone=zone)
    if group is None:
        raise Http404(_("%(zone)s has no steering group yet.") % {"zone": zone.name})
    return group


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    try:
        return meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404(_("There is no such meeting.")) from None


def _editor_only(request: HttpRequest, meeting: Meeting) -> None:
    if not can_edit_group_business(request.user, meeting.group):
        raise PermissionDenied(_("Only the zone's members and the programme team can do that."))


def _detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("governance:meeting-detail", kwargs={"pk": meeting.pk})
    return f"{url}#{anchor}" if anchor else url


# The list ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's meetings; members also see the minutes' status and arrange new meetings."""
    group = _group_or_404(request, slug)
    can_edit = can_edit_group_business(request.user, group)
    form = MeetingForm(prefix="meeting") if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the zone's members and the programme team can do that."))
        form = MeetingForm(request.POST, prefix="meeting")
        if form.is_valid():
            try:
                meeting = meeting_create(group=group, actor=request.user, **form.meeting_fields())
            except ValidationError as error:
                add_service_errors(form, error, field_names=MeetingForm.SERVICE_FIELDS)
            else:
                messages.success(request, _("The meeting is arranged. Now build its agenda."))
                return redirect(_detail_url(meeting))
        status = 400
    return render(
        request,
        "governance/meetings/list.html",
        {
            "group": group,
            "zone": group.zone,
            **meetings_for_list(user=request.user, group=group),
            "can_view_drafts": can_view_group_drafts(request.user, group),
            "form": form,
        },
        status=status,
    )


# The meeting page -------------------------------------------------------------------------------


def _attendance_form(meeting: Meeting, data: Any = None) -> AttendanceForm:
    members, recorded = attendance_members(meeting=meeting)
    return AttendanceForm(data, prefix="attendance", members=members, recorded=recorded)


def _render_detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    forms: dict[str, Form] | None = None,
    error: str | None = None,
    minutes_note: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The meeting page; a failed form is passed in bound, so it keeps what was typed."""
    user = request.user
    full = may_see_full_minutes(user=user, meeting=meeting)
    document = minutes_document(meeting=meeting, public=not full)
    context: dict[str, Any] = {
        "meeting": meeting,
        "group": meeting.group,
        "zone": meeting.group.zone,
        "document": document,
        "full": full,
        "error": error,
    }
    if full:
        can_edit = can_edit_group_business(user, meeting.group)
        editable = meeting.minutes_status in EDITABLE
        forms = forms or {}
        context.update(
            {
                "can_edit": can_edit,
                "editable": editable,
                "actions": available_actions(user=user, meeting=meeting),
                "items": list(agenda_items(meeting=meeting)),
                "minutes_note": minutes_note,
                "allowed_tags": ALLOWED_TAGS_TEXT,
            }
        )
        if can_edit and editable:
            context.update(
                {
                    "agenda_form": forms.get("agenda")
                    or AgendaItemForm(prefix="agenda", meeting=meeting),
                    "attendance_form": forms.get("attendance") or _attendance_form(meeting),
                    "minutes_form": forms.get("minutes")
                    or MinutesForm(
                        prefix="minutes",
                        initial={"minutes": meeting.minutes, "decisions": meeting.decisions},
                    ),
                }
            )
        context["failed_form"] = next((f for f in (forms or {}).values() if f.errors), None)
    response = render(request, "governance/meetings/detail.html", context, status=status)
    if full:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _meeting_or_404(request, pk))


def _editable_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = _meeting_or_404(request, pk)
    _editor_only(request, meeting)
    return meeting


def _not_editable(request: HttpRequest, meeting: Meeting) -> HttpResponse | None:
    if meeting.minutes_status in EDITABLE:
        return None
    return _render_detail(
        request,
        meeting,
        error=_("Approved minutes cannot be changed. Take them down first."),
        status=400,
    )


@login_required
@require_POST
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _editable_meeting(request, pk)
    if refused := _not_editable(request, meeting):
        return refused
    form = AgendaItemForm(request.POST, prefix="agenda", meeting=meeting)
    if form.is_valid():
        try:
            agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is on the agenda."))
            return redirect(_detail_url(meeting, "agenda"))
    return _render_detail(request, meeting, forms={"agenda": form}, status=400)


@login_required
@require_POST
def meeting_agenda_move(request: HttpRequest, pk: int) -> HttpResponse:
    """The up and down buttons beside each agenda item: a plain form, so no JavaScript needed."""
    meeting = _editable_meeting(request, pk)
    if refused := _not_editable(request, meeting):
        return refused
    form = AgendaMoveForm(request.POST)
    ids = [item.pk for item in agenda_items(meeting=meeting)]
    order = form.new_order(ids) if form.is_valid() else None
    if order is None:
        return _render_detail(
            request,
            meeting,
            error=_("That item cannot move that way. Reload the page and try again."),
            status=400,
        )
    try:
        agenda_reorder(meeting=meeting, actor=request.user, item_ids=order)
    except ValidationError as error:
        return _render_detail(request, meeting, error=error_text(error), status=400)
    messages.success(request, _("The agenda is in its new order."))
    return redirect(_detail_url(meeting, "agenda"))


@login_required
@require_POST
def meeting_attendance_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone's attendance at once; one bad row saves nothing."""
    meeting = _editable_meeting(request, pk)
    if refused := _not_editable(request, meeting):
        return refused
    form = _attendance_form(meeting, request.POST)
    if form.is_valid():
        try:
            # Several service calls, one outcome: all of the attendance is saved, or none.
            with transaction.atomic():
                for member, status in form.statuses():
                    attendance_set(
                        meeting=meeting, actor=request.user, member=member, status=status
                    )
                if form.cleaned_data["guest_name"]:
                    attendance_set(
                        meeting=meeting,
                        actor=request.user,
                        status=Attendance.Status.GUEST,
                        guest_name=form.cleaned_data["guest_name"],
                        guest_organisation=form.cleaned_data["guest_organisation"],
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance is saved."))
            return redirect(_detail_url(meeting, "attendance"))
    return _render_detail(request, meeting, forms={"attendance": form}, status=400)


@login_required
@require_POST
def meeting_minutes_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the minutes; markup that is not allowed is removed, and the writer is told what."""
    meeting = _editable_meeting(request, pk)
    form = MinutesForm(request.POST, prefix="minutes")
    if form.is_valid():
        try:
            meeting = minutes_save(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            removed = form.removed_markup()
            if removed:
                messages.warning(
                    request,
                    _(
                        "The minutes are saved, but without %(markup)s: minutes cannot contain "
                        "them. Check the saved text below."
                    )
                    % {"markup": ", ".join(removed)},
                )
            else:
                messages.success(request, _("The minutes are saved."))
            return redirect(_detail_url(meeting, "minutes"))
    return _render_detail(request, meeting, forms={"minutes": form}, status=400)


@login_required
@require_POST
def meeting_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Circulate, approve, publish and take down: only the moves the workflow offers this user."""
    meeting = _meeting_or_404(request, pk)
    try:
        meeting = minutes_transition(
            meeting=meeting, actor=request.user, action=request.POST.get("action", "")
        )
    except (ValidationError, PermissionDenied) as error:
        status = 403 if isinstance(error, PermissionDenied) else 400
        return _render_detail(request, meeting, error=error_text(error), status=status)
    messages.success(
        request,
        _("The minutes are now “%(status)s”.") % {"status": meeting.get_minutes_status_display()},
    )
    return redirect(_detail_url(meeting))


# Downloads --------------------------------------------------------------------------------------


def _download(request: HttpRequest, pk: int) -> tuple[Meeting, Any]:
    """The members' version for those who may see drafts (unless they ask for the public one)."""
    meeting = _meeting_or_404(request, pk)
    full = may_see_full_minutes(user=request.user, meeting=meeting)
    public = not full or request.GET.get("version") == "public"
    return meeting, minutes_document(meeting=meeting, public=public)


def _filename(meeting: Meeting, public: bool, extension: str) -> str:
    day = timezone.localtime(meeting.starts).date().isoformat()
    suffix = "" if public else "-members"
    return f"{meeting.group.zone.slug}-{day}-minutes{suffix}.{extension}"


def _attachment(response: HttpResponse, meeting: Meeting, public: bool, extension: str) -> None:
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(meeting, public, extension)}"'
    )
    if not public:
        patch_cache_control(response, private=True, no_store=True)


@require_safe
def meeting_minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, document = _download(request, pk)
    response = HttpResponse(minutes_docx(document=document), content_type=DOCX_CONTENT_TYPE)
    _attachment(response, meeting, document.public, "docx")
    return response


@require_safe
def meeting_minutes_csv(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, document = _download(request, pk)
    response = HttpResponse(minutes_csv(document=document), content_type="text/csv; charset=utf-8")
    _attachment(response, meeting, document.public, "csv")
    return response


@require_safe
def meeting_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's meetings as an iCalendar feed (RFC 5545): when and where, nothing private.

    The feed is the same for everyone, so it can be shared: a meeting links to its page once
    its minutes are published, and to the list of meetings before that.
    """
    group = _group_or_404(request, slug)
    calendar = Calendar()
    calendar.add("prodid", "-//People Zones//Steering group meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", group.name)
    list_url = reverse("governance:meeting-list", kwargs={"slug": group.zone.slug})
    for meeting in group.meetings.order_by("starts"):
        item = CalendarEvent()
        item.add("uid", f"meeting-{meeting.pk}@peoplezones")
        item.add(
            "summary",
            _("%(group)s meeting") % {"group": group.name},
        )
        item.add("dtstart", meeting.starts)
        if meeting.ends:
            item.add("dtend", meeting.ends)
        item.add("dtstamp", meeting.modified)
        where = meeting.place or meeting.link
        if where:
            item.add("location", where)
        if meeting.minutes_status == Meeting.MinutesStatus.PUBLISHED:
            url = _detail_url(meeting)
        else:
            url = f"{list_url}#meeting-{meeting.pk}"
        item.add("url", request.build_absolute_uri(url))
        calendar.add_component(item)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{group.zone.slug}-meetings.ics"'
    return response


urlpatterns = [
    path("zones/<slug:slug>/meetings/", meeting_list, name="meeting-list"),
    path("zones/<slug:slug>/meetings.ics", meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/agenda/", meeting_agenda_add, name="meeting-agenda-add"),
    path("meetings/<int:pk>/agenda/move/", meeting_agenda_move, name="meeting-agenda-move"),
    path("meetings/<int:pk>/attendance/", meeting_attendance_save, name="meeting-attendance"),
    path("meetings/<int:pk>/minutes/", meeting_minutes_save, name="meeting-minutes-save"),
    path("meetings/<int:pk>/minutes/move/", meeting_transition, name="meeting-transition"),
    path("meetings/<int:pk>/minutes.docx", meeting_minutes_docx, name="meeting-minutes-docx"),
    path("meetings/<int:pk>/minutes.csv", meeting_minutes_csv, name="meeting-minutes-csv"),
]
