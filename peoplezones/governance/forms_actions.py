"""Forms of the action log: filters, adding an action, and updating one.

They parse and check what was typed; the rules about actions (owners of this group, due dates
after the raising meeting, who may write) stay in `governance.services`.
"""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peoplezones.governance.models import Action, Meeting, Member, SteeringGroup
from peoplezones.governance.selectors import current_members

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %m %Y"]


class DateInput(forms.DateInput):
    """The browser's own date control; without it (or JavaScript) a text box still works."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date, for example 31/07/2025.")},
        **kwargs,
    )


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return date_format(timezone.localtime(obj.starts), "j F Y")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.organisation})" if obj.organisation else obj.name


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Action.Status.choices],
        required=False,
    )
    owner = forms.CharField(label=_("Owner"), required=False, max_length=160)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=None, required=False, empty_label=_("Any theme")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, group: SteeringGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = group.zone.themes.order_by("order", "title")

    def filters(self) -> dict[str, Any]:
        """The filters for `action_log`; none while the form is unbound or wrong."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"] or None,
            "owner": data["owner"].strip() or None,
            "theme": data["theme"],
            "overdue": data["overdue"],
        }


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("What needs doing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what needs doing.")},
    )
    owner_member = MemberChoiceField(
        label=_("Owner: a member of the group"),
        queryset=None,
        required=False,
        empty_label=_("Not a member (name an organisation below)"),
        error_messages={"invalid_choice": _("Choose a current member of this group.")},
    )
    owner_text = forms.CharField(
        label=_("Or an organisation, in words"),
        help_text=_("For example: Charnwood Borough Council."),
        required=False,
        max_length=160,
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=None,
        required=False,
        empty_label=_("No theme"),
        error_messages={"invalid_choice": _("Choose one of this zone's themes.")},
    )
    raised_at = MeetingChoiceField(
        label=_("Raised at the meeting of"),
        queryset=None,
        required=False,
        empty_label=_("Not at a meeting"),
        error_messages={"invalid_choice": _("Choose a meeting of this group.")},
    )
    due = _date_field(_("Due date"), help_text=_("For example 31/07/2025."))

    def __init__(self, *args: Any, group: SteeringGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_member"].queryset = current_members(group=group).order_by("name")
        self.fields["theme"].queryset = group.zone.themes.order_by("order", "title")
        self.fields["raised_at"].queryset = group.meetings.order_by("-starts")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("owner_member") and (data.get("owner_text") or "").strip():
            self.add_error(
                "owner_text",
                _("Choose a member or name an organisation, not both."),
            )
        return data


class ActionUpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Update"),
        help_text=_("What has happened since the last update."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Action.Status.choices,
        widget=forms.RadioSelect,
        help_text=_("Choose Done or Dropped to close the action."),
        error_messages={"required": _("Choose a status.")},
    )
    due = _date_field(_("Due date"))
