"""Forms of the payback planner. They parse what was typed and keep it; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peoplezones.assets.forms import HoursMixin
from peoplezones.assets.selectors import category_list
from peoplezones.payback import rules
from peoplezones.payback.models import WEEKDAYS, PaybackSite, WelfareFacility
from peoplezones.zones.models import Zone

EXTRA_SESSION_ROWS = 2
MIN_SESSION_ROWS = 3


def _zone_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Zone (optional)"),
        queryset=Zone.objects.order_by("name"),
        required=False,
        empty_label=_("The zone the point is in"),
        error_messages={"invalid_choice": _("Choose one of the zones.")},
    )


def _point_fields() -> tuple[forms.FloatField, forms.FloatField]:
    return (
        forms.FloatField(
            label=_("Latitude"),
            required=False,
            help_text=_("For example, 52.6381."),
            error_messages={"invalid": _("Enter the latitude as a number, like 52.6381.")},
        ),
        forms.FloatField(
            label=_("Longitude"),
            required=False,
            help_text=_("For example, -1.1853."),
            error_messages={"invalid": _("Enter the longitude as a number, like -1.1853.")},
        ),
    )


class FacilityForm(HoursMixin):
    """A welfare facility: where, what it offers, when it is open (the asset map's form of
    opening hours: one period a day)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter the facility's name.")},
    )
    latitude, longitude = _point_fields()
    zone = _zone_field()
    has_toilets = forms.BooleanField(label=_("Toilets"), required=False)
    has_water = forms.BooleanField(
        label=_("Drinking water or somewhere to wash hands"), required=False
    )
    has_shelter = forms.BooleanField(label=_("Shelter from the weather"), required=False)
    always_open = forms.BooleanField(
        label=_("Open at all hours (opening hours below are then ignored)"), required=False
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: ask at reception for the key."),
    )

    FIELDS = (
        "name",
        "latitude",
        "longitude",
        "has_toilets",
        "has_water",
        "has_shelter",
        "always_open",
        "notes",
        "opening_hours",
    )

    @classmethod
    def initial_for(cls, facility: WelfareFacility) -> dict[str, Any]:
        initial = {f: getattr(facility, f) for f in cls.FIELDS if f != "opening_hours"}
        initial["zone"] = facility.zone_id
        for row in facility.opening_hours:
            initial[f"opens_{row['day']}"] = row["opens"]
            initial[f"closes_{row['day']}"] = row["closes"]
        return initial

    def facility_fields(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in self.FIELDS}


