"""Every write to zones, themes and research reports goes through here."""

import datetime
from typing import Any

from django.db import transaction

from peoplezones.core import geo
from peoplezones.core.services import audit_record
from peoplezones.zones.models import ResearchReport, Theme, Zone

ZONE_FIELDS = ("name", "slug", "local_authority", "description", "established", "status")


def _apply_boundary(zone: Zone, geometry: object | None) -> None:
    if geometry is None:
        zone.boundary = None
        zone.min_lon = zone.min_lat = zone.max_lon = zone.max_lat = None
        return
    zone.boundary = geo.validate_geometry(geometry)
    zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat = geo.geometry_bbox(zone.boundary)


@transaction.atomic
def zone_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    local_authority: str,
    description: str = "",
    established: int | None = None,
    status: str = Zone.Status.ACTIVE,
    boundary: object | None = None,
) -> Zone:
    """Create a zone; a boundary, if given, is validated and its bbox derived."""
    zone = Zone(
        name=name,
        slug=slug,
        local_authority=local_authority,
        description=description,
        established=established,
        status=status,
    )
    _apply_boundary(zone, boundary)
    zone.full_clean()
    zone.save()
    audit_record(actor=actor, verb="zone.create", target=zone, zone=zone, data={"slug": slug})
    return zone


@transaction.atomic
def zone_save(*, zone: Zone, actor: Any, changed: list[str]) -> Zone:
    """Save a zone edited as a whole (the admin form): re-derive its bbox and record it."""
    created = zone.pk is None
    _apply_boundary(zone, zone.boundary)
    zone.full_clean()
    zone.save()
    audit_record(
        actor=actor,
        verb="zone.create" if created else "zone.update",
        target=zone,
        zone=zone,
        data={"changed": changed},
    )
    return zone


@transaction.atomic
def zone_update(*, zone: Zone, actor: Any, **changes: Any) -> Zone:
    """Change a zone's plain fields; records what changed. Unchanged values write nothing."""
    unknown = set(changes) - set(ZONE_FIELDS)
    if unknown:
        raise TypeError(f"zone_update() got unexpected fields: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(zone, k) != v}
    if not changed:
        return zone
    before = {k: getattr(zone, k) for k in changed}
    for field, value in changed.items():
        setattr(zone, field, value)
    zone.full_clean()
    zone.save(update_fields=[*changed, "modified"])
    audit_record(
        actor=actor,
        verb="zone.update",
        target=zone,
        zone=zone,
        data={"before": before, "after": changed},
    )
    return zone


@transaction.atomic
def zone_set_boundary(*, zone: Zone, actor: Any, geometry: object) -> Zone:
    """Validate a GeoJSON area and store it as the zone's boundary (with its bbox).

    Raises `core.geo.GeoError` with a clear message and writes nothing when the area is bad.
    """
    previous = zone.boundary
    _apply_boundary(zone, geometry)
    if zone.boundary == previous:
        return zone
    zone.save(update_fields=["boundary", "min_lon", "min_lat", "max_lon", "max_lat", "modified"])
    audit_record(
        actor=actor,
        verb="zone.boundary.set",
        target=zone,
        zone=zone,
        data={"bbox": list(zone.bbox or ())},
    )
    return zone


@transaction.atomic
def theme_create(
    *, zone: Zone, actor: Any, title: str, description: str = "", order: int | None = None
) -> Theme:
    """Add a research theme to a zone; without an order it goes last."""
    if order is None:
        last = zone.themes.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    theme = Theme(zone=zone, title=title, description=description, order=order)
    theme.full_clean()
    theme.save()
    audit_record(actor=actor, verb="theme.create", target=theme, zone=zone, data={"title": title})
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, actor: Any, **changes: Any) -> Theme:
    """Change a theme's title, description or order."""
    unknown = set(changes) - {"title", "description", "order"}
    if unknown:
        raise TypeError(f"theme_update() got unexpected fields: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(theme, k) != v}
    if not changed:
        return theme
    for field, value in changed.items():
        setattr(theme, field, value)
    theme.full_clean()
    theme.save(update_fields=[*changed, "modified"])
    audit_record(actor=actor, verb="theme.update", target=theme, zone=theme.zone, data=changed)
    return theme


@transaction.atomic
def research_report_create(
    *,
    zone: Zone,
    actor: Any,
    title: str,
    publisher: str,
    published: datetime.date | None = None,
    url: str = "",
    summary: str = "",
) -> ResearchReport:
    """Record a published research report about a zone."""
    report = ResearchReport(
        zone=zone, title=title, publisher=publisher, published=published, url=url, summary=summary
    )
    report.full_clean()
    report.save()
    audit_record(
        actor=actor, verb="research_report.create", target=report, zone=zone, data={"title": title}
    )
    return report
