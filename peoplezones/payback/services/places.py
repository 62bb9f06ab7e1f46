"""Writes of the planner's places: welfare facilities (by hand or copied from the asset map),
and candidate sites with their weekly sessions."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peoplezones.assets.models import Category
from peoplezones.assets.selectors import category_with_descendants, public_assets
from peoplezones.assets.services import clean_opening_hours
from peoplezones.core import geo
from peoplezones.core.services import audit_record
from peoplezones.payback.models import (
    PaybackSession,
    PaybackSite,
    WelfareFacility,
)
from peoplezones.payback.permissions import require_planner
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_for_point

FACILITY_FIELDS = (
    "name",
    "latitude",
    "longitude",
    "has_toilets",
    "has_water",
    "has_shelter",
    "opening_hours",
    "always_open",
    "notes",
)
SITE_FIELDS = ("name", "latitude", "longitude", "description")


def _clean_point(fields: dict[str, Any]) -> None:
    if fields.get("latitude") is None or fields.get("longitude") is None:
        raise ValidationError(
            {"latitude": _("Give both latitude and longitude, or click the map.")}
        )
    try:
        fields["latitude"], fields["longitude"] = geo.validate_point(
            lat=fields["latitude"], lon=fields["longitude"]
        )
    except geo.GeoError as error:
        raise ValidationError({"latitude": error.messages}) from None


def _clean(fields: dict[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = dict(fields)
    _clean_point(cleaned)
    for text in ("name", "description", "notes"):
        if isinstance(cleaned.get(text), str):
            cleaned[text] = cleaned[text].strip()
    if "opening_hours" in cleaned:
        cleaned["opening_hours"] = clean_opening_hours(cleaned["opening_hours"])
    return cleaned


def _changes(obj: Any, cleaned: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in cleaned.items() if getattr(obj, key) != value}


@transaction.atomic
def facility_create(
    *, actor: Any, fields: dict[str, Any], zone: Zone | None = None
) -> WelfareFacility:
    """Add a welfare facility; its zone is the one chosen, or else the zone its point is in."""
    require_planner(actor)
    cleaned = _clean(fields, FACILITY_FIELDS)
    facility = WelfareFacility(**cleaned)
    facility.zone = zone or zone_for_point(lat=facility.latitude, lon=facility.longitude)
    facility.full_clean()
    facility.save()
    audit_record(actor=actor, verb="payback.facility_created", target=facility, zone=facility.zone)
    return facility


@transaction.atomic
def facility_update(
    *, facility: WelfareFacility, actor: Any, fields: dict[str, Any], zone: Zone | None = None
) -> WelfareFacility:
    """Change a facility (a copy of an asset may be changed too: copying again keeps the
    toilets, water and shelter entered here)."""
    require_planner(actor)
    cleaned = _clean(fields, FACILITY_FIELDS)
    changed = _changes(facility, cleaned)
    for key, value in cleaned.items():
        setattr(facility, key, value)
    new_zone = zone or zone_for_point(lat=facility.latitude, lon=facility.longitude)
    if new_zone != facility.zone:
        changed["zone"] = new_zone.slug if new_zone else None
    facility.zone = new_zone
    facility.full_clean()
    facility.save()
    if changed:
        audit_record(
            actor=actor,
            verb="payback.facility_changed",
            target=facility,
            zone=facility.zone,
            data={"fields": sorted(changed)},
        )
    return facility


@dataclass
class CopyResult:
    """What copying facilities from the asset map did."""

    added: list[WelfareFacility] = field(default_factory=list)
    updated: list[WelfareFacility] = field(default_factory=list)
    unchanged: int = 0


@transaction.atomic
def facilities_from_assets(
    *,
    actor: Any,
    categories: Iterable[Category],
    toilets: bool,
    water: bool,
    shelter: bool,
    zone: Zone | None = None,
) -> CopyResult:
    """Copy the published assets of these categories (and their sub-categories) as welfare
    facilities: name, point, zone and opening hours. Assets copied before are updated, keeping
    what was entered here about toilets, water and shelter; new ones get `toilets`, `water`
    and `shelter`. Sensitive assets (a refuge, say) are never copied.
    """
    require_planner(actor)
    category_ids = sorted({cid for c in categories for cid in category_with_descendants(c)})
    if not category_ids:
        raise ValidationError({"categories": _("Choose at least one category.")})
    assets = (
        public_assets()
        .filter(sensitive=False, categories__in=category_ids)
        .distinct()
        .select_related("welfare_facility")
        .order_by("name", "pk")
    )
    if zone is not None:
        assets = assets.filter(zone=zone)
    result = CopyResult()
    for asset in assets:
        values = {
            "name": asset.name[:200],
            "latitude": asset.latitude,
            "longitude": asset.longitude,
            "zone": asset.zone,
            "opening_hours": asset.opening_hours or [],
        }
        facility = getattr(asset, "welfare_facility", None)
        if facility is None:
            facility = WelfareFacility(
                asset=asset, has_toilets=toilets, has_water=water, has_shelter=shelter, **values
            )
            facility.full_clean()
            facility.save()
            result.added.append(facility)
            continue
        changed = [key for key, value in values.items() if getattr(facility, key) != value]
        if not changed:
            result.unchanged += 1
            continue
        for key in changed:
            setattr(facility, key, values[key])
        facility.full_clean()
        facility.save(update_fields=[*changed, "modified"])
        result.updated.append(facility)
    audit_record(
        actor=actor,
        verb="payback.facilities_copied",
        zone=zone,
        data={
            "categories": category_ids,
            "added": [f.pk for f in result.added],
            "updated": [f.pk for f in result.updated],
            "unchanged": result.unchanged,
        },
    )
    return result


def _clean_sessions(
    sessions: Iterable[tuple[int, datetime.time, datetime.time]],
) -> list[tuple[int, datetime.time, datetime.time]]:
    cleaned = []
    for weekday, starts, ends in sessions:
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError({"sessions": _("A day must be Monday to Sunday.")})
        if ends <= starts:
            raise ValidationError(
                {
                    "sessions": _("A session must end after it starts (%(starts)s–%(ends)s).")
                    % {"starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"}
                }
            )
        if (weekday, starts, ends) not in cleaned:
            cleaned.append((weekday, starts, ends))
    return sorted(cleaned)


def _set_sessions(
    site: PaybackSite, sessions: list[tuple[int, datetime.time, datetime.time]]
) -> bool:
    before = sorted(site.sessions.values_list("weekday", "starts", "ends"))
    if before == sessions:
        return False
    site.sessions.all().delete()
    PaybackSession.objects.bulk_create(
        [PaybackSession(site=site, weekday=d, starts=s, ends=e) for d, s, e in sessions]
    )
    return True


@transaction.atomic
def site_create(
    *,
    actor: Any,
    fields: dict[str, Any],
    sessions: Iterable[tuple[int, datetime.time, datetime.time]] = (),
    zone: Zone | None = None,
) -> PaybackSite:
    """Add a candidate site with its weekly sessions (day, start, end)."""
    require_planner(actor)
    cleaned = _clean(fields, SITE_FIELDS)
    session_list = _clean_sessions(sessions)
    site = PaybackSite(**cleaned)
    site.zone = zone or zone_for_point(lat=site.latitude, lon=site.longitude)
    site.full_clean()
    site.save()
    _set_sessions(site, session_list)
    audit_record(
        actor=actor,
        verb="payback.site_created",
        target=site,
        zone=site.zone,
        data={"sessions": len(session_list)},
    )
    return site


@transaction.atomic
def site_update(
    *,
    site: PaybackSite,
    actor: Any,
    fields: dict[str, Any],
    sessions: Iterable[tuple[int, datetime.time, datetime.time]],
    zone: Zone | None = None,
) -> PaybackSite:
    """Change a site and replace its sessions with `sessions`."""
    require_planner(actor)
    cleaned = _clean(fields, SITE_FIELDS)
    session_list = _clean_sessions(sessions)
    changed = _changes(site, cleaned)
    for key, value in cleaned.items():
        setattr(site, key, value)
    new_zone = zone or zone_for_point(lat=site.latitude, lon=site.longitude)
    if new_zone != site.zone:
        changed["zone"] = new_zone.slug if new_zone else None
    site.zone = new_zone
    site.full_clean()
    site.save()
    if _set_sessions(site, session_list):
        changed["sessions"] = len(session_list)
    if changed:
        audit_record(
            actor=actor,
            verb="payback.site_changed",
            target=site,
            zone=site.zone,
            data={"fields": sorted(changed)},
        )
    return site
