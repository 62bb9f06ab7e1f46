from django.urls import path

from peoplezones.assets.openreferral import views

app_name = "openreferral"

# Paths as in the UK profile's OpenAPI document: no trailing slashes below the root.
urlpatterns = [
    path("", views.api_root, name="root"),
    path("services", views.service_list, name="service-list"),
    path("services/<str:item_id>", views.service_detail, name="service-detail"),
    path("service_at_locations", views.service_at_location_list, name="service-at-location-list"),
    path(
        "service_at_locations/<str:item_id>",
        views.service_at_location_detail,
        name="service-at-location-detail",
    ),
    path("taxonomies", views.taxonomy_list, name="taxonomy-list"),
    path("taxonomies/<str:item_id>", views.taxonomy_detail, name="taxonomy-detail"),
    path("taxonomy_terms", views.taxonomy_term_list, name="taxonomy-term-list"),
    path("taxonomy_terms/<str:item_id>", views.taxonomy_term_detail, name="taxonomy-term-detail"),
]
