from django.urls import path

from peoplezones.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("awards/<str:identifier>/", views.award_payments, name="award-payments"),
    path("<int:start_year>/", views.year_detail, name="year-detail"),
    path("<int:start_year>/lines/<int:pk>/", views.line_detail, name="line-detail"),
    path(
        "<int:start_year>/lines/<int:pk>/commitments/",
        views.commitment_create,
        name="commitment-create",
    ),
    path("<int:start_year>/lines/<int:pk>/spend/", views.spend_create, name="spend-create"),
]
