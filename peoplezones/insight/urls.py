"""Pages of place insight. Paths are full (included at the site root): the public crime section
hangs off its zone (`zones/<slug>/crime/`), the programme team's pages are under `insight/`."""

from django.urls import path

from peoplezones.insight.views import crime, crimestoppers, hotspots

app_name = "insight"

urlpatterns = [
    path("zones/<slug:slug>/crime/", crime.zone_crime, name="zone-crime"),
    path("insight/", crime.dashboard, name="dashboard"),
    path("insight/hotspots/", hotspots.hotspots, name="hotspots"),
    path("insight/hotspots/<int:pk>/", hotspots.hotspot_run, name="hotspot-run"),
    path(
        "insight/hotspots/<int:pk>/status/",
        hotspots.hotspot_run_status,
        name="hotspot-run-status",
    ),
    path(
        "insight/hotspots/<int:pk>/cells.geojson",
        hotspots.hotspot_run_geojson,
        name="hotspot-run-geojson",
    ),
    path("insight/hotspots/<int:pk>/cells.csv", hotspots.hotspot_run_csv, name="hotspot-run-csv"),
    path("insight/harm-weights/", hotspots.harm_weights, name="harm-weights"),
    path("insight/crimestoppers/", crimestoppers.crimestoppers, name="crimestoppers"),
    path(
        "insight/crimestoppers/<slug:slug>/",
        crimestoppers.crimestoppers_zone,
        name="crimestoppers-zone",
    ),
    path(
        "insight/crimestoppers/<slug:slug>/print/",
        crimestoppers.crimestoppers_print,
        name="crimestoppers-print",
    ),
    path(
        "insight/crimestoppers/<slug:slug>/streets.csv",
        crimestoppers.crimestoppers_csv,
        name="crimestoppers-csv",
    ),
    path("insight/theme-crime-types/", crimestoppers.theme_crime_types, name="theme-crime-types"),
    path(
        "insight/theme-crime-types/<slug:slug>/",
        crimestoppers.theme_crime_types_edit,
        name="theme-crime-types-edit",
    ),
]
