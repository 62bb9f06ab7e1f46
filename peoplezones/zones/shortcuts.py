"""For pages of every app that hang off a zone's address (`/zones/<slug>/...`)."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from peoplezones.zones.models import Zone
from peoplezones.zones.selectors import zone_get


def zone_or_404(*, user: Any, slug: str) -> Zone:
    """The zone this user may see, or a 404 page that names the slug it could not find."""
    try:
        return zone_get(user=user, slug=slug)
    except Zone.DoesNotExist:
        raise Http404(_("There is no zone called “%(slug)s”.") % {"slug": slug}) from None
