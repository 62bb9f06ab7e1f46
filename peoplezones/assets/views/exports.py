"""Open-data downloads of the public asset map: GeoJSON, CSV and KML, per zone and for all zones.

Everything comes from the public serializers, so contributor details never leave the building and
sensitive assets never show their point or street address.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.html import escape
from django.views.decorators.http import require_safe

from peoplezones.assets.models import Asset
from peoplezones.assets.selectors import asset_list
from peoplezones.assets.serializers import asset_properties, feature_collection
from peoplezones.core.csvsafe import csv_safe
from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_list

CSV_COLUMNS = [
    "id",
    "uuid",
    "name",
    "description",
    "asset_class",
    "categories",
    "zone",
    "latitude",
    "longitude",
    "address",
    "postcode",
    "phone",
    "email",
    "website",
    "opening_hours",
    "accessibility",
    "languages",
    "last_verified",
    "url",
]
DAY_ABBREVIATIONS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"


def opening_hours_text(opening_hours: list[dict[str, Any]]) -> str:
    """Opening hours for people: "Mon 09:00-17:00; Tue 10:00-12:00"."""
    periods = sorted(opening_hours, key=lambda item: (item["day"], item["opens"]))
    return "; ".join(
        f"{DAY_ABBREVIATIONS[item['day']]} {item['opens']}-{item['closes']}" for item in periods
    )


def _public_assets(zone: Zone | None) -> Iterable[Asset]:
    # Open data is the same for everyone: a moderator downloading it must not get private rows.
    return asset_list(user=AnonymousUser(), zone=zone)


def _absolute(request: HttpRequest, properties: dict[str, Any]) -> dict[str, Any]:
    return {**properties, "url": request.build_absolute_uri(properties["url"])}


def _geojson(request: HttpRequest, assets: Iterable[Asset], title: str) -> HttpResponse:
    collection = feature_collection(assets, name=title)
    for feature in collection["features"]:
        feature["properties"] = _absolute(request, feature["properties"])
    return HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )


def _csv_row(request: HttpRequest, asset: Asset) -> list[Any]:
    properties = _absolute(request, asset_properties(asset))
    withheld = properties["location_withheld"]
    row = {
        **properties,
        "categories": ";".join(properties["categories"]),
        "zone": properties["zone"] or "",
        "latitude": "" if withheld else asset.latitude,
        "longitude": "" if withheld else asset.longitude,
        "opening_hours": opening_hours_text(properties["opening_hours"]),
        "languages": "; ".join(properties["languages"]),
        "last_verified": properties["last_verified"] or "",
    }
    return [csv_safe(row[column]) for column in CSV_COLUMNS]


def _csv(request: HttpRequest, assets: Iterable[Asset], title: str) -> HttpResponse:
    buffer = io.StringIO()
    # The byte order mark is what makes Excel read the file as UTF-8 rather than Windows-1252.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for asset in assets:
        writer.writerow(_csv_row(request, asset))
    return HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")


def _kml(request: HttpRequest, assets: Iterable[Asset], title: str) -> HttpResponse:
    root = ET.Element("kml", xmlns=KML_NAMESPACE)
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = title
    for asset in assets:
        if asset.sensitive:
            continue
        properties = asset_properties(asset)
        placemark = ET.SubElement(document, "Placemark", id=f"asset-{asset.pk}")
        ET.SubElement(placemark, "name").text = asset.name
        # Earth clients render a description as HTML, so it is HTML-escaped before the XML
        # escaping: whatever a contributor typed shows as text and never runs.
        ET.SubElement(placemark, "description").text = escape(asset.description)
        if properties["address"]:
            ET.SubElement(placemark, "address").text = ", ".join(
                part for part in (properties["address"], properties["postcode"]) if part
            )
        extended = ET.SubElement(placemark, "ExtendedData")
        for key in ("uuid", "categories", "url"):
            value = properties[key]
            if key == "categories":
                value = ";".join(value)
            elif key == "url":
                value = request.build_absolute_uri(value)
            data = ET.SubElement(extended, "Data", name=key)
            ET.SubElement(data, "value").text = value
        point = ET.SubElement(placemark, "Point")
        ET.SubElement(point, "coordinates").text = f"{asset.longitude},{asset.latitude}"
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, content_type="application/vnd.google-earth.kml+xml")


RENDERERS: dict[str, Callable[[HttpRequest, Iterable[Asset], str], HttpResponse]] = {
    "geojson": _geojson,
    "csv": _csv,
    "kml": _kml,
}


@require_safe
def asset_export(request: HttpRequest, fmt: str, slug: str | None = None) -> HttpResponse:
    """Public assets of one zone (or of every zone) as a download in the format asked for."""
    zone = None
    if slug is not None:
        try:
            # Without the themes and reports zone_get loads for the zone page.
            zone = zone_list(user=AnonymousUser()).prefetch_related(None).get(slug=slug)
        except Zone.DoesNotExist:
            raise Http404(f"There is no zone called “{slug}”.") from None
    title = f"{settings.SITE_NAME}: {zone.name if zone else 'all zones'}"
    response = RENDERERS[fmt](request, _public_assets(zone), title)
    filename = f"{zone.slug if zone else 'all-zones'}-assets.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FORMATS = "|".join(RENDERERS)

urlpatterns = [
    re_path(
        rf"^zones/(?P<slug>[-a-zA-Z0-9_]+)/assets\.(?P<fmt>{FORMATS})$",
        asset_export,
        name="export-zone",
    ),
    re_path(rf"^assets/export\.(?P<fmt>{FORMATS})$", asset_export, name="export-all"),
]
