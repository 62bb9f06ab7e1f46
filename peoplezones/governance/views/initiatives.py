"""Public pages: a zone's steering group, and the programme's initiatives.

The programme team also records milestones and outputs on an initiative's page; the forms are
plain HTML forms that work without JavaScript.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.core.forms import add_service_errors
from peoplezones.governance.initiative_queries import (
    cohort_counts,
    group_page,
    initiative_get,
    public_initiatives,
)
from peoplezones.governance.models import Initiative
from peoplezones.governance.permissions import can_manage_initiatives, can_view_group_drafts
from peoplezones.governance.services import initiative_output_set, milestone_add
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_list
from peoplezones.zones.shortcuts import zone_or_404


class DateInput(forms.DateInput):
    """The browser's own date picker; it sends YYYY-MM-DD, which every locale's form accepts."""

    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if hasattr(value, "isoformat") else value


class CountField(forms.DecimalField):
    """A number as people type it: "1,700" and " 1 700 " mean 1700."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)


class InitiativeFilterForm(forms.Form):
    zone = forms.ChoiceField(label=gettext_lazy("Zone"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Initiative.Kind.choices],
    )

    def __init__(self, *args: Any, zones: list[Zone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zones = {zone.slug: zone for zone in zones}
        self.fields["zone"].choices = [
            ("", _("All zones")),
            *((zone.slug, zone.name) for zone in zones),
        ]


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Milestone"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say what the milestone is.")},
    )
    due = forms.DateField(
        label=gettext_lazy("Due (optional)"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 10/09/2025.")},
    )


class OutputForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("What was counted"),
        help_text=gettext_lazy(
            "Read after the number and unit: “of unpaid work” shows as “1,700 hours of unpaid "
            "work”. Giving a label already recorded corrects that output."
        ),
        max_length=160,
        error_messages={"required": gettext_lazy("Say what was counted.")},
    )
    value = CountField(
        label=gettext_lazy("Number"),
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": gettext_lazy("Give the number."),
            "invalid": gettext_lazy("Give the number in figures, for example 1,700."),
            "max_digits": gettext_lazy("That number is too big."),
            "max_decimal_places": gettext_lazy("Give at most two decimal places."),
            "max_whole_digits": gettext_lazy("That number is too big."),
        },
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit (optional)"),
        help_text=gettext_lazy("For example hours, pupils or sessions."),
        max_length=40,
        required=False,
    )
    as_of = forms.DateField(
        label=gettext_lazy("Counted on (optional)"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 26/07/2023.")},
    )

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if not label:
            raise ValidationError(_("Say what was counted."))
        return label

    def clean_value(self) -> Decimal:
        value = self.cleaned_data["value"]
        if value is not None and value < 0:
            raise ValidationError(_("The number cannot be negative."))
        return value


FORMS = {"milestone": MilestoneForm, "output": OutputForm}


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    """The address of a page another part of the app may not provide yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@require_safe
def zone_group(request: HttpRequest, slug: str) -> HttpResponse:
    """The public face of a zone's steering group: make-up, meetings, action counts, initiatives."""
    zone = zone_or_404(user=request.user, slug=slug)
    page = group_page(zone=zone)
    if page is None:
        raise Http404(_("%(zone)s has no steering group yet.") % {"zone": zone.name})
    meetings_url = _url_or_none("governance:meeting-list", slug=zone.slug)
    published = [
        {
            "meeting": meeting,
            "url": _url_or_none("governance:meeting-detail", pk=meeting.pk) or meetings_url,
        }
        for meeting in page["published"]
    ]
    return render(
        request,
        "governance/group/zone_group.html",
        {
            **page,
            "zone": zone,
            "published": published,
            "meetings_url": meetings_url,
            # The full log names owners, so only the zone's people and staff are sent to it.
            "action_log_url": _url_or_none("governance:action-list", slug=zone.slug)
            if can_view_group_drafts(request.user, page["group"])
            else None,
        },
    )


@require_safe
def initiative_list(request: HttpRequest) -> HttpResponse:
    """Every initiative, filtered by zone and kind; the filter is a plain GET form."""
    zones = list(zone_list(user=request.user))
    form = InitiativeFilterForm(request.GET or None, zones=zones)
    zone, kind, status = None, None, 200
    if form.is_bound:
        if form.is_valid():
            zone = form.zones.get(form.cleaned_data["zone"])
            kind = form.cleaned_data["kind"] or None
        else:
            status = 400
    initiatives = list(public_initiatives(zone=zone, kind=kind)) if status == 200 else []
    return render(
        request,
        "governance/initiatives/initiative_list.html",
        {"form": form, "initiatives": initiatives, "zone": zone, "kind": kind},
        status=status,
    )


def _initiative_or_404(slug: str) -> Initiative:
    try:
        return initiative_get(slug=slug)
    except Initiative.DoesNotExist:
        raise Http404(_("There is no such initiative.")) from None


def _record(request: HttpRequest, initiative: Initiative, kind: str, form: forms.Form) -> bool:
    """Call the service for a valid form; on its refusal, put the reason on the form."""
    data = form.cleaned_data
    try:
        if kind == "milestone":
            milestone_add(
                initiative=initiative, actor=request.user, title=data["title"], due=data["due"]
            )
        else:
            initiative_output_set(
                initiative=initiative,
                actor=request.user,
                label=data["label"],
                value=data["value"],
                unit=data["unit"],
                as_of=data["as_of"],
            )
    except (ValidationError, PermissionDenied) as error:
        add_service_errors(form, error)
        return False
    return True


@require_http_methods(["GET", "HEAD", "POST"])
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One initiative; the programme team adds milestones and sets outputs here."""
    initiative = _initiative_or_404(slug)
    may_manage = can_manage_initiatives(request.user)
    bound: dict[str, forms.Form] = {}
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("Only the programme team records milestones and outputs."))
        kind = request.POST.get("form", "")
        if kind not in FORMS:
            raise Http404(_("There is no such form."))
        form = FORMS[kind](request.POST, prefix=kind)
        if form.is_valid() and _record(request, initiative, kind, form):
            messages.success(
                request,
                _("Milestone added.") if kind == "milestone" else _("Output recorded."),
            )
            return redirect("governance:initiative-detail", slug=initiative.slug)
        bound[kind] = form
        status = 400
    context: dict[str, Any] = {
        "initiative": initiative,
        "cohort": cohort_counts(initiative=initiative),
        "may_manage": may_manage,
    }
    if may_manage:
        context["milestone_form"] = bound.get("milestone") or MilestoneForm(prefix="milestone")
        context["output_form"] = bound.get("output") or OutputForm(prefix="output")
        context["failed_form"] = next(iter(bound.values()), None)
    return render(request, "governance/initiatives/initiative_detail.html", context, status=status)


urlpatterns = [
    path("zones/<slug:slug>/steering-group/", zone_group, name="zone-group"),
    path("initiatives/", initiative_list, name="initiative-list"),
    path("initiatives/<slug:slug>/", initiative_detail, name="initiative-detail"),
]
