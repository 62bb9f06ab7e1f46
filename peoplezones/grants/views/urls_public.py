"""public pages of grants (see urls.py)."""

from django.urls import path

from peoplezones.grants.views import public

urlpatterns = [
    path("", public.round_list, name="round-list"),
    path("rounds/<slug:slug>/", public.round_detail, name="round-detail"),
    path("rounds/<slug:slug>/funding/", public.round_funding, name="round-funding"),
    path("funding/", public.funding, name="funding"),
    path("zones/<slug:slug>/", public.zone_grants, name="zone-grants"),
    path("awards/", public.award_list, name="award-list"),
    path("awards/<str:identifier>/", public.award_detail, name="award-detail"),
    path("360giving.json", public.open_data_json, name="open-data-json"),
    path("360giving.csv", public.open_data_csv, name="open-data-csv"),
]
