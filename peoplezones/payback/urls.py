from django.urls import path

from peoplezones.payback import views

app_name = "payback"

urlpatterns = [
    path("", views.planner, name="planner"),
    path("facilities/new/", views.facility_create, name="facility-create"),
    path("facilities/from-asset-map/", views.facilities_from_assets, name="facility-copy"),
    path("facilities/<int:pk>/", views.facility_edit, name="facility-edit"),
    path("sites/new/", views.site_create, name="site-create"),
    path("sites/<int:pk>/", views.site_edit, name="site-edit"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/hours/", views.project_hours, name="project-hours"),
    path("projects/<int:pk>/materials/", views.project_materials, name="project-materials"),
]
