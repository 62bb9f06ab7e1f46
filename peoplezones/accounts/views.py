from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from peoplezones.accounts.forms import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    ResendConfirmationForm,
    SignUpForm,
)
from peoplezones.accounts.selectors import (
    user_api_tokens,
    user_programme_roles,
    user_zone_memberships,
)
from peoplezones.accounts.services import (
    EMAIL_CONFIRMATION_MAX_AGE,
    EmailConfirmationError,
    email_confirm,
    email_confirmation_resend,
    email_confirmation_send,
    user_sign_up,
)
from peoplezones.accounts.staff_tools import staff_tools
from peoplezones.assets.permissions import can_moderate_assets
from peoplezones.assets.selectors import owned_asset_list
from peoplezones.audits.permissions import managed_zone_ids
from peoplezones.core.http import account_email_limited


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
            "staff_tools": staff_tools(user),
        },
    )


# Sign-up and email confirmation ---------------------------------------------------------------


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """`next` if it is a page of this site, else nothing."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _too_many() -> str:
    return _("Too many attempts from your address. Try again in an hour.")


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Make an account to apply for a grant; the answer never says whether an address is taken."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET":
        return render(request, "accounts/sign_up.html", {"form": SignUpForm(), "next": next_url})
    form = SignUpForm(request.POST)
    if form.is_valid() and form.is_spam():
        # Pretend it worked: telling a bot what tripped it only teaches it.
        return redirect("accounts:sign-up-done")
    status = 400
    if form.is_valid():
        if account_email_limited(request):
            form.add_error(None, _too_many())
            status = 429
        else:
            data = form.cleaned_data
            user_sign_up(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                base_url=_base_url(request),
                next_url=next_url,
            )
            return redirect("accounts:sign-up-done")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_url}, status=status)


@require_safe
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_up_done.html")


@require_safe
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation email: it marks the address as confirmed."""
    try:
        user, next_url = email_confirm(token=token)
    except EmailConfirmationError as error:
        return render(
            request, "accounts/confirm_email_failed.html", {"reason": error.code}, status=400
        )
    return render(
        request,
        "accounts/confirm_email_done.html",
        {
            "confirmed_user": user,
            "signed_in": request.user.is_authenticated and request.user.pk == user.pk,
            "next": _safe_next(request, next_url),
        },
    )


@require_http_methods(["GET", "POST"])
def confirm_email_resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again: to the signed-in person, or to an address typed in."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = request.user
    signed_in = user.is_authenticated
    form = None if signed_in else ResendConfirmationForm(request.POST or None)
    context = {"form": form, "next": next_url, "signed_in": signed_in}
    if request.method == "GET" or (signed_in and user.email_verified_at is not None):
        return render(request, "accounts/confirm_email_resend.html", context)
    if form is not None and not form.is_valid():
        return render(request, "accounts/confirm_email_resend.html", context, status=400)
    if account_email_limited(request):
        context["limited"] = _too_many()
        if form is not None:
            form.add_error(None, _too_many())
        return render(request, "accounts/confirm_email_resend.html", context, status=429)
    if signed_in:
        email_confirmation_send(user=user, base_url=_base_url(request), next_url=next_url)
        messages.success(
            request,
            _("We have sent a new link to %(email)s. It works for %(days)s days.")
            % {"email": user.email, "days": EMAIL_CONFIRMATION_MAX_AGE.days},
        )
        return redirect(next_url or reverse("accounts:confirm-email-resend"))
    email_confirmation_resend(email=form.cleaned_data["email"], base_url=_base_url(request))
    return redirect("accounts:sign-up-done")
