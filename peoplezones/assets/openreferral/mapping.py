"""How a public asset reads in Open Referral UK (HSDS 3.0 UK profile).

Each asset is one service, provided by an organisation that is the asset itself, at one location.
Ids of the derived records are uuid5 values, so they stay the same from one request to the next
without being stored. Sensitive assets get a location named after their zone only: no point and
no street address. Only the public fields of an asset are read here, never contributor details.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from peoplezones.assets.models import Asset, Category

# Fixed for good: every published id is derived from it, and consumers store those ids.
NAMESPACE = uuid.UUID("d4659c9c-3925-4592-bb2d-f7e5bb259aed")
TAXONOMY_NAME = "People Zones community assets"
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy:people-zones-community-assets")
TAXONOMY_DESCRIPTION = (
    "The categories of the People Zones community asset map: groups, services, places and "
    "businesses that make a neighbourhood strong."
)
HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_ABBREVIATIONS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def category_id(category: Category) -> str:
    return str(uuid.uuid5(NAMESPACE, f"category:{category.slug}"))


def organization_id(asset_uuid: uuid.UUID) -> str:
    return str(uuid.uuid5(asset_uuid, "organization"))


def location_id(asset_uuid: uuid.UUID) -> str:
    return str(uuid.uuid5(asset_uuid, "location"))


def service_at_location_id(asset_uuid: uuid.UUID) -> str:
    return str(uuid.uuid5(asset_uuid, "service_at_location"))


def _derived_id(asset: Asset, name: str) -> str:
    return str(uuid.uuid5(asset.uuid, name))


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    # HSDS leaves out what is unknown; an empty string would fail the `uri` and `email` formats.
    return {key: value for key, value in record.items() if value not in ("", None)}


def api_meta() -> dict[str, str]:
    return {"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


def taxonomy(*, terms: Iterable[Category] | None = None) -> dict[str, Any]:
    """The one taxonomy of the asset map; with `terms`, the full record with its terms."""
    record: dict[str, Any] = {
        "id": str(TAXONOMY_ID),
        "name": TAXONOMY_NAME,
        "description": TAXONOMY_DESCRIPTION,
    }
    if terms is not None:
        record["taxonomy_terms"] = [taxonomy_term(category) for category in terms]
    return record


def taxonomy_term(category: Category) -> dict[str, Any]:
    """A category as a taxonomy term (its parent should be loaded)."""
    record = {
        "id": category_id(category),
        "name": category.name,
        "description": category.description,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": str(TAXONOMY_ID),
        "term": category.name,
        "code": category.slug,
    }
    if category.parent_id and category.parent:
        record["parent_id"] = category_id(category.parent)
    return record


def organization(asset: Asset) -> dict[str, Any]:
    """The asset as its own organisation: community assets rarely have a parent body on record."""
    return {
        "id": organization_id(asset.uuid),
        "name": asset.name,
        "description": asset.description,
        **_without_empty({"email": asset.email, "website": asset.website}),
    }


def service_summary(asset: Asset) -> dict[str, Any]:
    """The one-to-one fields of the service, as in list answers."""
    return {
        "id": str(asset.uuid),
        "organization_id": organization_id(asset.uuid),
        "name": asset.name,
        "description": asset.description,
        **_without_empty(
            {
                "url": asset.website,
                "email": asset.email,
                "assured_date": asset.last_verified.isoformat() if asset.last_verified else None,
            }
        ),
        "status": "active",
        "last_modified": asset.modified.isoformat(),
        "organization": organization(asset),
    }


def service_full(asset: Asset, *, with_locations: bool = True) -> dict[str, Any]:
    """The fully nested service (categories and zone should be prefetched)."""
    service_id = str(asset.uuid)
    record = {
        **service_summary(asset),
        "schedules": schedules(asset),
        "languages": [
            {
                "id": _derived_id(asset, f"language:{name.lower()}"),
                "service_id": service_id,
                "name": name,
            }
            for name in asset.language_list
        ],
        "phones": (
            [{"id": _derived_id(asset, "phone"), "service_id": service_id, "number": asset.phone}]
            if asset.phone
            else []
        ),
        "attributes": [
            {
                "id": _derived_id(asset, f"attribute:{category.slug}"),
                "link_id": service_id,
                "link_entity": "service",
                "taxonomy_term_id": category_id(category),
                "taxonomy_term": taxonomy_term(category),
            }
            for category in asset.categories.all()
        ],
    }
    if with_locations:
        record["service_at_locations"] = [
            {
                "id": service_at_location_id(asset.uuid),
                "service_id": service_id,
                "location_id": location_id(asset.uuid),
                "location": location_full(asset),
            }
        ]
    return record


def schedules(asset: Asset) -> list[dict[str, Any]]:
    """Weekly schedules, one per distinct opening period, listing the days it applies to."""
    days_by_period: dict[tuple[str, str], list[int]] = {}
    for item in sorted(asset.opening_hours, key=lambda item: (item["day"], item["opens"])):
        days_by_period.setdefault((item["opens"], item["closes"]), []).append(item["day"])
    return [
        {
            "id": _derived_id(asset, f"schedule:{opens}-{closes}"),
            "service_id": str(asset.uuid),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ",".join(BYDAY[day] for day in days),
            "opens_at": f"{opens}:00",
            "closes_at": f"{closes}:00",
            "description": f"{', '.join(DAY_ABBREVIATIONS[day] for day in days)} {opens}-{closes}",
        }
        for (opens, closes), days in days_by_period.items()
    ]


def _zone_name(asset: Asset) -> str:
    return asset.zone.name if asset.zone_id and asset.zone else ""


def location_summary(asset: Asset) -> dict[str, Any]:
    """The location's one-to-one fields; a sensitive asset's names only its zone."""
    record: dict[str, Any] = {"id": location_id(asset.uuid), "location_type": "physical"}
    if asset.sensitive:
        zone = _zone_name(asset)
        record["name"] = zone or "Location withheld"
        record["description"] = (
            f"The exact location is withheld to keep people safe. It is in {zone}."
            if zone
            else "The exact location is withheld to keep people safe."
        )
        return record
    record["name"] = asset.name
    record["latitude"] = asset.latitude
    record["longitude"] = asset.longitude
    return record


def location_full(asset: Asset) -> dict[str, Any]:
    record = location_summary(asset)
    if not asset.sensitive and (asset.address or asset.postcode):
        record["addresses"] = [_address(asset)]
    if asset.accessibility:
        record["accessibility"] = [
            {
                "id": _derived_id(asset, "accessibility"),
                "location_id": record["id"],
                "description": asset.accessibility,
            }
        ]
    return record


def _address(asset: Asset) -> dict[str, Any]:
    # Addresses are one free-text line ("1 Example Road, Leicester"): the last part is the town.
    parts = [part.strip() for part in asset.address.split(",") if part.strip()]
    street, city = (", ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (asset.address, "")
    return {
        "id": _derived_id(asset, "address"),
        "location_id": location_id(asset.uuid),
        "address_1": street,
        "city": city,
        "state_province": "",
        "postal_code": asset.postcode,
        "country": "GB",
        "address_type": "physical",
    }


def service_at_location_summary(asset: Asset) -> dict[str, Any]:
    return {
        "id": service_at_location_id(asset.uuid),
        "service_id": str(asset.uuid),
        "location_id": location_id(asset.uuid),
        "location": location_summary(asset),
        "service": service_summary(asset),
    }


def service_at_location_full(asset: Asset) -> dict[str, Any]:
    return {
        **service_at_location_summary(asset),
        "location": location_full(asset),
        "service": service_full(asset, with_locations=False),
    }
