"""Forms of the insight pages: month ranges, hotspot runs, harm weights, theme crime types.

Months are typed as YYYY-MM (the way police.uk names its files). Every check gives a message
for the person typing and keeps what they typed.
"""

import datetime
import math
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peoplezones.insight import crime_store
from peoplezones.insight import hotspots as engine
from peoplezones.insight.comparison import ALL_CRIME, add_months
from peoplezones.insight.crimestoppers import DEFAULT_BUFFER, MAX_BUFFER, POLICE_UK_TYPES
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.importers.police import parse_month
from peoplezones.insight.models import HotspotRun, ReferenceArea
from peoplezones.insight.selectors import crime_types_stored
from peoplezones.insight.services.hotspots import (
    DEFAULT_BAND,
    DEFAULT_CELL,
    DEFAULT_H3_RESOLUTION,
    MAX_CELL,
    MIN_CELL,
    HotspotParams,
)
from peoplezones.insight.services.hotspots import (
    MAX_BUFFER as MAX_HOTSPOT_BUFFER,
)
from peoplezones.insight.study_areas import StudyArea, study_area
from peoplezones.zones.models import Zone

# police.uk street-level data starts in December 2010.
FIRST_MONTH = datetime.date(2010, 12, 1)
MONTH_HINT = gettext_lazy("For example, 2021-06 (year, then month).")


