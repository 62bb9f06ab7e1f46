"""Demo Community Payback plan: welfare facilities copied from the demo asset map, candidate
sites in each zone (some that qualify, some that do not), and the New Parks wellbeing garden
done in 2023/24 with its hours and materials (see docs/payback.md, "Demo data").

Everything goes through the planner's own services, acted by the demo programme officer
(accounts demo, ORDER 20), after the asset map (ORDER 30) and the budget (ORDER 55). The demo
assets are put at random but repeatable points in their zone, so the sites are placed relative
to the facilities, not at fixed coordinates. Running it twice changes nothing: facilities are
copied only when a community hub on the map has none yet, and sites and the project are found
by name before anything is made.
"""

import datetime
import math
from decimal import Decimal
from typing import Any, TextIO

from peoplezones.accounts.models import User
from peoplezones.assets.models import Asset, Category
from peoplezones.assets.selectors import category_with_descendants, public_assets
from peoplezones.core import geo
from peoplezones.payback import rules
from peoplezones.payback.models import PaybackProject, PaybackSite, WelfareFacility
from peoplezones.payback.selectors import as_facility
from peoplezones.payback.services import (
    default_budget_line,
    facilities_from_assets,
    facility_update,
    hours_record,
    materials_record,
    project_create,
    site_create,
)
from peoplezones.zones.models import Zone

ORDER = 57
DESCRIPTION = (
    "Demo Community Payback plan: welfare facilities, candidate sites, the New Parks garden"
)
# Created by the accounts demo (ORDER 20): the planner is for the programme team only.
ACTOR_EMAIL = "programme.team@example.org"
# Community hubs and halls: the demo map's hubs, libraries and centres in the three zones.
CATEGORY = "community-hub"
DEMO_NOTE = "Demo data: "
EARTH_RADIUS_M = 6_371_008.8
# A "far" site is at least this far from every facility open in its sessions (10 minutes at
# 80 m a minute is 800 m): clearly outside the rule, not a near miss.
FAR_M = 1_000.0

# What each copied place has: (toilets, water, shelter, note). Copies are made with nothing
# ticked and then checked one by one, as staff would; places not listed keep nothing ticked.
AMENITIES: dict[str, tuple[bool, bool, bool, str]] = {
    "Cobden Community Hub": (
        True,
        True,
        True,
        "Accessible toilet and a kitchen; the hub is happy to host a payback team in its hours.",
    ),
    "Leicester West Circuit": (
        True,
        True,
        True,
        "The Men's Shed workshop: the accessible toilet is next door. Open only during its "
        "sessions.",
    ),
    "New Parks Library": (True, True, True, "Public toilet and water fountain at the library."),
    "New Parks Church Hall": (
        True,
        True,
        True,
        "Toilets and a kitchen, but the asset map has no opening hours for the hall, so the "
        "planner never counts it as open: ask the church when a team could use it.",
    ),
    "New Parks Knit and Natter": (
        False,
        False,
        False,
        "A group that meets at New Parks Church Hall, not a building: nothing to offer a team.",
    ),
    "New Parks Tenants' and Residents' Association": (
        False,
        False,
        False,
        "A residents' association, not a building: nothing to offer a team.",
    ),
    "Charles Booth Centre": (True, True, True, "Toilets, a kitchen and rooms; open late."),
    "Thringstone Warm Space": (
        True,
        True,
        True,
        "A warm room with hot drinks in the Charles Booth Centre, on its own days.",
    ),
    "Whitwick Library": (True, True, True, "Toilets and water; closed on Mondays."),
    "Whitwick Methodist Church Hall": (
        True,
        True,
        True,
        "Ramp and accessible toilet, but no opening hours on the asset map, so the planner "
        "never counts it as open.",
    ),
}

MON, TUE, WED, THU, FRI, SAT = range(6)


def _t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


