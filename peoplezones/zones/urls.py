from django.urls import path

from peoplezones.zones import views

app_name = "zones"

urlpatterns = [
    path("zones/<slug:slug>/", views.zone_detail, name="zone-detail"),
    path("zones/<slug:slug>/boundary.geojson", views.zone_boundary_geojson, name="zone-boundary"),
]