class MonthField(forms.CharField):
    """A month typed as YYYY-MM, cleaned to its first day; not before police.uk began or in the
    future."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", MONTH_HINT)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a month: type it as YYYY-MM, for example 2021-06.")
                % {"value": text}
            )
        if month < FIRST_MONTH:
            raise forms.ValidationError(
                _("police.uk street-level crime starts in 2010-12; “%(value)s” is before it.")
                % {"value": text}
            )
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError(
                _("“%(value)s” is in the future.") % {"value": text}, code="future"
            )
        return month


def _check_order(form: forms.Form, first: str, last: str) -> None:
    month_from, month_to = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if month_from and month_to and month_from > month_to:
        form.add_error(
            first,
            _("The first month (%(first)s) is after the last (%(last)s).")
            % {"first": f"{month_from:%Y-%m}", "last": f"{month_to:%Y-%m}"},
        )


class CrimeRangeForm(forms.Form):
    """The months and crime type of the crime-in-the-zone tables (GET)."""

    MAX_MONTHS = 60

    month_from = MonthField(label=gettext_lazy("From month"), required=False)
    month_to = MonthField(label=gettext_lazy("To month"), required=False)
    crime_type = forms.ChoiceField(
        label=gettext_lazy("Crime type for the month-by-month table and chart"), required=False
    )

    def __init__(
        self,
        *args: Any,
        crime_types: list[str],
        default_to: datetime.date | None,
        zones: list[Zone] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_to = default_to
        self.fields["crime_type"].choices = [(ALL_CRIME, _("All crime"))] + [
            (kind, kind) for kind in crime_types
        ]
        if zones is not None:
            self.fields["zone"] = forms.ChoiceField(
                label=_("Zone"), choices=[(zone.slug, zone.name) for zone in zones]
            )
            self.order_fields(["zone", "month_from", "month_to", "crime_type"])
        if default_to is not None:
            self.fields["month_to"].initial = f"{default_to:%Y-%m}"
            self.fields["month_from"].initial = f"{add_months(default_to, -11):%Y-%m}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        month_to = data.get("month_to") or self.default_to
        month_from = data.get("month_from") or (month_to and add_months(month_to, -11))
        data["month_to"], data["month_from"] = month_to, month_from
        if month_from and month_to:
            if month_from > month_to:
                self.add_error(
                    "month_from",
                    _("The first month (%(first)s) is after the last (%(last)s).")
                    % {"first": f"{month_from:%Y-%m}", "last": f"{month_to:%Y-%m}"},
                )
            elif (month_to.year - month_from.year) * 12 + month_to.month - month_from.month >= (
                self.MAX_MONTHS
            ):
                self.add_error(
                    "month_from",
                    _("Choose at most %(max)s months at a time.") % {"max": self.MAX_MONTHS},
                )
        return data


def _zone_choices() -> list[tuple[str, str]]:
    return [
        (zone.slug, zone.name)
        for zone in Zone.objects.filter(boundary__isnull=False).order_by("name")
    ]


def _district_choices() -> list[tuple[str, str]]:
    return [
        (code, f"{name} ({code})" if name else code)
        for code, name in ReferenceArea.objects.filter(
            kind=ReferenceArea.Kind.LAD, geometry__isnull=False
        )
        .order_by("name", "code")
        .values_list("code", "name")
    ]


class HotspotForm(forms.Form):
    """What to analyse on the hotspots page; `params()` gives HotspotParams when valid."""

    # The study area `clean()` built to check the grid, kept for the run's request.
    built_area: StudyArea | None = None

    AREA_FORCE, AREA_ZONE, AREA_LAD = "force", "zone", "lad"

    area_kind = forms.ChoiceField(
        label=gettext_lazy("Area"),
        widget=forms.RadioSelect,
        choices=[
            (AREA_FORCE, gettext_lazy("The whole force area")),
            (AREA_ZONE, gettext_lazy("A zone (with a buffer if you want)")),
            (AREA_LAD, gettext_lazy("A local authority district")),
        ],
        initial=AREA_ZONE,
    )
    zone = forms.ChoiceField(label=gettext_lazy("Zone"), required=False)
    buffer = forms.IntegerField(
        label=gettext_lazy("Buffer around the zone, in metres"),
        help_text=gettext_lazy("0 for the zone's boundary itself; for example 500."),
        min_value=0,
        max_value=MAX_HOTSPOT_BUFFER,
        initial=0,
        required=False,
    )
    lad = forms.ChoiceField(label=gettext_lazy("Local authority district"), required=False)
    month_from = MonthField(label=gettext_lazy("From month"))
    month_to = MonthField(label=gettext_lazy("To month"))
    crime_types = forms.MultipleChoiceField(
        label=gettext_lazy("Crime types"),
        help_text=gettext_lazy("Tick none to count every type."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    grid = forms.ChoiceField(
        label=gettext_lazy("Cells"),
        widget=forms.RadioSelect,
        choices=[
            (
                HotspotRun.GridKind.SQUARE,
                gettext_lazy("Squares of the British National Grid, of the size below"),
            ),
            (HotspotRun.GridKind.H3, gettext_lazy("H3 hexagons, of the resolution below")),
        ],
        initial=HotspotRun.GridKind.SQUARE,
        required=False,
    )
    cell_size = forms.IntegerField(
        label=gettext_lazy("Cell size, in metres (squares)"),
        min_value=MIN_CELL,
        max_value=MAX_CELL,
        initial=DEFAULT_CELL,
        required=False,
    )
    h3_resolution = forms.TypedChoiceField(
        label=gettext_lazy("H3 resolution (hexagons)"),
        coerce=int,
        initial=DEFAULT_H3_RESOLUTION,
        required=False,
    )
    band = forms.IntegerField(
        label=gettext_lazy("Distance band, in metres"),
        help_text=gettext_lazy(
            "Cells whose centres are this close count as neighbours; at least one cell."
        ),
        min_value=MIN_CELL,
        initial=DEFAULT_BAND,
    )
    weighting = forms.ChoiceField(
        label=gettext_lazy("Harm weights"),
        widget=forms.RadioSelect,
        choices=[
            (HotspotRun.Weighting.COUNT, gettext_lazy("Off: every crime counts 1")),
            (
                HotspotRun.Weighting.HARM,
                gettext_lazy("On: each crime counts its type's harm weight"),
            ),
        ],
        initial=HotspotRun.Weighting.COUNT,
    )

    def __init__(self, *args: Any, default_to: datetime.date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = [("", _("Choose a zone")), *_zone_choices()]
        self.fields["lad"].choices = [("", _("Choose a district")), *_district_choices()]
        self.fields["crime_types"].choices = [(kind, kind) for kind in crime_types_stored()]
        self.fields["h3_resolution"].choices = [
            (
                resolution,
                _("%(res)s: centres about %(spacing)s m apart")
                % {"res": resolution, "spacing": round(engine.hex_spacing(resolution))},
            )
            for resolution in engine.H3_RESOLUTIONS
        ]
        if default_to is not None:
            self.fields["month_to"].initial = f"{default_to:%Y-%m}"
            self.fields["month_from"].initial = f"{add_months(default_to, -11):%Y-%m}"

    def area_key(self) -> str:
        data = self.cleaned_data
        if data["area_kind"] == self.AREA_ZONE:
            return f"zone:{data['zone']}"
        if data["area_kind"] == self.AREA_LAD:
            return f"lad:{data['lad']}"
        return "force"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("area_kind")
        if kind == self.AREA_ZONE and not data.get("zone"):
            self.add_error("zone", _("Choose the zone to analyse."))
        if kind == self.AREA_LAD and not data.get("lad"):
            self.add_error("lad", _("Choose the district to analyse."))
        if kind != self.AREA_ZONE:
            data["buffer"] = 0
        data["buffer"] = data.get("buffer") or 0
        _check_order(self, "month_from", "month_to")
        data["grid"] = data.get("grid") or HotspotRun.GridKind.SQUARE
        hexagons = data["grid"] == HotspotRun.GridKind.H3
        if hexagons:
            resolution = data.get("h3_resolution") or DEFAULT_H3_RESOLUTION
            data["h3_resolution"] = resolution
            cell = round(engine.hex_spacing(resolution))
        else:
            cell = data.get("cell_size")
            if cell is None and "cell_size" not in self.errors:
                self.add_error("cell_size", _("Enter the cell size for squares."))
        band = data.get("band")
        if cell and band:
            if hexagons and band < 0.9 * engine.hex_spacing(resolution):
                self.add_error("band", engine.band_too_small_hex(band=band, resolution=resolution))
            elif not hexagons and band < cell:
                self.add_error("band", engine.band_too_small(band=band, size=cell))
            elif band > engine.MAX_BAND_CELLS * cell:
                self.add_error("band", engine.band_too_wide(band=band, size=cell))
        if self.errors:
            return data
        try:
            area = study_area(self.area_key(), buffer=data["buffer"])
        except HotspotError as error:
            self.add_error(None, str(error))
            return data
        self.built_area = area
        min_e, min_n, max_e, max_n = area.boundary.bounds
        cells = (math.floor(max_e / cell) - math.floor(min_e / cell) + 1) * (
            math.floor(max_n / cell) - math.floor(min_n / cell) + 1
        )
        if not hexagons and cells > engine.MAX_CELLS:
            self.add_error(
                "cell_size",
                _(
                    "%(area)s would need about %(cells)s cells of %(size)s m, more than the "
                    "%(max)s this can analyse at once. Use bigger cells."
                )
                % {
                    "area": area.label,
                    "cells": f"{cells:,}",
                    "size": cell,
                    "max": f"{engine.MAX_CELLS:,}",
                },
            )
            return data
        crimes = crime_store.crime_frame(
            month_from=data["month_from"],
            month_to=data["month_to"],
            crime_types=data.get("crime_types") or None,
            located=True,
        )
        if not len(crimes):
            self.add_error(
                None,
                _(
                    "No crimes of those types are stored from %(first)s to %(last)s, so there are "
                    "no hotspots to find. Choose other months or types."
                )
                % {"first": f"{data['month_from']:%Y-%m}", "last": f"{data['month_to']:%Y-%m}"},
            )
        return data

    def params(self) -> HotspotParams:
        data = self.cleaned_data
        return HotspotParams(
            area=self.area_key(),
            month_from=data["month_from"],
            month_to=data["month_to"],
            crime_types=tuple(data.get("crime_types") or ()),
            grid=data["grid"],
            cell_size=data.get("cell_size") or DEFAULT_CELL,
            h3_resolution=data.get("h3_resolution") or DEFAULT_H3_RESOLUTION,
            band=data["band"],
            buffer=data["buffer"],
            weighting=data["weighting"],
        )


class HarmWeightForm(forms.Form):
    """One crime type's harm weight."""

    weight = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(1000), max_digits=7, decimal_places=2
    )
    note = forms.CharField(required=False, max_length=500)