# Candidate sites, each placed `metres` from its `anchor` facility on `bearing` (degrees from
# north), turned if need be to stay in the zone; a `far` site also at least FAR_M from every
# facility open in its sessions. Sessions are (weekday, starts, ends).
SITES: list[dict[str, Any]] = [
    {
        "zone": "bell-foundry",
        "name": "Bin store verges, Freehold Street (demo)",
        "description": "Cut back the overgrowth round the bin stores that the lighting audit "
        "walks found hides dealing and antisocial behaviour.",
        "anchor": "Cobden Community Hub",
        "metres": 350,
        "bearing": 60,
        "sessions": [(TUE, "09:30", "12:30"), (THU, "09:30", "12:30")],
    },
    {
        "zone": "bell-foundry",
        "name": "Community mural wall (demo)",
        "description": "Clean and prime a wall for a community mural, if the owner agrees.",
        "anchor": "Cobden Community Hub",
        "metres": 450,
        "bearing": 210,
        "sessions": [(WED, "10:00", "15:00")],
    },
    {
        "zone": "bell-foundry",
        "name": "Canal towpath cut-back (demo)",
        "description": "Clear brambles and litter along the towpath. Too far from the hub, and "
        "nothing is open on Saturdays: this is why the zone needs more welfare places.",
        "anchor": "Cobden Community Hub",
        "metres": 1_300,
        "bearing": 90,
        "far": True,
        "sessions": [(WED, "10:00", "13:00"), (SAT, "13:00", "16:00")],
    },
    {
        "zone": "new-parks",
        "name": "Wellbeing garden, New Parks community hub (demo)",
        "description": "Overgrown, unused land by the community hub at New Parks Centre, made "
        "into a wellbeing garden with raised planters in 2023.",
        "anchor": "New Parks Library",
        "metres": 120,
        "bearing": 135,
        "sessions": [(MON, "10:00", "13:00"), (FRI, "10:00", "13:00")],
    },
    {
        "zone": "new-parks",
        "name": "Aikman Avenue footpaths (demo)",
        "description": "Sweep and edge the footpaths and clear the shrub beds along the avenue.",
        "anchor": "Leicester West Circuit",
        "metres": 300,
        "bearing": 20,
        "sessions": [(TUE, "10:00", "13:00"), (THU, "10:00", "13:00")],
    },
    {
        "zone": "new-parks",
        "name": "Playing fields hedgerow, west New Parks (demo)",
        "description": "Lay the hedge by the playing fields. The church hall nearby has no "
        "opening hours recorded, so it never counts as open and the nearest open facility is "
        "far away.",
        "anchor": "New Parks Church Hall",
        "metres": 300,
        "bearing": 0,
        "far": True,
        "sessions": [(WED, "10:00", "13:00")],
    },
    {
        "zone": "thringstone-whitwick",
        "name": "Whitwick Park path edging (demo)",
        "description": "Edge the paths to the play area and clear the drains along them.",
        "anchor": "Whitwick Library",
        "metres": 300,
        "bearing": 160,
        "sessions": [(TUE, "10:00", "13:00"), (THU, "10:00", "13:00")],
    },
    {
        "zone": "thringstone-whitwick",
        "name": "Thringstone recreation ground bins and benches (demo)",
        "description": "Paint the benches and clear round the litter bins. The Saturday session "
        "starts before any facility opens.",
        "anchor": "Charles Booth Centre",
        "metres": 250,
        "bearing": 300,
        "sessions": [(MON, "09:30", "12:30"), (SAT, "09:00", "12:00")],
    },
    {
        "zone": "thringstone-whitwick",
        "name": "Lane verges, long-term upkeep (demo)",
        "description": "One of the long-term maintenance areas the district council suggested; "
        "no welfare facility is near enough yet.",
        "anchor": "Charles Booth Centre",
        "metres": 1_500,
        "bearing": 200,
        "far": True,
        "sessions": [(MON, "10:00", "14:00")],
    },
]

PROJECT = {
    "site": "Wellbeing garden, New Parks community hub (demo)",
    "title": "Wellbeing garden at the New Parks community hub (demo)",
    "description": "Demo data, after the panel report of 26 July 2023: Community Payback "
    "overhauled overgrown, underused land at the community hub to make a garden for a "
    "Wellbeing Gardening Group open to everyone, with planters for flowers, herbs, fruit and "
    "vegetables and raised planters so that disabled people can garden too. Much of the "
    "planting was donated by residents and the allotment society.",
    "starts_on": datetime.date(2023, 4, 17),
    "ends_on": datetime.date(2023, 6, 30),
}
# (day, hours for the team, people, note): a few of the days worked, not the whole project.
HOURS = [
    (datetime.date(2023, 4, 17), "18.0", 6, "Cleared the overgrown land."),
    (datetime.date(2023, 4, 28), "18.0", 6, "Built the raised planters."),
    (datetime.date(2023, 5, 15), "15.0", 5, "Filled the planters; planted the trees."),
    (datetime.date(2023, 6, 9), "12.0", 4, "Planted flowers, herbs and vegetables; laid paths."),
]
# (what, cost, bought and paid on, reference): £850.00 in all, against 2023/24 Community Payback.
MATERIALS = [
    ("Timber and compost for the raised planters", "520.00", datetime.date(2023, 4, 24), "DEMO-1"),
    ("Trees, flowers and seeds", "330.00", datetime.date(2023, 5, 10), "DEMO-2"),
]


