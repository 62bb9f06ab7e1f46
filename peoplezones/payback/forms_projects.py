"""Forms of payback projects: starting one, hours worked and materials bought. They parse what
was typed and keep it; the services decide (and refuse to over-commit the budget)."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peoplezones.finance.forms import MoneyField, date_field, today_iso
from peoplezones.finance.models import BudgetLine
from peoplezones.payback.models import PaybackSite
from peoplezones.zones.models import Zone


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BudgetLine) -> str:
        return f"{obj.year.label} {obj.title}"


class ProjectForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=PaybackSite.objects.order_by("name"),
        empty_label=_("Choose a site"),
        error_messages={
            "required": _("Choose the site of the project."),
            "invalid_choice": _("Choose one of the sites."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the project a title.")},
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = date_field(_("Starts on"), help_text=_("For example 31/07/2025."))
    ends_on = date_field(
        _("Ends on (optional)"), required=False, help_text=_("For example 30/09/2025.")
    )
    zone = forms.ModelChoiceField(
        label=_("Zone (optional)"),
        queryset=Zone.objects.order_by("name"),
        required=False,
        empty_label=_("The site's zone"),
        error_messages={"invalid_choice": _("Choose one of the zones.")},
    )
    budget_line = BudgetLineChoiceField(
        label=_("Budget line for materials"),
        queryset=BudgetLine.objects.select_related("year").order_by("-year__start_year", "order"),
        required=False,
        empty_label=_("This year's “Community Payback” line"),
        error_messages={"invalid_choice": _("Choose one of the budget lines.")},
    )

    def __init__(self, *args: Any, default_line: BudgetLine | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": today_iso()})
        if default_line is not None:
            kwargs["initial"].setdefault("budget_line", default_line.pk)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("A project must end on or after the day it starts."))
        return cleaned


class HoursForm(forms.Form):
    worked_on = date_field(_("Date worked"), help_text=_("For example 31/07/2025."))
    hours = forms.DecimalField(
        label=_("Hours worked (the team's total)"),
        max_digits=7,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("10000"),
        help_text=_("For example, 6 people for 3 hours is 18."),
        error_messages={
            "required": _("Enter the hours worked."),
            "invalid": _("Enter the hours as a number, like 18 or 7.5."),
            "min_value": _("Enter more than 0 hours."),
            "max_value": _("Enter at most 10,000 hours at a time."),
            "max_decimal_places": _("Give hours to one decimal place, like 7.5."),
            "max_digits": _("Enter at most 10,000 hours at a time."),
        },
    )
    people = forms.IntegerField(
        label=_("People in the team (optional)"),
        required=False,
        min_value=1,
        max_value=500,
        error_messages={
            "invalid": _("Enter the number of people as a whole number."),
            "min_value": _("Enter at least 1 person."),
            "max_value": _("Enter at most 500 people."),
        },
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=250)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"worked_on": today_iso()})
        super().__init__(*args, **kwargs)

    def clean_worked_on(self) -> datetime.date:
        worked_on = self.cleaned_data["worked_on"]
        if worked_on > timezone.localdate():
            raise forms.ValidationError(_("Hours can only be recorded once worked."))
        return worked_on


class MaterialsForm(forms.Form):
    description = forms.CharField(
        label=_("Materials"),
        max_length=200,
        help_text=_("For example: paint, brushes and dust sheets."),
        error_messages={"required": _("Say what the materials were.")},
    )
    amount = MoneyField(label=_("Cost"), help_text=_("In pounds, for example £85.50."))
    bought_on = date_field(_("Ordered or bought on"), help_text=_("For example 31/07/2025."))
    paid = forms.BooleanField(label=_("Already paid"), required=False)
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=80,
        help_text=_("An invoice or purchase order number."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"bought_on": today_iso()})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The cost must be more than £0.00."))
        return amount
