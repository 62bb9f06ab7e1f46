"""Forms for the public asset map. They only parse input: the services decide and validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peoplezones.assets.models import Asset, Flag
from peoplezones.assets.selectors import category_list
from peoplezones.core.forms import HoneypotForm

DAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
PUBLIC_CLASSES = [c for c in Asset.AssetClass.choices if c[0] != Asset.AssetClass.INDIVIDUAL]


class MapFilterForm(forms.Form):
    """The search box and filters above the map and list; every field is optional."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False)
    postcode = forms.CharField(
        label=_("Near a postcode"),
        required=False,
        max_length=10,
        help_text=_("For example, LE3 9EG."),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("All categories"))]
        for category in category_list():
            label = f"— {category.name}" if category.parent_id else category.name
            choices.append((category.slug, label))
        self.fields["category"].choices = choices


class HoursMixin(forms.Form):
    """Seven rows of opening and closing times, one per day; empty rows mean closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in enumerate(DAY_NAMES):
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": name}, required=False
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": name}, required=False
            )

    def hours_rows(self) -> list[dict]:
        return [
            {"name": name, "opens": self[f"opens_{day}"], "closes": self[f"closes_{day}"]}
            for day, name in enumerate(DAY_NAMES)
        ]

    def clean(self):
        cleaned = super().clean()
        hours = []
        for day, name in enumerate(DAY_NAMES):
            opens, closes = cleaned.get(f"opens_{day}"), cleaned.get(f"closes_{day}")
            if opens and closes:
                hours.append(
                    {
                        "day": day,
                        "opens": opens.strftime("%H:%M"),
                        "closes": closes.strftime("%H:%M"),
                    }
                )
            elif opens or closes:
                self.add_error(
                    f"opens_{day}" if not opens else f"closes_{day}",
                    _("Give both times for %(day)s, or neither.") % {"day": name},
                )
        cleaned["opening_hours"] = hours
        return cleaned


class AssetContributionForm(HoneypotForm, HoursMixin):
    """Add an asset (no account needed)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What it is and who it is for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    asset_class = forms.ChoiceField(
        label=_("What kind of asset is it?"),
        choices=PUBLIC_CLASSES,
        widget=forms.RadioSelect,
        initial=Asset.AssetClass.ASSOCIATION,
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, help_text=_("For example, 52.6381.")
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, help_text=_("For example, -1.1853.")
    )
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    phone = forms.CharField(label=_("Phone number to publish"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email address to publish"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    accessibility = forms.CharField(
        label=_("Accessibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: step-free entrance, accessible toilet, hearing loop."),
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Separate languages with commas."),
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)
    photo_alt = forms.CharField(
        label=_("Describe the photo"),
        required=False,
        max_length=200,
        help_text=_("For people who cannot see it."),
    )
    contributor_name = forms.CharField(
        label=_("Your name (optional)"), max_length=120, required=False
    )
    contributor_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_("We will tell you when it is published. We never publish your email."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [
            (c.slug, f"{c.parent.name} › {c.name}" if c.parent_id else c.name)
            for c in category_list()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_alt", "").strip():
            self.add_error("photo_alt", _("Describe the photo for people who cannot see it."))
        return cleaned

    def asset_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            key: data[key]
            for key in (
                "name",
                "description",
                "asset_class",
                "address",
                "postcode",
                "phone",
                "email",
                "website",
                "accessibility",
                "languages",
                "opening_hours",
            )
        }
        fields["latitude"], fields["longitude"] = data.get("latitude"), data.get("longitude")
        return fields


class SuggestChangeForm(HoneypotForm, HoursMixin):
    """Suggest a change to a published asset; a moderator decides."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What it is and who it is for"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    phone = forms.CharField(label=_("Phone number to publish"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email address to publish"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    accessibility = forms.CharField(
        label=_("Accessibility"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    languages = forms.CharField(label=_("Languages spoken"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Anything else the moderator should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contributor_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_("We will tell you what the moderator decided. We never publish it."),
    )

    FIELDS = (
        "name",
        "description",
        "address",
        "postcode",
        "phone",
        "email",
        "website",
        "accessibility",
        "languages",
        "opening_hours",
    )

    @classmethod
    def initial_for(cls, asset: Asset) -> dict:
        initial = {field: getattr(asset, field) for field in cls.FIELDS if field != "opening_hours"}
        for row in asset.opening_hours:
            initial[f"opens_{row['day']}"] = row["opens"]
            initial[f"closes_{row['day']}"] = row["closes"]
        return initial

    def changes(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.FIELDS}


class FlagForm(HoneypotForm):
    reason = forms.ChoiceField(
        label=_("What is the problem?"), choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Tell us more (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reporter_email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_("Only if you want us to reply. We never publish it."),
    )
