from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from peoplezones.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-up/check-your-email/", views.sign_up_done, name="sign-up-done"),
    path("confirm-email/resend/", views.confirm_email_resend, name="confirm-email-resend"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm-email"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html",
            extra_context={"login_url": reverse_lazy("accounts:login")},
        ),
        name="password-reset-complete",
    ),
]
