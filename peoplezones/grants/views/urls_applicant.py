"""applicant pages of grants (see urls.py)."""

from django.urls import path

from peoplezones.grants.views import applicant

urlpatterns: list = [
    path("rounds/<slug:slug>/apply/", applicant.apply, name="apply"),
    path("applications/", applicant.my_applications, name="my-applications"),
    path(
        "applications/<str:reference>/",
        applicant.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<str:reference>/edit/",
        applicant.application_edit,
        name="application-edit",
    ),
    path(
        "applications/<str:reference>/messages/",
        applicant.application_message,
        name="application-message",
    ),
    path(
        "applications/<str:reference>/withdraw/",
        applicant.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<str:reference>/returns/<int:pk>/",
        applicant.return_submit,
        name="return-submit",
    ),
]
