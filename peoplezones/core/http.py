from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, for rate limits.

    Behind a reverse proxy (TRUST_X_FORWARDED_FOR on) it is the last address in
    X-Forwarded-For: the one our own proxy added, which a client cannot forge.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 (a key, not a bind)


def contribution_limited(request: HttpRequest) -> bool:
    """Per-address limit on what the public sends (assets, reports, suggestions, follows).

    Every page and API endpoint that takes public contributions shares the one count.
    """
    return is_ratelimited(
        request,
        group="public-contribution",
        key="ip",
        rate=settings.PUBLIC_CONTRIBUTION_RATE,
        increment=True,
    )


def account_email_limited(request: HttpRequest) -> bool:
    """Per-address limit on sign-ups and confirmation emails, so the forms cannot be used to
    flood someone's inbox or to make accounts in bulk."""
    return is_ratelimited(
        request,
        group="account-email",
        key="ip",
        rate=settings.SIGN_UP_RATE,
        increment=True,
    )