def _offset(*, lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    """The point `metres` from (lat, lon) on `bearing` (degrees clockwise from north), rounded
    to 5 decimals (about a metre)."""
    angle = math.radians(bearing)
    dlat = metres * math.cos(angle) / EARTH_RADIUS_M
    dlon = metres * math.sin(angle) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return round(lat + math.degrees(dlat), 5), round(lon + math.degrees(dlon), 5)


def distance_to_open(
    point: tuple[float, float], sessions: list[rules.Session], facilities: list[rules.Facility]
) -> float:
    """How far the point is from the nearest facility with toilets and water that is open all
    through any of the sessions."""
    distances = [
        geo.haversine_m(lat1=point[0], lon1=point[1], lat2=f.lat, lon2=f.lon)
        for f in facilities
        if f.offers(rules.DEFAULT_NEEDS) and any(rules.is_open(f, s) for s in sessions)
    ]
    return min(distances, default=math.inf)


def place_site(
    spec: dict[str, Any], *, zone: Zone, anchor: WelfareFacility, facilities: list[rules.Facility]
) -> tuple[float, float]:
    """A point inside the zone `spec["metres"]` from the anchor facility: on the spec's bearing
    if that is inside (and, for a far site, at least FAR_M from every facility open in its
    sessions), else turning 15 degrees at a time. Depends only on the facilities, so it is the
    same every load."""
    sessions = [rules.Session(d, _t(s), _t(e)) for d, s, e in spec["sessions"]]
    for turn in range(0, 360, 15):
        point = _offset(
            lat=anchor.latitude,
            lon=anchor.longitude,
            metres=spec["metres"],
            bearing=spec["bearing"] + turn,
        )
        if not zone.contains_point(lat=point[0], lon=point[1]):
            continue
        if spec.get("far") and distance_to_open(point, sessions, facilities) < FAR_M:
            continue
        return point
    raise RuntimeError(f"No point in {zone} fits the demo site {spec['name']!r}.")


def _copy_facilities(actor: User) -> int:
    """Copy the community hubs of the asset map when a demo one has no facility yet, then set
    what each new demo facility has. Returns how many were copied."""
    category = Category.objects.get(slug=CATEGORY)
    missing = (
        public_assets()
        .filter(
            is_demo=True,
            sensitive=False,
            categories__in=category_with_descendants(category),
            welfare_facility__isnull=True,
        )
        .exists()
    )
    if not missing:
        return 0
    result = facilities_from_assets(
        actor=actor, categories=[category], toilets=False, water=False, shelter=False
    )
    demo_assets = set(Asset.objects.filter(is_demo=True).values_list("pk", flat=True))
    for facility in result.added:
        if facility.asset_id not in demo_assets:
            continue  # A real place: staff check it themselves.
        toilets, water, shelter, note = AMENITIES.get(
            facility.name, (False, False, False, "Copied from the asset map; not checked yet.")
        )
        facility_update(
            facility=facility,
            actor=actor,
            zone=facility.zone,
            fields={
                "latitude": facility.latitude,
                "longitude": facility.longitude,
                "has_toilets": toilets,
                "has_water": water,
                "has_shelter": shelter,
                "notes": DEMO_NOTE + note,
            },
        )
    return len(result.added)


def _sites(actor: User) -> int:
    facilities = list(WelfareFacility.objects.select_related("zone"))
    judged = [as_facility(f) for f in facilities]
    zones = {zone.slug: zone for zone in Zone.objects.all()}
    existing = set(PaybackSite.objects.values_list("name", flat=True))
    created = 0
    for spec in SITES:
        if spec["name"] in existing:
            continue
        zone = zones[spec["zone"]]
        anchor = next((f for f in facilities if f.name == spec["anchor"] and f.zone == zone), None)
        if anchor is None:
            raise RuntimeError(f"The demo facility {spec['anchor']!r} is not in {zone}.")
        lat, lon = place_site(spec, zone=zone, anchor=anchor, facilities=judged)
        site_create(
            actor=actor,
            fields={
                "name": spec["name"],
                "latitude": lat,
                "longitude": lon,
                "description": DEMO_NOTE + spec["description"],
            },
            sessions=[(day, _t(starts), _t(ends)) for day, starts, ends in spec["sessions"]],
            zone=zone,
        )
        created += 1
    return created


def _project(actor: User) -> bool:
    """The New Parks garden with its hours and materials; False if it is already there."""
    if PaybackProject.objects.filter(title=PROJECT["title"]).exists():
        return False
    line = default_budget_line(today=PROJECT["starts_on"])
    if line is None:
        raise RuntimeError("The budget demo has no 2023/24 Community Payback line.")
    project = project_create(
        actor=actor,
        site=PaybackSite.objects.get(name=PROJECT["site"]),
        title=PROJECT["title"],
        description=PROJECT["description"],
        starts_on=PROJECT["starts_on"],
        ends_on=PROJECT["ends_on"],
        budget_line=line,
    )
    for worked_on, hours, people, note in HOURS:
        hours_record(
            project=project,
            actor=actor,
            worked_on=worked_on,
            hours=Decimal(hours),
            people=people,
            note=note,
        )
    for description, amount, bought_on, reference in MATERIALS:
        materials_record(
            project=project,
            actor=actor,
            description=description,
            amount=Decimal(amount),
            bought_on=bought_on,
            paid=True,
            reference=reference,
        )
    return True


def load(*, out: TextIO) -> None:
    actor = User.objects.get(email=ACTOR_EMAIL)
    copied = _copy_facilities(actor)
    sites = _sites(actor)
    project = _project(actor)
    out.write(
        f"  {copied} welfare facilities copied from the asset map, {sites} payback sites "
        f"created; the New Parks garden project {'created' if project else 'already there'}\n"
    )
