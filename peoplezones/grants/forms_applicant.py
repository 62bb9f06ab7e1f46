"""Forms of the applicant's pages: the application (with its organisation and itemised budget),
a message to the programme team, withdrawal and a monitoring return.

They only parse what was typed; whether an application is complete, within the round's limits
and on time is decided by `grants.services` when it is submitted.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from peoplezones.core.money import format_gbp, parse_gbp
from peoplezones.grants.models import (
    Application,
    GrantRound,
    Organisation,
    validate_charity_number,
    validate_company_number,
)

NEW_ORGANISATION = "new"
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
BUDGET_ROWS = 8
MORE_ROWS = 4
MAX_BUDGET_ROWS = 50


class MoneyField(forms.CharField):
    """Pounds written any way people write them (“£4,800”, “4800.00”), read by `parse_gbp`.

    Whatever was typed is shown again as it was when the form comes back with a message.
    """

    def to_python(self, value: Any):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return parse_gbp(text)


class DateInput(forms.DateInput):
    """The browser's date control; it reads and writes ISO dates (2026-05-01)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _as_yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class ApplicationForm(forms.Form):
    """The whole application on one page; nothing here is required beyond what a draft needs
    (who applies, for which zone, and the project's name)."""

    organisation = forms.ChoiceField(
        label=_("Which organisation is applying?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your organisation, or add a new one.")},
    )
    org_name = forms.CharField(label=_("Organisation's name"), max_length=200, required=False)
    org_type = forms.ChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=[("", _("Choose one")), *Organisation.Type.choices],
    )
    org_charity_number = forms.CharField(
        label=_("Charity number (if it has one)"),
        max_length=20,
        required=False,
        help_text=_(
            "Registered with the Charity Commission for England and Wales: six or seven digits, "
            "for example 1012345."
        ),
    )
    org_company_number = forms.CharField(
        label=_("Company number (if it has one)"),
        max_length=20,
        required=False,
        help_text=_("Eight characters from Companies House, keeping any leading zeros: 01234567."),
    )
    org_address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisation's address; it is published with any grant it gets."),
    )
    org_postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    org_connection = forms.ChoiceField(
        label=_("What is the organisation's connection to the zone?"),
        required=False,
        choices=Organisation.Connection.choices,
        widget=forms.RadioSelect,
    )
    zone = forms.ModelChoiceField(
        label=_("Which zone is the project in?"),
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the zone the project is in."),
            "invalid_choice": _("Choose one of the zones this round is open to."),
        },
    )
    project_name = forms.CharField(
        label=_("Project name"),
        max_length=200,
        error_messages={"required": _("Enter the project's name.")},
    )
    brief = forms.CharField(
        label=_("What will the project do?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say what you will do, where and when. This may be published if you get a grant."
        ),
    )
    amount_requested = MoneyField(
        label=_("How much are you asking for?"),
        required=False,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Which of the zone's research themes does the project address?"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one. Residents set these themes in the community research."),
    )
    beneficiaries = forms.CharField(
        label=_("Who will benefit?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    beneficiary_count = forms.IntegerField(
        label=_("How many people?"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the number of people in figures, for example 40."),
            "min_value": _("The number of people cannot be below zero."),
            "max_value": _("The number of people must be 1,000,000 or fewer."),
        },
    )
    beneficiary_ages = forms.CharField(
        label=_("Their ages"),
        max_length=80,
        required=False,
        help_text=_("For example: 11 to 16, or all ages."),
    )
    starts_on = forms.DateField(
        label=_("Planned start date"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter the start date as a real date, like 2026-05-01.")},
    )
    ends_on = forms.DateField(
        label=_("Planned end date"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter the end date as a real date, like 2026-09-30.")},
    )
    eligibility = forms.MultipleChoiceField(
        label=_("Eligibility"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick each statement to confirm it is true. You must confirm all of them."),
    )
    has_safeguarding_policy = forms.ChoiceField(
        label=_("Does the organisation have a safeguarding policy?"),
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    safeguarding_details = forms.CharField(
        label=_("How will you keep children and adults at risk safe?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: DBS checks, a named safeguarding lead, training."),
    )
    has_insurance = forms.ChoiceField(
        label=_("Does the organisation have public liability insurance?"),
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(
        label=_("Contact's full name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact's email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com.")
        },
    )
    contact_phone = forms.CharField(
        label=_("Contact's phone number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    ORGANISATION_FIELDS = {
        "org_name": "name",
        "org_type": "org_type",
        "org_charity_number": "charity_number",
        "org_company_number": "company_number",
        "org_address": "address",
        "org_postcode": "postcode",
        "org_connection": "connection",
    }

    def __init__(
        self,
        *args,
        grant_round: GrantRound,
        organisations: list[Organisation],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grant_round = grant_round
        self.organisations = {str(org.pk): org for org in organisations}
        self.fields["organisation"].choices = [
            *((str(org.pk), org.name) for org in organisations),
            (NEW_ORGANISATION, _("A new organisation")),
        ]
        self.fields["zone"].queryset = grant_round.zones.all()
        self.fields["themes"].queryset = grant_round.themes.all()
        self.fields["eligibility"].choices = [
            (str(index), question)
            for index, question in enumerate(grant_round.eligibility_questions)
        ]
        self.fields["amount_requested"].help_text = _(
            "Between %(minimum)s and %(maximum)s. It must match the total of the budget below."
        ) % {
            "minimum": format_gbp(max(grant_round.minimum_award, Decimal("0.01"))),
            "maximum": format_gbp(grant_round.maximum_award),
        }

    @classmethod
    def initial_for(cls, application: Application | None, *, grant_round: GrantRound) -> dict:
        """What the form shows for a saved application (dates as ISO text for the date control)."""
        if application is None:
            zones = list(grant_round.zones.all())
            return {"zone": zones[0].pk} if len(zones) == 1 else {}
        answers = application.eligibility_answers or {}
        return {
            "organisation": str(application.organisation_id),
            "zone": application.zone_id,
            "project_name": application.project_name,
            "brief": application.brief,
            "amount_requested": format_gbp(application.amount_requested)
            if application.amount_requested is not None
            else "",
            "themes": [theme.pk for theme in application.themes.all()],
            "beneficiaries": application.beneficiaries,
            "beneficiary_count": ""
            if application.beneficiary_count is None
            else str(application.beneficiary_count),
            "beneficiary_ages": application.beneficiary_ages,
            "starts_on": application.starts_on.isoformat() if application.starts_on else "",
            "ends_on": application.ends_on.isoformat() if application.ends_on else "",
            "eligibility": [
                str(index)
                for index, question in enumerate(grant_round.eligibility_questions)
                if answers.get(question) is True
            ],
            "has_safeguarding_policy": _as_yes_no(application.has_safeguarding_policy),
            "safeguarding_details": application.safeguarding_details,
            "has_insurance": _as_yes_no(application.has_insurance),
            "contact_name": application.contact_name,
            "contact_email": application.contact_email,
            "contact_phone": application.contact_phone,
        }

    def clean_org_charity_number(self) -> str:
        value = "".join(self.cleaned_data["org_charity_number"].split())
        if value:
            validate_charity_number(value)
        return value

    def clean_org_company_number(self) -> str:
        # Kept as text: "01234567" must not lose its leading zero.
        value = "".join(self.cleaned_data["org_company_number"].split()).upper()
        if value:
            validate_company_number(value)
        return value

    def clean_org_postcode(self) -> str:
        return " ".join(self.cleaned_data["org_postcode"].upper().split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") == NEW_ORGANISATION:
            if not cleaned.get("org_name", "").strip() and "org_name" not in self.errors:
                self.add_error("org_name", _("Enter the organisation's name."))
            if not cleaned.get("org_type") and "org_type" not in self.errors:
                self.add_error("org_type", _("Choose the type of organisation."))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The project must end after it starts."))
        return cleaned

    @property
    def is_new_organisation(self) -> bool:
        return self.cleaned_data.get("organisation") == NEW_ORGANISATION

    def chosen_organisation(self) -> Organisation | None:
        return self.organisations.get(self.cleaned_data.get("organisation", ""))

    def organisation_fields(self) -> dict[str, Any]:
        return {
            model_field: self.cleaned_data.get(form_field) or ""
            for form_field, model_field in self.ORGANISATION_FIELDS.items()
        }

    def application_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = set(data.get("eligibility") or [])
        return {
            "project_name": data["project_name"].strip(),
            "brief": data.get("brief", "").strip(),
            "amount_requested": data.get("amount_requested"),
            "beneficiaries": data.get("beneficiaries", "").strip(),
            "beneficiary_count": data.get("beneficiary_count"),
            "beneficiary_ages": data.get("beneficiary_ages", "").strip(),
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "eligibility_answers": {
                question: str(index) in chosen
                for index, question in enumerate(self.grant_round.eligibility_questions)
            },
            "has_safeguarding_policy": _yes_no(data.get("has_safeguarding_policy", "")),
            "safeguarding_details": data.get("safeguarding_details", "").strip(),
            "has_insurance": _yes_no(data.get("has_insurance", "")),
            "contact_name": data.get("contact_name", "").strip(),
            "contact_email": data.get("contact_email", "").strip(),
            "contact_phone": data.get("contact_phone", "").strip(),
        }


class BudgetItemForm(forms.Form):
    """One row of the itemised budget; an empty row is ignored."""

    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    cost = MoneyField(label=_("Cost"), required=False)

    def clean(self):
        cleaned = super().clean()
        description = cleaned.get("description", "").strip()
        cost = cleaned.get("cost")
        if cost is not None and not description and "description" not in self.errors:
            self.add_error(
                "description",
                _("Say what the %(cost)s is for.") % {"cost": format_gbp(cost)},
            )
        if description and cost is None and "cost" not in self.errors:
            self.add_error("cost", _("Enter the cost of “%(item)s”.") % {"item": description[:60]})
        if cost is not None and cost <= 0:
            self.add_error("cost", _("Each item must cost more than £0.00."))
        return cleaned


BaseBudgetFormSet = formset_factory(
    BudgetItemForm,
    extra=0,
    max_num=MAX_BUDGET_ROWS,
    validate_max=True,
    absolute_max=MAX_BUDGET_ROWS + MORE_ROWS,
)


def budget_formset(*, data=None, rows: list[dict[str, str]] | None = None, extra: int = 0):
    """The budget rows: bound to posted data, or showing `rows` plus empty rows to reach at
    least eight (and `extra` more when someone asks for more rows)."""
    if data is not None:
        return BaseBudgetFormSet(data, prefix="items")
    rows = rows or []
    rows = rows[:MAX_BUDGET_ROWS]
    count = min(max(BUDGET_ROWS, len(rows) + 2) + extra, MAX_BUDGET_ROWS)
    formset_class = formset_factory(
        BudgetItemForm, extra=count, max_num=MAX_BUDGET_ROWS, absolute_max=MAX_BUDGET_ROWS
    )
    # All rows are "extra" rows (INITIAL_FORMS=0), so empty ones are skipped when posted back.
    formset = formset_class(prefix="items")
    for form, row in zip(formset.forms, rows, strict=False):
        form.initial = row
    return formset


def posted_budget_rows(data) -> list[dict[str, str]]:
    """The rows as they were typed, to show them again when someone asks for more rows."""
    try:
        total = int(data.get("items-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    total = max(0, min(total, MAX_BUDGET_ROWS))
    rows = [
        {
            "description": data.get(f"items-{index}-description", ""),
            "cost": data.get(f"items-{index}-cost", ""),
        }
        for index in range(total)
    ]
    # Keep typed rows where they were, but drop trailing blanks so the new rows follow.
    while rows and not (rows[-1]["description"].strip() or rows[-1]["cost"].strip()):
        rows.pop()
    return rows


def budget_items(formset) -> list[tuple[str, Any]]:
    """(description, cost) for each filled row of a valid formset, in order."""
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        description = (data.get("description") or "").strip()
        if description and data.get("cost") is not None:
            items.append((description, data["cost"]))
    return items


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Write a message.")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("The programme team will see this."),
    )


class MonitoringReturnForm(forms.Form):
    outputs = forms.CharField(
        label=_("What has the project delivered?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what the project has delivered.")},
    )
    people_reached = forms.IntegerField(
        label=_("How many people has it reached?"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the number of people in figures, for example 40."),
            "min_value": _("The number of people cannot be below zero."),
        },
    )
    spend_to_date = MoneyField(
        label=_("How much of the grant have you spent so far?"),
        required=False,
        help_text=_("For example, £2,350.00."),
    )
    story = forms.CharField(
        label=_("A story from the project (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A moment or a person's words that show what difference it made."),
    )
    photo = forms.FileField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 10 MB. We remove the location and camera details before "
            "we keep it."
        ),
    )

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "outputs": item.outputs,
            "people_reached": "" if item.people_reached is None else str(item.people_reached),
            "spend_to_date": format_gbp(item.spend_to_date)
            if item.spend_to_date is not None
            else "",
            "story": item.story,
        }


def validation_messages(error: ValidationError) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])
