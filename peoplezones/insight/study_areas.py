"""The study areas of hotspot analyses: a zone, a local authority district or the force area.

Reads only. Boundaries come back in British National Grid metres, ready for the grid.
"""

from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from peoplezones.insight import crime_store
from peoplezones.insight import hotspots as engine
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.models import ReferenceArea
from peoplezones.zones.models import Zone


@dataclass
class StudyArea:
    """The resolved area: its label, its zone (if it is one) and its boundary in BNG metres."""

    key: str
    label: str
    boundary: BaseGeometry
    zone: Zone | None = None


def study_area(key: str, *, buffer: int = 0) -> StudyArea:
    """The boundary (BNG metres) of "force", "zone:<slug>" or "lad:<code>", buffered if asked.

    The force area is the union of every local authority district with a boundary; with none
    imported, the convex hull of every crime point stored.
    """
    kind, _colon, name = key.strip().partition(":")
    kind = kind.lower()
    name = name.strip()
    if kind == "force" and not name:
        area = _force_area()
    elif kind == "zone" and name:
        area = _zone_area(name)
    elif kind == "lad" and name:
        area = _lad_area(name)
    else:
        raise HotspotError(
            _(
                "“%(key)s” is not an area: give force, zone:<slug> (e.g. zone:new-parks) or "
                "lad:<code> (e.g. lad:E06000016)."
            )
            % {"key": key}
        )
    if buffer:
        area.boundary = area.boundary.buffer(buffer)
        area.label = _("%(area)s with a %(buffer)s m buffer") % {
            "area": area.label,
            "buffer": buffer,
        }
    return area


def _zone_area(slug: str) -> StudyArea:
    zone = Zone.objects.filter(slug=slug).first()
    if zone is None:
        known = ", ".join(Zone.objects.order_by("slug").values_list("slug", flat=True)) or _("none")
        raise HotspotError(
            _("There is no zone “%(slug)s”. Zones: %(known)s.") % {"slug": slug, "known": known}
        )
    if not zone.boundary:
        raise HotspotError(
            _("The zone “%(zone)s” has no boundary to analyse.") % {"zone": zone.name}
        )
    return StudyArea(
        key=f"zone:{zone.slug}",
        label=zone.name,
        boundary=engine.geometry_to_bng(shape(zone.boundary)),
        zone=zone,
    )


def _lad_area(code: str) -> StudyArea:
    code = code.upper()
    area = ReferenceArea.objects.filter(kind=ReferenceArea.Kind.LAD, code=code).first()
    if area is None:
        known = ", ".join(
            f"{item.code} {item.name}".strip()
            for item in ReferenceArea.objects.filter(
                kind=ReferenceArea.Kind.LAD, geometry__isnull=False
            ).order_by("code")
        )
        raise HotspotError(
            _("There is no local authority district “%(code)s”.") % {"code": code}
            + " "
            + (
                _("Districts with boundaries: %(known)s.") % {"known": known}
                if known
                else _("Import some first with manage.py import_areas.")
            )
        )
    if not area.geometry:
        raise HotspotError(
            _("The district %(area)s has no boundary: import one with manage.py import_areas.")
            % {"area": area}
        )
    return StudyArea(
        key=f"lad:{area.code}",
        label=area.name or area.code,
        boundary=engine.geometry_to_bng(shape(area.geometry)),
    )


def _force_area() -> StudyArea:
    districts = [
        shape(geometry)
        for geometry in ReferenceArea.objects.filter(
            kind=ReferenceArea.Kind.LAD, geometry__isnull=False
        ).values_list("geometry", flat=True)
    ]
    if districts:
        return StudyArea(
            key="force",
            label=ngettext(
                "the force area (%(count)s district)",
                "the force area (%(count)s districts)",
                len(districts),
            )
            % {"count": len(districts)},
            boundary=engine.geometry_to_bng(shapely.union_all(districts)),
        )
    located = crime_store.crime_frame(located=True)
    points = np.unique(
        np.column_stack(
            [located["latitude"].to_numpy(dtype=float), located["longitude"].to_numpy(dtype=float)]
        ),
        axis=0,
    ).reshape(-1, 2)
    easting, northing = engine.lat_lon_to_bng(points[:, 0], points[:, 1])
    hull = shapely.MultiPoint(np.column_stack([easting, northing])).convex_hull
    if hull.area == 0:
        raise HotspotError(
            _(
                "The force area cannot be worked out: no district boundaries are imported and "
                "there are too few crime points. Import districts with manage.py import_areas."
            )
        )
    return StudyArea(key="force", label=_("the force area (extent of all crimes)"), boundary=hull)