class SiteForm(forms.Form):
    """A candidate site and its weekly sessions (empty rows are ignored)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter the site's name.")},
    )
    latitude, longitude = _point_fields()
    zone = _zone_field()
    description = forms.CharField(
        label=_("What the work is (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, session_rows: int = MIN_SESSION_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Keep every row that was posted, so that nothing typed is lost.
            posted = [
                int(key.removeprefix("weekday_"))
                for key in self.data
                if key.startswith("weekday_") and key.removeprefix("weekday_").isdigit()
            ]
            session_rows = max(session_rows, max(posted, default=-1) + 1)
        self.session_count = min(session_rows, 20)
        for i in range(self.session_count):
            number = i + 1
            self.fields[f"weekday_{i}"] = forms.TypedChoiceField(
                label=_("Session %(number)s: day") % {"number": number},
                choices=[("", _("No session")), *WEEKDAYS],
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"starts_{i}"] = forms.TimeField(
                label=_("Session %(number)s: starts") % {"number": number},
                required=False,
                error_messages={"invalid": _("Enter a time like 09:30.")},
            )
            self.fields[f"ends_{i}"] = forms.TimeField(
                label=_("Session %(number)s: ends") % {"number": number},
                required=False,
                error_messages={"invalid": _("Enter a time like 12:30.")},
            )

    @classmethod
    def for_site(cls, site: PaybackSite) -> "SiteForm":
        sessions = list(site.sessions.all())
        initial: dict[str, Any] = {
            "name": site.name,
            "latitude": site.latitude,
            "longitude": site.longitude,
            "zone": site.zone_id,
            "description": site.description,
        }
        for i, session in enumerate(sessions):
            initial[f"weekday_{i}"] = session.weekday
            initial[f"starts_{i}"] = session.starts.strftime("%H:%M")
            initial[f"ends_{i}"] = session.ends.strftime("%H:%M")
        return cls(
            initial=initial,
            session_rows=max(MIN_SESSION_ROWS, len(sessions) + EXTRA_SESSION_ROWS),
        )

    def session_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i + 1,
                "weekday": self[f"weekday_{i}"],
                "starts": self[f"starts_{i}"],
                "ends": self[f"ends_{i}"],
            }
            for i in range(self.session_count)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        sessions = []
        for i in range(self.session_count):
            weekday = cleaned.get(f"weekday_{i}")
            starts, ends = cleaned.get(f"starts_{i}"), cleaned.get(f"ends_{i}")
            if f"starts_{i}" in self.errors or f"ends_{i}" in self.errors:
                continue
            if weekday is None and not starts and not ends:
                continue
            number = i + 1
            if weekday is None:
                self.add_error(
                    f"weekday_{i}",
                    _("Choose the day of session %(number)s.") % {"number": number},
                )
            elif not starts:
                self.add_error(
                    f"starts_{i}",
                    _("Give the time session %(number)s starts.") % {"number": number},
                )
            elif not ends:
                self.add_error(
                    f"ends_{i}", _("Give the time session %(number)s ends.") % {"number": number}
                )
            elif ends <= starts:
                self.add_error(
                    f"ends_{i}",
                    _("Session %(number)s must end after it starts.") % {"number": number},
                )
            else:
                sessions.append((weekday, starts, ends))
        cleaned["sessions"] = sessions
        return cleaned

    def site_fields(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in ("name", "latitude", "longitude", "description")}


class CopyFromAssetsForm(forms.Form):
    """Which categories of the asset map to copy as welfare facilities."""

    categories = forms.MultipleChoiceField(
        label=_("Categories to copy"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published assets in these categories (and their sub-categories)."),
        error_messages={"required": _("Choose at least one category.")},
    )
    zone = forms.ModelChoiceField(
        label=_("Only in this zone (optional)"),
        queryset=Zone.objects.order_by("name"),
        required=False,
        empty_label=_("Every zone"),
        error_messages={"invalid_choice": _("Choose one of the zones.")},
    )
    has_toilets = forms.BooleanField(label=_("Toilets"), required=False, initial=True)
    has_water = forms.BooleanField(label=_("Drinking water"), required=False, initial=True)
    has_shelter = forms.BooleanField(label=_("Shelter"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories_by_slug = {c.slug: c for c in category_list()}
        self.fields["categories"].choices = [
            (c.slug, f"{c.parent.name} › {c.name}" if c.parent_id else c.name)
            for c in self.categories_by_slug.values()
        ]

    def chosen_categories(self) -> list[Any]:
        return [self.categories_by_slug[slug] for slug in self.cleaned_data["categories"]]


PACE_CHOICES = [
    ("standard", _("80 metres a minute (a typical walking pace)")),
    ("slower", _("50 metres a minute (slower, for people who walk more slowly)")),
    ("other", _("Another pace")),
]
NEED_CHOICES = [(key, name) for key, name in rules.AMENITY_NAMES.items()]


class RuleForm(forms.Form):
    """The rule the planner judges sites by (read from the address, so a plan can be shared)."""

    minutes = forms.IntegerField(
        label=_("Walking time to a facility, in minutes"),
        min_value=1,
        max_value=60,
        required=False,
        initial=rules.DEFAULT_MINUTES,
        error_messages={
            "required": _("Enter the walking time in minutes."),
            "invalid": _("Enter the walking time as a whole number of minutes, like 10."),
            "min_value": _("Enter at least 1 minute."),
            "max_value": _("Enter at most 60 minutes."),
        },
    )
    pace = forms.ChoiceField(
        label=_("Walking pace"),
        choices=PACE_CHOICES,
        required=False,
        initial="standard",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a walking pace.")},
    )
    other_pace = forms.IntegerField(
        label=_("Another pace, in metres a minute"),
        required=False,
        min_value=20,
        max_value=150,
        error_messages={
            "invalid": _("Enter the pace as a whole number of metres a minute, like 65."),
            "min_value": _("Enter a pace of at least 20 metres a minute."),
            "max_value": _("Enter a pace of at most 150 metres a minute."),
        },
    )
    needs = forms.MultipleChoiceField(
        label=_("A facility must have"),
        choices=NEED_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=list(rules.DEFAULT_NEEDS),
    )

    @classmethod
    def from_query(cls, query: Any) -> "RuleForm":
        """Bound to the address's query when it has any of the form's fields, else unbound."""
        if any(key in query for key in ("minutes", "pace", "other_pace", "needs", "applied")):
            data = query.copy()
            return cls(data)
        return cls()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("pace") == "other"
            and cleaned.get("other_pace") is None
            and "other_pace" not in self.errors
        ):
            self.add_error("other_pace", _("Enter the pace in metres a minute."))
        return cleaned

    def rule(self) -> rules.Rule:
        """The rule asked for, or the default one when the form is unbound or wrong."""
        if not self.is_bound or not self.is_valid():
            return rules.Rule()
        data = self.cleaned_data
        pace = {"standard": rules.STANDARD_PACE, "slower": rules.SLOWER_PACE}.get(
            data["pace"] or "standard", data.get("other_pace") or rules.STANDARD_PACE
        )
        # A link that gives only some settings keeps the default needs; the form itself
        # always sends "applied", so unticking every box there means "no needs".
        if "needs" in self.data or "applied" in self.data:
            needs = tuple(need for need in rules.AMENITIES if need in data["needs"])
        else:
            needs = rules.DEFAULT_NEEDS
        return rules.Rule(minutes=data["minutes"] or rules.DEFAULT_MINUTES, pace=pace, needs=needs)
