"""Forms for the meeting pages. They parse input and keep what was typed; the services decide."""

import datetime
import re
from html.parser import HTMLParser
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from peoplezones.governance.models import Attendance, Meeting, Member
from peoplezones.governance.services import MINUTES_ATTRIBUTES, MINUTES_TAGS
from peoplezones.zones.models import Theme

MEMBER_FIELD = re.compile(r"^member_(\d+)$")
MEMBER_STATUSES = [
    (Attendance.Status.PRESENT, Attendance.Status.PRESENT.label),
    (Attendance.Status.APOLOGIES, Attendance.Status.APOLOGIES.label),
    (Attendance.Status.ABSENT, Attendance.Status.ABSENT.label),
]
ALLOWED_TAGS_TEXT = ", ".join(f"<{tag}>" for tag in sorted(MINUTES_TAGS))


class MeetingForm(forms.Form):
    """Arrange a meeting: a day, a start and (optionally) an end time, a place or a link."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For example, 2025-06-12."),
    )
    starts_time = forms.TimeField(
        label=_("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("24-hour clock, for example 18:30."),
    )
    ends_time = forms.TimeField(
        label=_("Ends at (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("24-hour clock, for example 20:00."),
    )
    place = forms.CharField(label=_("Place (optional)"), required=False, max_length=200)
    link = forms.URLField(
        label=_("Online meeting link (optional)"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    # Errors the service raises against model fields, shown against the fields people typed in.
    SERVICE_FIELDS = {"starts": "starts_time", "ends": "ends_time"}

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.datetime.combine(data["date"], data["starts_time"]))
        ends = None
        if data.get("ends_time"):
            ends = timezone.make_aware(datetime.datetime.combine(data["date"], data["ends_time"]))
        return {"starts": starts, "ends": ends, "place": data["place"], "link": data["link"]}


class AgendaItemForm(forms.Form):
    """One agenda item; the themes offered (and accepted) are the zone's own."""

    title = forms.CharField(label=_("Item"), max_length=200)
    owner = forms.CharField(
        label=_("Who leads it (optional)"),
        required=False,
        max_length=150,
        help_text=_("A name, a role or an organisation."),
    )
    minutes_allotted = forms.IntegerField(
        label=_("Minutes allotted (optional)"), required=False, min_value=1, max_value=600
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes (optional)"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose themes of this zone."),
            "invalid_pk_value": _("Choose themes of this zone."),
        },
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(
            zone_id=meeting.group.zone_id
        ).order_by("order", "title")


class AgendaMoveForm(forms.Form):
    """An up or down button: its value is "<item id>:up" or "<item id>:down"."""

    move = forms.RegexField(regex=r"^\d+:(up|down)$")

    def new_order(self, item_ids: list[int]) -> list[int] | None:
        """The agenda's ids after the move, or None when the item cannot move that way."""
        pk_text, direction = self.cleaned_data["move"].split(":")
        pk = int(pk_text)
        if pk not in item_ids:
            return None
        index = item_ids.index(pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(item_ids):
            return None
        order = list(item_ids)
        order[index], order[other] = order[other], order[index]
        return order


class AttendanceForm(forms.Form):
    """Present, apologies or absent for each member, and a guest if there was one."""

    guest_name = forms.CharField(label=_("Guest's name (optional)"), required=False, max_length=150)
    guest_organisation = forms.CharField(
        label=_("Guest's organisation (optional)"), required=False, max_length=160
    )

    def __init__(
        self, *args: Any, members: list[Member], recorded: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        member_fields = {}
        for member in members:
            label = member.name
            if member.organisation:
                label = f"{member.name} ({member.organisation})"
            member_fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=label,
                choices=MEMBER_STATUSES,
                required=False,
                widget=forms.RadioSelect,
                initial=recorded.get(member.pk),
            )
        # Members first, in the order given; the guest fields after them.
        self.fields = {**member_fields, **self.fields}

    def member_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if MEMBER_FIELD.match(name)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        prefix = f"{self.prefix}-" if self.prefix else ""
        for key in self.data:
            match = MEMBER_FIELD.match(key.removeprefix(prefix)) if key.startswith(prefix) else None
            if match and int(match.group(1)) not in self.members:
                raise forms.ValidationError(
                    _(
                        "Someone in that list is not a member of this group. "
                        "Reload the page and try again."
                    ),
                    code="unknown_member",
                )
        if cleaned.get("guest_organisation") and not cleaned.get("guest_name"):
            self.add_error("guest_name", _("Give the guest's name."))
        return cleaned

    def statuses(self) -> list[tuple[Member, str]]:
        """The members whose attendance was given, with what was chosen."""
        return [
            (member, self.cleaned_data[f"member_{pk}"])
            for pk, member in self.members.items()
            if self.cleaned_data.get(f"member_{pk}")
        ]


class _MarkupCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.removed: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in MINUTES_TAGS:
            self.removed.add(f"<{tag}>")
            return
        for name, value in attrs:
            allowed = MINUTES_ATTRIBUTES.get(tag, set())
            if name not in allowed or (
                name == "href" and value and value.strip().lower().startswith("javascript:")
            ):
                self.removed.add(f"{name}=")


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=format_lazy(
            _(
                "Write HTML. Only these tags are kept: {tags}. Links keep their address and "
                "title. Anything else, such as scripts and styles, is removed when you save."
            ),
            tags=ALLOWED_TAGS_TEXT,
        ),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One decision a line, in plain text."),
    )

    def removed_markup(self) -> list[str]:
        """Tags and attributes that saving will remove, to tell the writer what changed."""
        check = _MarkupCheck()
        check.feed(self.cleaned_data.get("minutes", ""))
        check.close()
        return sorted(check.removed)
