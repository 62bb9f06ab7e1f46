"""Every write to the asset map goes through here: contributions, moderation, flags, events."""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peoplezones.assets.models import Asset, AssetChange, AssetPhoto, Category, Event, Flag
from peoplezones.assets.permissions import can_edit_asset, can_moderate_assets
from peoplezones.assets.workflow import TRANSITIONS
from peoplezones.core import geo
from peoplezones.core.images import reencode_image
from peoplezones.core.services import audit_record, email_after_commit
from peoplezones.zones.selectors import zone_for_point

# The fields a contributor, an owner or an import may set. Status, zone, source and the private
# contributor fields are set by the services themselves.
EDITABLE_FIELDS = (
    "name",
    "description",
    "asset_class",
    "latitude",
    "longitude",
    "address",
    "postcode",
    "opening_hours",
    "phone",
    "email",
    "website",
    "accessibility",
    "languages",
    "last_verified",
    "sensitive",
    "do_not_display",
)
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the inward code; ValidationError if not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    formatted = f"{compact[:-3]} {compact[-3:]}"
    if not POSTCODE.match(formatted):
        raise ValidationError({"postcode": _("Enter a UK postcode, like LE3 9EG.")})
    return formatted


def clean_opening_hours(value: Any) -> list[dict[str, Any]]:
    """Check structured opening hours: [{"day": 0-6, "opens": "HH:MM", "closes": "HH:MM"}]."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"opening_hours": _("Opening hours must be a list of days.")})
    cleaned = []
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError({"opening_hours": _("Each opening time needs a day and hours.")})
        day, opens, closes = item.get("day"), item.get("opens"), item.get("closes")
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise ValidationError({"opening_hours": _("A day must be 0 (Monday) to 6 (Sunday).")})
        if not (isinstance(opens, str) and TIME.match(opens)) or not (
            isinstance(closes, str) and TIME.match(closes)
        ):
            raise ValidationError({"opening_hours": _("Times must look like 09:30 or 17:00.")})
        if closes <= opens:
            raise ValidationError({"opening_hours": _("Closing time must be after opening time.")})
        cleaned.append({"day": day, "opens": opens, "closes": closes})
    return sorted(cleaned, key=lambda item: (item["day"], item["opens"]))


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = dict(fields)
    if "latitude" in cleaned or "longitude" in cleaned:
        if cleaned.get("latitude") is None or cleaned.get("longitude") is None:
            raise ValidationError({"latitude": _("Give both latitude and longitude.")})
        try:
            lat, lon = geo.validate_point(lat=cleaned["latitude"], lon=cleaned["longitude"])
        except geo.GeoError as error:
            raise ValidationError({"latitude": error.messages}) from None
        cleaned["latitude"], cleaned["longitude"] = lat, lon
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
    if "opening_hours" in cleaned:
        cleaned["opening_hours"] = clean_opening_hours(cleaned["opening_hours"])
    for text in ("name", "description", "address", "accessibility", "languages", "phone"):
        if isinstance(cleaned.get(text), str):
            cleaned[text] = cleaned[text].strip()
    return cleaned


def resolve_categories(slugs: Iterable[str]) -> list[Category]:
    """The categories with these slugs; raises ValidationError naming any unknown one."""
    slugs = [slug for slug in dict.fromkeys(slugs) if slug]
    found = {c.slug: c for c in Category.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ValidationError(
            {"categories": _("Unknown category: %(slugs)s.") % {"slugs": ", ".join(unknown)}}
        )
    return [found[slug] for slug in slugs]


def _public_fields(asset: Asset) -> dict[str, Any]:
    return {field: getattr(asset, field) for field in EDITABLE_FIELDS}


@transaction.atomic
def asset_create(
    *,
    actor: Any,
    fields: dict[str, Any],
    categories: Iterable[str] = (),
    status: str = Asset.Status.PENDING,
    source: str = Asset.Source.CONTRIBUTED,
    contributor_name: str = "",
    contributor_email: str = "",
    owner: Any = None,
    is_demo: bool = False,
) -> Asset:
    """Add an asset. Contributions land as pending; only moderators may create it published.

    The zone is derived from the point. Nothing is saved if any field is wrong.
    """
    if status not in {Asset.Status.DRAFT, Asset.Status.PENDING} and not can_moderate_assets(actor):
        raise PermissionDenied(_("Only moderators can publish an asset."))
    cleaned = _clean_fields(fields)
    asset = Asset(
        **cleaned,
        status=status,
        source=source,
        contributor_name=contributor_name.strip(),
        contributor_email=contributor_email.strip(),
        owner=owner,
        is_demo=is_demo,
    )
    _check_publishable(asset)
    asset.zone = zone_for_point(lat=asset.latitude, lon=asset.longitude)
    asset.full_clean()
    category_objects = resolve_categories(categories)
    asset.save()
    asset.categories.set(category_objects)
    audit_record(
        actor=actor,
        verb="asset.create",
        target=asset,
        zone=asset.zone,
        data={"status": asset.status, "source": asset.source},
    )
    return asset


def _check_publishable(asset: Asset) -> None:
    if asset.status == Asset.Status.PUBLISHED and asset.asset_class == Asset.AssetClass.INDIVIDUAL:
        raise ValidationError(
            {"asset_class": _("An individual's skills are kept private and are never published.")}
        )


@transaction.atomic
def asset_update(
    *, asset: Asset, actor: Any, fields: dict[str, Any], categories: Iterable[str] | None = None
) -> Asset:
    """Change an asset directly: moderators always; owners only while it is not yet published.

    An owner's edit to a published asset must go through `asset_suggest_change` instead.
    """
    if not can_edit_asset(actor, asset):
        raise PermissionDenied(_("You cannot edit this asset."))
    if asset.status == Asset.Status.PUBLISHED and not can_moderate_assets(actor):
        raise PermissionDenied(_("Changes to a published asset are checked by a moderator first."))
    cleaned = _clean_fields(fields)
    before = _public_fields(asset)
    for field, value in cleaned.items():
        setattr(asset, field, value)
    if "latitude" in cleaned:
        asset.zone = zone_for_point(lat=asset.latitude, lon=asset.longitude)
    _check_publishable(asset)
    asset.full_clean()
    changed = {k: v for k, v in _public_fields(asset).items() if before[k] != v}
    category_objects = resolve_categories(categories) if categories is not None else None
    asset.save()
    if category_objects is not None:
        old = sorted(asset.categories.values_list("slug", flat=True))
        asset.categories.set(category_objects)
        new = sorted(c.slug for c in category_objects)
        if old != new:
            changed["categories"] = new
    if changed:
        audit_record(
            actor=actor,
            verb="asset.update",
            target=asset,
            zone=asset.zone,
            data={"before": {k: before.get(k) for k in changed if k in before}, "after": changed},
        )
    return asset


@transaction.atomic
def asset_suggest_change(
    *,
    asset: Asset,
    actor: Any,
    changes: dict[str, Any],
    note: str = "",
    contributor_email: str = "",
) -> AssetChange:
    """Record a suggested change to a published asset for a moderator to approve or reject."""
    cleaned = _clean_fields(changes)
    differing = {k: v for k, v in cleaned.items() if getattr(asset, k) != v}
    if not differing and not note.strip():
        raise ValidationError(_("The suggestion does not change anything."))
    change = AssetChange(
        asset=asset,
        changes=_jsonable(differing),
        note=note.strip(),
        suggested_by=actor if getattr(actor, "is_authenticated", False) else None,
        contributor_email=contributor_email.strip(),
    )
    change.full_clean()
    change.save()
    audit_record(
        actor=actor,
        verb="asset.change.suggest",
        target=asset,
        zone=asset.zone,
        data={"fields": sorted(differing)},
    )
    return change


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in values.items()}


@transaction.atomic
def asset_change_decide(
    *, change: AssetChange, actor: Any, approve: bool, reason: str = ""
) -> AssetChange:
    """Apply or turn down a suggested change (moderators only); tells the contributor if asked."""
    if not can_moderate_assets(actor):
        raise PermissionDenied(_("Only moderators can decide on suggested changes."))
    change = AssetChange.objects.select_for_update().get(pk=change.pk)
    if change.status != AssetChange.Status.PENDING:
        raise ValidationError(_("This suggestion has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the suggestion is turned down.")})
    if approve:
        fields = dict(change.changes)
        if fields.get("last_verified"):
            fields["last_verified"] = datetime.date.fromisoformat(fields["last_verified"])
        asset_update(asset=change.asset, actor=actor, fields=fields)
    change.status = AssetChange.Status.APPROVED if approve else AssetChange.Status.REJECTED
    change.reason = reason.strip()
    change.save(update_fields=["status", "reason", "modified"])
    audit_record(
        actor=actor,
        verb="asset.change.approve" if approve else "asset.change.reject",
        target=change.asset,
        zone=change.asset.zone,
        data={"reason": change.reason},
    )
    if change.contributor_email:
        email_after_commit(
            to=change.contributor_email,
            subject=_("Your suggested change to %(name)s") % {"name": change.asset.name},
            body=_("Thank you. A moderator has made your change.")
            if approve
            else _("Thank you. A moderator did not make your change: %(reason)s")
            % {"reason": change.reason},
        )
    return change


@transaction.atomic
def asset_transition(*, asset: Any, actor: Any, action: str, reason: str = "") -> Any:
    """Move an asset or event through the workflow, if the table allows it for this user.

    Locks the row so two moderators acting at once cannot both move it.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(
            _("Unknown action “%(action)s”. Choose one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(TRANSITIONS)}
        )
    model = type(asset)
    asset = model.objects.select_for_update().get(pk=asset.pk)
    if not transition.allowed(actor, asset):
        raise PermissionDenied(_("You cannot do that to this entry."))
    if asset.status not in transition.sources:
        raise ValidationError(
            _("Cannot %(action)s an entry that is %(status)s.")
            % {
                "action": str(transition.label).lower(),
                "status": asset.get_status_display().lower(),
            }
        )
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the contributor will see it.")})
    before = asset.status
    asset.status = transition.target
    if isinstance(asset, Asset):
        _check_publishable(asset)
    asset.save(update_fields=["status", "modified"])
    noun = "asset" if isinstance(asset, Asset) else "event"
    audit_record(
        actor=actor,
        verb=f"{noun}.{action}",
        target=asset,
        zone=asset.zone,
        data={"from": before, "to": asset.status, "reason": reason.strip()},
    )
    if asset.contributor_email and action in {"approve", "reject"}:
        name = getattr(asset, "name", None) or asset.title
        if action == "approve":
            body = _("Thank you. “%(name)s” is now on the People Zones map.") % {"name": name}
        else:
            body = _("Thank you. A moderator did not publish “%(name)s”: %(reason)s") % {
                "name": name,
                "reason": reason.strip(),
            }
        email_after_commit(
            to=asset.contributor_email, subject=_("Your contribution to People Zones"), body=body
        )
    return asset


@transaction.atomic
def asset_flag(
    *, asset: Asset, actor: Any, reason: str, details: str = "", reporter_email: str = ""
) -> Flag:
    """Report a problem with an asset. The asset's status does not change."""
    flag = Flag(
        asset=asset, reason=reason, details=details.strip(), reporter_email=reporter_email.strip()
    )
    flag.full_clean()
    flag.save()
    audit_record(
        actor=actor, verb="asset.flag", target=asset, zone=asset.zone, data={"reason": reason}
    )
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, actor: Any, status: str, resolution: str = "") -> Flag:
    """Close a flag as resolved or dismissed (moderators only)."""
    if not can_moderate_assets(actor):
        raise PermissionDenied(_("Only moderators can close flags."))
    if status not in {Flag.Status.RESOLVED, Flag.Status.DISMISSED}:
        raise ValidationError({"status": _("A flag is closed as resolved or dismissed.")})
    flag.status = status
    flag.resolution = resolution.strip()
    flag.save(update_fields=["status", "resolution", "modified"])
    audit_record(
        actor=actor,
        verb=f"asset.flag.{status}",
        target=flag.asset,
        zone=flag.asset.zone,
        data={"resolution": flag.resolution},
    )
    return flag


