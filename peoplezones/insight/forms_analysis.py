"""Forms of the analysis pages: impact against comparison areas, and choosing the next zone.

Both are GET forms (nothing is stored), so a result can be bookmarked and shared. Months are
typed as YYYY-MM; every check gives a message for the person typing and keeps what they typed.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peoplezones.insight import next_zone
from peoplezones.insight.forms import MonthField
from peoplezones.insight.impact import ImpactParams
from peoplezones.insight.next_zone import NextZoneParams
from peoplezones.zones.models import Zone


def _crime_type_field(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=gettext_lazy("Tick none to count every type."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("“%(value)s” is not a crime type stored here."),
        },
    )


class ImpactForm(forms.Form):
    """A zone, the first month of the work, and the crime types to count."""

    zone = forms.ChoiceField(
        label=gettext_lazy("Zone"),
        error_messages={
            "required": gettext_lazy("Choose a zone."),
            "invalid_choice": gettext_lazy("Choose one of the zones listed."),
        },
    )
    start = MonthField(
        label=gettext_lazy("First month of the work"),
        help_text=gettext_lazy(
            "Months from this one on count as “after”. For example, 2021-01 (year, then month)."
        ),
        error_messages={"required": gettext_lazy("Give the first month, for example 2021-01.")},
    )
    crime_types = _crime_type_field(gettext_lazy("Crime types"))

    def __init__(
        self, *args: Any, zones: list[Zone], crime_types: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = [("", _("Choose a zone")), *((z.slug, z.name) for z in zones)]
        self.fields["crime_types"].choices = [(kind, kind) for kind in crime_types]
        self.fields["start"].widget.attrs["autocomplete"] = "off"

    def params(self) -> ImpactParams:
        data = self.cleaned_data
        return ImpactParams(
            zone=data["zone"], start=data["start"], crime_types=tuple(data["crime_types"])
        )


class WeightField(forms.FloatField):
    """A weight as people type it: 0.4, 40 or "40%" (only the proportions between them count)."""

    def to_python(self, value: Any) -> float | None:
        if isinstance(value, str):
            value = value.strip().rstrip("%").strip().replace(",", ".")
        return super().to_python(value)


def _weight(label: str, initial: float) -> WeightField:
    return WeightField(
        label=label,
        initial=initial,
        min_value=0,
        required=False,
        error_messages={
            "invalid": gettext_lazy("Give the weight as a number, for example 0.4."),
            "min_value": gettext_lazy("A weight cannot be negative: use 0 to leave it out."),
        },
    )


SORTS = {
    "rank": gettext_lazy("Rank"),
    "name": gettext_lazy("LSOA"),
    "district": gettext_lazy("District"),
    "imd": gettext_lazy("IMD rank"),
    "crimes": gettext_lazy("Crimes"),
    "assets": gettext_lazy("Institutions and associations"),
}


class NextZoneForm(forms.Form):
    """Weights of the three measures, the months and types of crime, and how to group and sort.

    An empty weight counts as 0; all three empty means the defaults.
    """

    deprivation = _weight(
        gettext_lazy("Deprivation (IMD 2019)"), next_zone.DEFAULT_WEIGHTS["deprivation"]
    )
    crime = _weight(
        gettext_lazy("Crime and anti-social behaviour"), next_zone.DEFAULT_WEIGHTS["crime"]
    )
    assets = _weight(
        gettext_lazy("Institutions and associations to work with"),
        next_zone.DEFAULT_WEIGHTS["assets"],
    )
    month_from = MonthField(
        label=gettext_lazy("Count crime from month"),
        required=False,
        help_text=gettext_lazy("For example, 2020-12. Empty: the last 12 months imported."),
    )
    month_to = MonthField(
        label=gettext_lazy("to month"),
        required=False,
        help_text=gettext_lazy("For example, 2021-11. Empty: the latest month imported."),
    )
    crime_types = _crime_type_field(gettext_lazy("Crime types counted"))
    radius = forms.IntegerField(
        label=gettext_lazy("Count institutions and associations this far from an LSOA's centre"),
        help_text=gettext_lazy("In metres, as well as those inside the LSOA; for example 400."),
        min_value=0,
        max_value=next_zone.MAX_RADIUS,
        required=False,
        initial=next_zone.DEFAULT_RADIUS,
        error_messages={
            "invalid": gettext_lazy("Give the distance in whole metres, for example 400."),
            "min_value": gettext_lazy("The distance cannot be negative."),
            "max_value": gettext_lazy("Give at most %(limit_value)s metres."),
        },
    )
    min_group = forms.IntegerField(
        label=gettext_lazy("Smallest group, in LSOAs"),
        min_value=1,
        max_value=next_zone.MAX_GROUP,
        required=False,
        initial=next_zone.DEFAULT_MIN_GROUP,
        error_messages={
            "invalid": gettext_lazy("Give a whole number of LSOAs, for example 5."),
            "min_value": gettext_lazy("A group has at least %(limit_value)s LSOA."),
            "max_value": gettext_lazy("Give at most %(limit_value)s LSOAs."),
        },
    )
    max_group = forms.IntegerField(
        label=gettext_lazy("Largest group, in LSOAs"),
        min_value=1,
        max_value=next_zone.MAX_GROUP,
        required=False,
        initial=next_zone.DEFAULT_MAX_GROUP,
        error_messages={
            "invalid": gettext_lazy("Give a whole number of LSOAs, for example 8."),
            "min_value": gettext_lazy("A group has at least %(limit_value)s LSOA."),
            "max_value": gettext_lazy("Give at most %(limit_value)s LSOAs."),
        },
    )
    include_zoned = forms.BooleanField(
        label=gettext_lazy("Let groups include LSOAs already in a zone"), required=False
    )
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    order = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)
    show = forms.ChoiceField(choices=[("top", "top"), ("all", "all")], required=False)

    WEIGHTS = ("deprivation", "crime", "assets")

    def __init__(self, *args: Any, crime_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crime_types"].choices = [(kind, kind) for kind in crime_types]
        for name in (*self.WEIGHTS, "radius", "min_group", "max_group"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(name in self.errors for name in self.WEIGHTS):
            values = [data.get(name) for name in self.WEIGHTS]
            if all(value is None for value in values):
                for name in self.WEIGHTS:
                    data[name] = next_zone.DEFAULT_WEIGHTS[name]
            elif sum(value or 0 for value in values) <= 0:
                self.add_error(
                    None,
                    _("At least one weight must be more than 0: give each a number from 0 up."),
                )
        month_from, month_to = data.get("month_from"), data.get("month_to")
        if month_from and month_to and month_from > month_to:
            self.add_error(
                "month_from",
                _("The first month (%(first)s) is after the last (%(last)s).")
                % {"first": f"{month_from:%Y-%m}", "last": f"{month_to:%Y-%m}"},
            )
        low, high = data.get("min_group"), data.get("max_group")
        if low and high and low > high:
            self.add_error(
                "min_group",
                _("The smallest group (%(low)s) is larger than the largest (%(high)s).")
                % {"low": low, "high": high},
            )
        return data

    def params(self) -> NextZoneParams:
        data = self.cleaned_data
        return NextZoneParams(
            weights={name: data.get(name) or 0.0 for name in self.WEIGHTS},
            month_from=data.get("month_from"),
            month_to=data.get("month_to"),
            crime_types=tuple(data.get("crime_types") or ()),
            radius=next_zone.DEFAULT_RADIUS if data.get("radius") is None else data["radius"],
            min_group=data.get("min_group") or next_zone.DEFAULT_MIN_GROUP,
            max_group=data.get("max_group") or next_zone.DEFAULT_MAX_GROUP,
            include_zoned=bool(data.get("include_zoned")),
        )

    @property
    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "rank"

    @property
    def sort_order(self) -> str:
        default = "asc" if self.sort_key in ("rank", "name", "district", "imd") else "desc"
        return (self.cleaned_data.get("order") if self.is_valid() else "") or default
