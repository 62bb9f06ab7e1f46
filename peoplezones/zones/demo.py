"""Demo zones: the three People Zones with their real boundaries, themes and research."""

import csv
import datetime
import json
from pathlib import Path
from typing import TextIO

from peoplezones.zones.models import Zone
from peoplezones.zones.services import (
    research_report_create,
    theme_create,
    theme_update,
    zone_create,
    zone_set_boundary,
    zone_update,
)

ORDER = 10
DESCRIPTION = "Zones, boundaries, research themes and research reports"
DATA = Path(__file__).parent / "demo_data"

DESCRIPTIONS = {
    "bell-foundry": (
        "Streets around the Taylor's bell foundry in east Loughborough, from Moira Street and "
        "Freehold Street to the canal and Nottingham Road."
    ),
    "new-parks": (
        "The New Parks estate in the west of Leicester, one of the city's largest estates of "
        "homes built by the council."
    ),
    "thringstone-whitwick": (
        "The neighbouring villages of Thringstone and Whitwick, near Coalville in North West "
        "Leicestershire."
    ),
}
RESEARCH_PUBLISHED = datetime.date(2023, 3, 31)
RESEARCH_URL = "https://www.peoplezones.co.uk/people-zones"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(*, out: TextIO) -> None:
    """Create or bring up to date the demo zones; a second run changes nothing."""
    boundaries = {
        feature["properties"]["slug"]: feature["geometry"]
        for feature in json.loads((DATA / "zones.geojson").read_text())["features"]
    }
    for row in _read_csv("zones.csv"):
        slug = row["slug"]
        fields = {
            "name": row["name"],
            "local_authority": row["local_authority"],
            "description": DESCRIPTIONS.get(slug, ""),
            "established": int(row["established"]),
            "status": Zone.Status.ACTIVE,
        }
        zone = Zone.objects.filter(slug=slug).first()
        if zone is None:
            zone = zone_create(actor=None, slug=slug, boundary=boundaries.get(slug), **fields)
            out.write(f"  created zone {zone.name}\n")
        else:
            zone_update(zone=zone, actor=None, **fields)
            if slug in boundaries:
                zone_set_boundary(zone=zone, actor=None, geometry=boundaries[slug])
        if not zone.research_reports.exists():
            research_report_create(
                zone=zone,
                actor=None,
                title=f"{zone.name} People Zone Research Report",
                publisher="Mapping for Change",
                published=RESEARCH_PUBLISHED,
                url=RESEARCH_URL,
                summary=(
                    "Community research with residents, groups and services in the zone, "
                    "finished in March 2023. Its findings are the zone's research themes."
                ),
            )

    zones = {zone.slug: zone for zone in Zone.objects.all()}
    for row in _read_csv("themes.csv"):
        zone = zones[row["zone"]]
        order = int(row["order"])
        theme = zone.themes.filter(title=row["theme"]).first()
        if theme is None:
            theme_create(zone=zone, actor=None, title=row["theme"], order=order)
        else:
            theme_update(theme=theme, actor=None, order=order)