class ThemeCrimeTypesForm(forms.Form):
    """The police.uk crime types one research theme is about."""

    crime_types = forms.MultipleChoiceField(
        label=gettext_lazy("police.uk crime types"),
        help_text=gettext_lazy("Tick none if the theme is not about crime."),
        widget=forms.CheckboxSelectMultiple,
        choices=[(kind, kind) for kind in POLICE_UK_TYPES],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Why these types"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )


class TargetingForm(forms.Form):
    """The last month and buffer of a Crimestoppers targeting page (GET)."""

    month_to = MonthField(
        label=gettext_lazy("Up to month"),
        required=False,
        help_text=gettext_lazy("The last of the 12 months analysed, as YYYY-MM."),
    )
    buffer = forms.IntegerField(
        label=gettext_lazy("Around the zone, in metres"),
        help_text=gettext_lazy("Also look this far beyond the zone's boundary."),
        min_value=0,
        max_value=MAX_BUFFER,
        required=False,
    )

    def __init__(self, *args: Any, default_to: datetime.date | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_to = default_to
        if default_to is not None:
            self.fields["month_to"].initial = f"{default_to:%Y-%m}"
        self.fields["buffer"].initial = DEFAULT_BUFFER

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            data["month_to"] = data.get("month_to") or self.default_to
            if data.get("buffer") is None:
                data["buffer"] = DEFAULT_BUFFER
        return data
