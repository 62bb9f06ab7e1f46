"""Forms of the budget pages. They parse what was typed (money through `core.money`) and keep
it; the rules (no over-commitment without a reason, no paying more than was committed) stay in
the services."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peoplezones.core.money import format_gbp, parse_gbp
from peoplezones.finance.models import BudgetLine, Commitment, StatedFigure
from peoplezones.zones.models import Zone

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %m %Y", "%d %B %Y", "%d %b %Y"]


class MoneyField(forms.Field):
    """An amount of pounds typed as people write it ("£9,740.98.", "9135"); a Decimal out.

    The parser's own messages ("“ten thousand” is not an amount of money ...") are the errors.
    """

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.setdefault("error_messages", {"required": _("Enter an amount in pounds.")})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return parse_gbp(value)
        return parse_gbp(str(value)[:200])

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_gbp(value)
        return value


class DateInput(forms.DateInput):
    """The browser's date control; without it (or JavaScript) a text box still works."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: Any, *, required_message: Any = None, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "invalid": _("Enter a real date, for example 31/07/2025."),
            "required": required_message or _("Enter the date."),
        },
        **kwargs,
    )


def today_iso() -> str:
    return timezone.localdate().isoformat()


class CommitmentForm(forms.Form):
    """Money promised from a line for something other than a grant (awards commit themselves)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in Commitment.Kind.choices if c[0] != Commitment.Kind.GRANT],
        error_messages={"invalid_choice": _("Choose what kind of commitment this is.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=250,
        help_text=_("For example: Summer fun day, New Parks."),
        error_messages={"required": _("Say what the money is for.")},
    )
    amount = MoneyField(label=_("Amount"), help_text=_("In pounds, for example £1,250.00."))
    zone = forms.ModelChoiceField(
        label=_("Zone (optional)"),
        queryset=Zone.objects.order_by("name"),
        required=False,
        empty_label=_("Not for one zone"),
        error_messages={"invalid_choice": _("Choose one of the zones.")},
    )
    committed_on = date_field(_("Committed on"), help_text=_("For example 31/07/2025."))
    override_reason = forms.CharField(
        label=_("Reason for going over the line (only if it would be over-committed)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only a finance officer can commit more than the line has left, and the reason is "
            "kept on the record."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"committed_on": today_iso()})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A commitment must be more than £0.00."))
        return amount


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.description} ({format_gbp(obj.amount)})"


class SpendForm(forms.Form):
    """Money paid out against one of the line's commitments (awards are paid as payments)."""

    commitment = CommitmentChoiceField(
        label=_("Paid against"),
        queryset=Commitment.objects.none(),
        empty_label=_("Choose a commitment"),
        error_messages={
            "required": _("Choose the commitment this was paid against."),
            "invalid_choice": _("Choose one of this line's commitments."),
        },
    )
    amount = MoneyField(label=_("Amount paid"), help_text=_("In pounds, for example £480.00."))
    paid_on = date_field(_("Paid on"), help_text=_("For example 31/07/2025."))
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=80,
        help_text=_("An invoice or purchase order number."),
    )

    def __init__(self, *args: Any, line: BudgetLine, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": today_iso()})
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = line.commitments.filter(released=False).exclude(
            kind=Commitment.Kind.GRANT
        )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A payment must be more than £0.00."))
        return amount


class PaymentForm(forms.Form):
    """A payment of (part of) a grant award."""

    amount = MoneyField(label=_("Amount paid"), help_text=_("In pounds, for example £2,500.00."))
    paid_on = date_field(_("Paid on"), help_text=_("For example 31/07/2025."))
    reference = forms.CharField(
        label=_("Reference (optional)"),
        required=False,
        max_length=80,
        help_text=_("For example the BACS reference."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": today_iso()})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("A payment must be more than £0.00."))
        return amount

    def clean_paid_on(self) -> datetime.date:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class StatedFigureForm(forms.Form):
    """A total as a published document gave it, to be checked against the records."""

    scope = forms.ChoiceField(
        label=_("What the figure is a total of"),
        choices=StatedFigure.Scope.choices,
        error_messages={"invalid_choice": _("Choose what the figure is a total of.")},
    )
    key = forms.CharField(
        label=_("Which one"),
        max_length=250,
        help_text=_(
            "The round's name; a zone and year such as “new-parks 2022/23”; a year such as "
            "“2023/24”; or a year and line such as “2023/24 Evaluation”."
        ),
        error_messages={"required": _("Say which round, zone, year or line the figure is for.")},
    )
    amount = MoneyField(label=_("Amount stated"), help_text=_("Exactly as published."))
    source = forms.CharField(
        label=_("Where it was published"),
        max_length=500,
        help_text=_("For example: Police and Crime Panel report, 26 July 2023, paragraph 22."),
        error_messages={"required": _("Say where the figure was published.")},
    )
