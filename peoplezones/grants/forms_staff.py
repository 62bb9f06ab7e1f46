"""Forms of the staff grant pages: round set-up with its scoring criteria, screening moves,
conflict declarations, scores, decisions (one or a batch) and monitoring.

They parse what was typed and keep it; the rules stay in `grants.services` and
`grants.services.round_setup`. Opening and closing times are typed as London wall-clock times and
turned into moments here, refusing the times a clock change skips or repeats.
"""

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from peoplezones.core.money import format_gbp
from peoplezones.finance.forms import DATE_FORMATS, DateInput, MoneyField, date_field
from peoplezones.finance.models import BudgetLine, BudgetYear
from peoplezones.grants.models import DEFAULT_MAXIMUM_AWARD, Application, Award, Fund, GrantRound
from peoplezones.grants.services import CriterionInput
from peoplezones.zones.models import Theme, Zone

TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
SCORES = range(6)


class LocalTimeProblem(ValueError):
    """A wall-clock time that is not exactly one moment in the programme's time zone."""


def local_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The moment a London wall clock shows `time` on `day`.

    zoneinfo gives a time two offsets (fold 0 and 1) only around a clock change: if the offsets
    differ, the time is either skipped (spring) or happens twice (autumn), and we refuse it
    rather than guess which one the round means.
    """
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    naive = datetime.datetime.combine(day, time)
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    shown = {
        "time": time.strftime("%H:%M"),
        "date": date_format(day, "j F Y"),
    }
    round_trip = early.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise LocalTimeProblem(
            _(
                "%(time)s on %(date)s does not exist in UK time: the clocks go forward an hour "
                "that night. Choose a time outside the skipped hour."
            )
            % shown
        )
    raise LocalTimeProblem(
        _(
            "%(time)s on %(date)s happens twice in UK time: the clocks go back an hour that "
            "night. Choose a time outside the repeated hour."
        )
        % shown
    )


def _time_field(label: Any, initial: str, help_text: Any, required_message: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        initial=initial,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=help_text,
        error_messages={
            "invalid": _("Enter a time on the 24-hour clock, for example 17:00."),
            "required": required_message,
        },
    )


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.zone.name}: {obj.title}"


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return str(obj)


class RoundForm(forms.Form):
    fund = forms.ModelChoiceField(
        label=_("Fund"),
        queryset=Fund.objects.all(),
        empty_label=None,
        error_messages={"required": _("Choose the fund."), "invalid_choice": _("Choose a fund.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example: People Zone Grants 2023/24 - Round 1."),
        error_messages={"required": _("Give the round a name.")},
    )
    zones = forms.ModelMultipleChoiceField(
        label=_("Zones that may apply"),
        queryset=Zone.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one zone that may apply."),
            "invalid_choice": _("Choose zones from the list."),
            "invalid_pk_value": _("Choose zones from the list."),
        },
    )
    opens_on = date_field(
        _("Opens on"),
        help_text=_("For example 30/01/2023."),
        required_message=_("Enter the date the round opens."),
    )
    opens_time = _time_field(
        _("Opens at"),
        "09:00",
        _("UK time, 24-hour clock, for example 09:00."),
        _("Enter the time the round opens."),
    )
    closes_on = date_field(
        _("Closes on"),
        help_text=_("For example 27/02/2023."),
        required_message=_("Enter the date the round closes."),
    )
    closes_time = _time_field(
        _("Closes at"),
        "17:00",
        _("UK time, 24-hour clock, for example 17:00."),
        _("Enter the time the round closes."),
    )
    minimum_award = MoneyField(
        label=_("Smallest grant"), initial=Decimal("0.00"), help_text=_("For example £0.00.")
    )
    maximum_award = MoneyField(
        label=_("Largest grant"),
        initial=DEFAULT_MAXIMUM_AWARD,
        help_text=_("For example £10,000.00."),
    )
    themes = ThemeChoiceField(
        label=_("Research themes applications must address"),
        queryset=Theme.objects.select_related("zone").order_by("zone__name", "order", "title"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave them all unticked to use every research theme of the zones chosen."),
        error_messages={
            "invalid_choice": _("Choose themes from the list."),
            "invalid_pk_value": _("Choose themes from the list."),
        },
    )
    eligibility_questions = forms.CharField(
        label=_("Eligibility statements (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line. Every applicant must confirm each of them."),
    )
    guidance = forms.CharField(
        label=_("Guidance for applicants (optional)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    budget_year = forms.ModelChoiceField(
        label=_("Budget year"),
        queryset=BudgetYear.objects.all(),
        empty_label=None,
        error_messages={
            "required": _("Choose the budget year."),
            "invalid_choice": _("Choose a budget year from the list."),
        },
    )
    budget_line = LineChoiceField(
        label=_("Budget line awards are committed against (optional)"),
        queryset=BudgetLine.objects.select_related("year").order_by("-year__start_year", "order"),
        required=False,
        empty_label=_("No budget line"),
        error_messages={"invalid_choice": _("Choose a budget line from the list.")},
    )

    # The services speak of model fields; people typed into these.
    SERVICE_FIELDS = {"opens_at": "opens_on", "closes_at": "closes_on", "slug": "name"}

    @staticmethod
    def initial_for(grant_round: GrantRound) -> dict[str, Any]:
        opens = grant_round.opens_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        closes = grant_round.closes_at.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return {
            "fund": grant_round.fund_id,
            "name": grant_round.name,
            "zones": [z.pk for z in grant_round.zones.all()],
            "opens_on": opens.date().isoformat(),
            "opens_time": opens.strftime("%H:%M"),
            "closes_on": closes.date().isoformat(),
            "closes_time": closes.strftime("%H:%M"),
            "minimum_award": grant_round.minimum_award,
            "maximum_award": grant_round.maximum_award,
            "themes": [t.pk for t in grant_round.themes.all()],
            "eligibility_questions": "\n".join(grant_round.eligibility_questions),
            "guidance": grant_round.guidance,
            "budget_year": grant_round.budget_year_id,
            "budget_line": grant_round.budget_line_id,
        }

    def _moment(self, day_field: str, time_field: str) -> datetime.datetime | None:
        day = self.cleaned_data.get(day_field)
        time = self.cleaned_data.get(time_field)
        if day is None or time is None:
            return None
        try:
            return local_moment(day, time)
        except LocalTimeProblem as problem:
            self.add_error(time_field, str(problem))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens_at = self._moment("opens_on", "opens_time")
        closes_at = self._moment("closes_on", "closes_time")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error(
                "closes_on",
                _("The round must close after it opens (it opens at %(time)s on %(date)s).")
                % {"time": opens_at.strftime("%H:%M"), "date": date_format(opens_at, "j F Y")},
            )
        data["opens_at"], data["closes_at"] = opens_at, closes_at
        smallest, largest = data.get("minimum_award"), data.get("maximum_award")
        if smallest is not None and largest is not None and largest < smallest:
            self.add_error(
                "maximum_award",
                _(
                    "The largest grant (%(largest)s) cannot be smaller than the smallest "
                    "(%(smallest)s)."
                )
                % {"largest": format_gbp(largest), "smallest": format_gbp(smallest)},
            )
        if largest is not None and largest <= 0:
            self.add_error("maximum_award", _("The largest grant must be more than £0.00."))
        zones = data.get("zones")
        themes = data.get("themes")
        if zones and themes:
            zone_ids = {zone.pk for zone in zones}
            strays = [theme for theme in themes if theme.zone_id not in zone_ids]
            if strays:
                self.add_error(
                    "themes",
                    _("“%(theme)s” is not a theme of the zones chosen.")
                    % {"theme": f"{strays[0].zone.name}: {strays[0].title}"},
                )
        line, year = data.get("budget_line"), data.get("budget_year")
        if line is not None and year is not None and line.year_id != year.pk:
            self.add_error(
                "budget_line",
                _("%(line)s is not a line of the %(year)s budget.") % {"line": line, "year": year},
            )
        data["questions"] = [
            line.strip()
            for line in data.get("eligibility_questions", "").splitlines()
            if line.strip()
        ]
        return data


class CriterionForm(forms.Form):
    """One line of the scoring matrix; untouched blank rows are left out."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Criterion"),
        max_length=160,
        error_messages={"required": _("Give the criterion a title.")},
    )
    description = forms.CharField(
        label=_("What assessors look for (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        initial=1,
        min_value=1,
        max_value=100,
        help_text=_("From 1 to 100: how much it counts compared with the others."),
        error_messages={
            "required": _("Give the criterion a weight from 1 to 100."),
            "invalid": _("The weight must be a whole number from 1 to 100."),
            "min_value": _("The weight must be from 1 to 100."),
            "max_value": _("The weight must be from 1 to 100."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for score in SCORES:
            self.fields[f"descriptor_{score}"] = forms.CharField(
                label=_("What a score of %(score)s means (optional)") % {"score": score},
                required=False,
                max_length=300,
            )

    def descriptor_fields(self) -> list[forms.BoundField]:
        return [self[f"descriptor_{score}"] for score in SCORES]

    @staticmethod
    def initial_for(criterion: Any) -> dict[str, Any]:
        initial = {
            "id": criterion.pk,
            "title": criterion.title,
            "description": criterion.description,
            "weight": criterion.weight,
        }
        for score, text in enumerate((criterion.descriptors or [])[:6]):
            initial[f"descriptor_{score}"] = text
        return initial


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=2, can_delete=True, max_num=30, validate_max=True
)


def criteria_inputs(formset: Any) -> list[CriterionInput]:
    """What a valid criteria formset asks for, ignoring untouched blank rows."""
    inputs = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data:
            continue
        delete = bool(data.get("DELETE"))
        if delete and not data.get("id"):
            continue
        inputs.append(
            CriterionInput(
                pk=data.get("id"),
                title=(data.get("title") or "").strip(),
                description=(data.get("description") or "").strip(),
                weight=data.get("weight") or 1,
                descriptors=[(data.get(f"descriptor_{s}") or "").strip() for s in SCORES],
                delete=delete,
            )
        )
    return inputs


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Application.Status.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )


class ZoneFilterForm(forms.Form):
    zone = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All zones"),
        error_messages={"invalid_choice": _("Choose one of this round's zones.")},
    )

    def __init__(self, *args: Any, grant_round: GrantRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = grant_round.zones.order_by("name")


class MoveForm(forms.Form):
    """One workflow button, with the reason or message some moves need."""

    action = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the applicant"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message.")},
    )


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "For example, you belong to, work for or are related to someone in the organisation."
        ),
        error_messages={"required": _("Say whether you have a conflict of interest.")},
    )
    details = forms.CharField(
        label=_("If yes, what is the conflict?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("has_conflict") and not (data.get("details") or "").strip():
            self.add_error("details", _("Say what the conflict of interest is."))
        return data


class ScoreForm(forms.Form):
    """A 0-5 radio group per criterion (each choice shows its descriptor) and a comment."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, criteria: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            descriptors = list(criterion.descriptors or []) + [""] * 6
            fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(title)s (weight %(weight)s)")
                % {"title": criterion.title, "weight": criterion.weight},
                choices=[
                    (str(s), f"{s} – {descriptors[s]}" if descriptors[s] else str(s))
                    for s in SCORES
                ],
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.description,
                error_messages={
                    "required": _("Score “%(title)s” from 0 to 5.") % {"title": criterion.title},
                    "invalid_choice": _("Score “%(title)s” from 0 to 5.")
                    % {"title": criterion.title},
                },
            )
        # The criteria first, the comment last.
        fields["comment"] = self.fields.pop("comment")
        self.fields = fields

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class DecisionForm(forms.Form):
    """The commissioner's decision on one application."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve or decline.")},
    )
    amount = MoneyField(
        label=_("Amount to award"),
        required=False,
        help_text=_("The amount asked for, or less."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the award; the applicant sees them if declined."),
    )
    conditions = forms.CharField(
        label=_("Conditions (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_reason = forms.CharField(
        label=_("Reason for going over the budget line (finance officers only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the award is more than the line has left."),
    )

    def __init__(self, *args: Any, may_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "approve" and "amount" in data and data["amount"] is None:
            self.add_error("amount", _("Enter the amount to award."))
        if data.get("decision") == "decline" and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Give a reason: the applicant will see it."))
        return data


class BatchRowForm(forms.Form):
    """One row of the batch decision table (prefix row-<application id>)."""

    selected = forms.BooleanField(required=False)
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        error_messages={"invalid_choice": _("Choose approve or decline.")},
    )
    amount = MoneyField(required=False)
    reason = forms.CharField(required=False, max_length=5000)

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"row-{application.pk}")
        kwargs.setdefault("initial", {"action": "approve", "amount": application.amount_requested})
        super().__init__(*args, **kwargs)
        self.application = application

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("selected")
            and data.get("action") == "approve"
            and data.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", _("Enter the amount to award."))
        return data


class AwardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Award) -> str:
        application = obj.application
        return (
            f"{application.reference} {application.organisation.name}: {application.project_name}"
        )


class ScheduleReturnForm(forms.Form):
    award = AwardChoiceField(
        label=_("Award"),
        queryset=Award.objects.none(),
        empty_label=_("Choose an award"),
        error_messages={
            "required": _("Choose the award the return is for."),
            "invalid_choice": _("Choose an open award from the list."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        initial=_("Monitoring return"),
        error_messages={"required": _("Give the return a title.")},
    )
    due_on = forms.DateField(
        label=_("Due on"),
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text=_("For example 31/07/2025."),
        error_messages={
            "invalid": _("Enter a real date, for example 31/07/2025."),
            "required": _("Enter the date the return is due."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = Award.objects.filter(closed_on__isnull=True).select_related(
            "application__organisation"
        )


class CloseAwardForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
