from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi


def site(request: HttpRequest) -> dict:
    """What every page needs: the site's name, languages and map tile settings."""
    language = get_language() or settings.LANGUAGE_CODE
    return {
        "SITE_NAME": settings.SITE_NAME,
        "LANGUAGE_IS_PARTIAL": language in settings.PARTIAL_TRANSLATIONS,
        "LANGUAGE_BIDI": get_language_bidi(),
        "PARTIAL_TRANSLATIONS": settings.PARTIAL_TRANSLATIONS,
        "TILE_URL": settings.TILE_URL,
        "TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION,
    }
