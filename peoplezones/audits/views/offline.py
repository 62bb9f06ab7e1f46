"""The offline reporting service worker: the report pages and what they need, kept on the phone.

The worker script is a static file, but it is served from the site root (a service worker can
only control pages at or below its own address) with a short preamble that names what to cache:
the report pages for the categories people can report now and the static files those pages
use, through `static()` so that the hashed names of ManifestStaticFilesStorage are right.
"""

import hashlib
import json
import os

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from peoplezones.audits.models import IssueCategory
from peoplezones.audits.selectors import category_list

WORKER = "js/report-sw.js"
PAGE_SCRIPT = "js/offline-reports.js"
# Everything the report pages load from this site (base.html, _asset_map_scripts.html), plus
# Leaflet's marker images, without which the pin is invisible.
STATIC_FILES = [
    "css/app.css",
    "css/app.rtl.css",
    "img/favicon.svg",
    "vendor/govuk-frontend-6.6.0/govuk-frontend.min.js",
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/leaflet-1.9.4/images/marker-icon.png",
    "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
    "vendor/leaflet-1.9.4/images/marker-shadow.png",
    "vendor/leaflet-1.9.4/images/layers.png",
    "vendor/leaflet-1.9.4/images/layers-2x.png",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
    "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
    "js/asset-map.js",
    PAGE_SCRIPT,
    *[f"img/issue-icons/{icon}.svg" for icon in IssueCategory.Icon.values],
]


def _source(name: str) -> bytes:
    found = finders.find(name)
    if found:
        with open(found, "rb") as file:
            return file.read()
    with staticfiles_storage.open(name) as file:
        return file.read()


def _fingerprint(names: list[str]) -> str:
    """Size and modification time of each source: without hashed names (development), an edit
    to a cached file still changes the worker, so phones fetch the new copy."""
    parts = []
    for name in names:
        found = finders.find(name)
        if found:
            stat = os.stat(found)
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


@require_safe
def report_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, with the list of what to cache in front of it."""
    report_url = reverse("audits:report")
    pages = [report_url] + [
        f"{report_url}?{urlencode({'category': code})}"
        for code in category_list().values_list("code", flat=True)
    ]
    source = _source(WORKER)
    config = {
        "reportPath": report_url,
        "pages": pages,
        "assets": [static(name) for name in STATIC_FILES],
        "pageScript": static(PAGE_SCRIPT),
    }
    digest = hashlib.sha256(
        json.dumps(config, sort_keys=True).encode() + source + _fingerprint(STATIC_FILES).encode()
    ).hexdigest()
    config["version"] = digest[:16]
    preamble = f"self.PZ_OFFLINE = {json.dumps(config)};\n"
    response = HttpResponse(
        preamble.encode() + source, content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check the worker for changes on navigation; never answer from an HTTP cache.
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [path("report-sw.js", report_worker, name="report-sw")]
