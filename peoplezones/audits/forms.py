"""Forms for reporting and following issues. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peoplezones.audits.models import IssueCategory
from peoplezones.core.forms import HoneypotForm


class IssueReportForm(HoneypotForm):
    """Step two of reporting: where, what, and (optionally) who. The category was step one."""

    latitude = forms.FloatField(
        label=_("Latitude"), required=False, help_text=_("For example, 52.7725.")
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, help_text=_("For example, -1.1925.")
    )
    postcode = forms.CharField(
        label=_("Or the nearest postcode"),
        required=False,
        max_length=10,
        help_text=_("If you cannot place a pin. Staff will find the exact spot."),
    )
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
    description = forms.CharField(
        label=_("What is the problem? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.ImageField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. We remove the location and camera details."),
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=120, required=False)
    reporter_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_(
            "We will send a link to confirm your report and tell you when it changes. "
            "We never publish it."
        ),
    )
    reporter_phone = forms.CharField(
        label=_("Your phone number (optional)"), max_length=40, required=False
    )
    show_name = forms.BooleanField(label=_("Show my name on the report"), required=False)
    checked_nearby = forms.BooleanField(required=False, widget=forms.HiddenInput)
    client_report_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, category: IssueCategory, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.question_fields = []
        for question in category.extra_attributes:
            name = f"attr_{question['code']}"
            required = bool(question.get("required"))
            if question.get("type") == "choice":
                field = forms.ChoiceField(
                    label=question.get("label", question["code"]),
                    choices=[(c, c) for c in question.get("choices", [])],
                    widget=forms.RadioSelect,
                    required=required,
                )
            else:
                field = forms.CharField(
                    label=question.get("label", question["code"]),
                    required=required,
                    max_length=200,
                )
            self.fields[name] = field
            self.question_fields.append(name)

    def questions(self):
        return [self[name] for name in self.question_fields]

    def attributes(self) -> dict:
        return {
            name.removeprefix("attr_"): self.cleaned_data.get(name, "")
            for name in self.question_fields
            if self.cleaned_data.get(name)
        }


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
