"""staff pages of grants (see urls.py), all under /grants/staff/."""

from django.urls import path

from peoplezones.grants.views import (
    staff,
    staff_assessment,
    staff_decisions,
    staff_monitoring,
    staff_rounds,
)

urlpatterns = [
    path("staff/", staff.staff_home, name="staff-home"),
    path("staff/rounds/new/", staff_rounds.round_create, name="staff-round-new"),
    path("staff/rounds/<slug:slug>/", staff.round_detail, name="staff-round"),
    path("staff/rounds/<slug:slug>/edit/", staff_rounds.round_edit, name="staff-round-edit"),
    path("staff/rounds/<slug:slug>/ranking/", staff_decisions.ranking_view, name="staff-ranking"),
    path("staff/rounds/<slug:slug>/decisions/", staff_decisions.decisions, name="staff-decisions"),
    path(
        "staff/rounds/<slug:slug>/decided/",
        staff_decisions.round_decided,
        name="staff-round-decided",
    ),
    path(
        "staff/applications/<str:reference>/",
        staff_assessment.application_detail,
        name="staff-application",
    ),
    path(
        "staff/applications/<str:reference>/move/",
        staff_assessment.application_move,
        name="staff-application-move",
    ),
    path(
        "staff/applications/<str:reference>/message/",
        staff_assessment.application_message,
        name="staff-application-message",
    ),
    path(
        "staff/applications/<str:reference>/conflict/",
        staff_assessment.application_conflict,
        name="staff-application-conflict",
    ),
    path(
        "staff/applications/<str:reference>/score/",
        staff_assessment.application_score,
        name="staff-application-score",
    ),
    path(
        "staff/applications/<str:reference>/decide/",
        staff_assessment.application_decide,
        name="staff-application-decide",
    ),
    path("staff/monitoring/", staff_monitoring.monitoring, name="staff-monitoring"),
    path(
        "staff/monitoring/schedule/",
        staff_monitoring.return_schedule,
        name="staff-return-schedule",
    ),
    path(
        "staff/monitoring/returns/<int:pk>/accept/",
        staff_monitoring.return_accept,
        name="staff-return-accept",
    ),
    path(
        "staff/monitoring/awards/<str:identifier>/close/",
        staff_monitoring.award_close,
        name="staff-award-close",
    ),
]