@transaction.atomic
def asset_photo_add(*, asset: Asset, actor: Any, upload: Any, alt_text: str) -> AssetPhoto:
    """Attach a photo, re-encoded with all metadata removed; bad files are refused clearly."""
    if not alt_text.strip():
        raise ValidationError({"alt_text": _("Describe the photo for people who cannot see it.")})
    content, width, height = reencode_image(upload)
    photo = AssetPhoto(asset=asset, alt_text=alt_text.strip(), width=width, height=height)
    photo.image.save(content.name, content, save=False)
    photo.save()
    audit_record(actor=actor, verb="asset.photo.add", target=asset, zone=asset.zone)
    return photo


EVENT_FIELDS = (
    "title",
    "description",
    "latitude",
    "longitude",
    "venue",
    "start",
    "end",
    "recurrence",
    "repeat_until",
    "booking_url",
)


@transaction.atomic
def event_create(
    *,
    actor: Any,
    fields: dict[str, Any],
    asset: Asset | None = None,
    zone: Any = None,
    status: str = Asset.Status.PENDING,
    contributor_email: str = "",
    is_demo: bool = False,
) -> Event:
    """Add an event at an asset or at its own point; contributions land as pending."""
    if status not in {Asset.Status.DRAFT, Asset.Status.PENDING} and not can_moderate_assets(actor):
        raise PermissionDenied(_("Only moderators can publish an event."))
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    event = Event(
        **fields, asset=asset, status=status, contributor_email=contributor_email, is_demo=is_demo
    )
    if asset is None and (event.latitude is None or event.longitude is None):
        raise ValidationError({"asset": _("Say where the event is: an asset or a point.")})
    if event.latitude is not None and event.longitude is not None:
        try:
            event.latitude, event.longitude = geo.validate_point(
                lat=event.latitude, lon=event.longitude
            )
        except geo.GeoError as error:
            raise ValidationError({"latitude": error.messages}) from None
    if event.start and event.end and event.end <= event.start:
        raise ValidationError({"end": _("The event must end after it starts.")})
    if event.recurrence != Event.Recurrence.NONE and event.repeat_until is None:
        raise ValidationError({"repeat_until": _("Say until when the event repeats.")})
    event.zone = zone or (
        asset.zone if asset is not None else zone_for_point(lat=event.latitude, lon=event.longitude)
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor, verb="event.create", target=event, zone=event.zone, data={"status": status}
    )
    return event
