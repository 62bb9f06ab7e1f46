from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_safe

from peoplezones.accounts.forms import EmailAuthenticationForm, EmailPasswordResetForm
from peoplezones.accounts.selectors import (
    user_api_tokens,
    user_programme_roles,
    user_zone_memberships,
)
from peoplezones.assets.permissions import can_moderate_assets
from peoplezones.assets.selectors import owned_asset_list
from peoplezones.audits.permissions import managed_zone_ids


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")
    extra_email_context = {"site_name": settings.SITE_NAME}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """What a signed-in person is: their programme roles, zone roles and API tokens."""
    user = request.user
    return render(
        request,
        "accounts/dashboard.html",
        {
            "programme_roles": user_programme_roles(user=user),
            "memberships": user_zone_memberships(user=user),
            "api_tokens": user_api_tokens(user=user),
            "can_moderate": can_moderate_assets(user),
            "owned_assets": owned_asset_list(user=user),
            "manages_issues": managed_zone_ids(user=user) != set(),
        },
    )
