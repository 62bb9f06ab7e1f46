"""The programme team's analysis pages of place insight. Paths are full (included at the root)."""

from django.urls import path

from peoplezones.insight import views_analysis

app_name = "insight_analysis"

urlpatterns = [
    path("insight/impact/", views_analysis.impact, name="impact"),
    path("insight/next-zone/", views_analysis.next_zone_page, name="next-zone"),
    path("insight/next-zone/shortlist.csv", views_analysis.next_zone_csv, name="next-zone-csv"),
]
