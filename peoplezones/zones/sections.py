"""The parts of a zone that other apps add to its page (asset map, events, meetings...).

An app registers a section in its AppConfig.ready(); the zone page links to every section
that is available for that zone and user, so the page never shows a part that does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class ZoneSection:
    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    order: int = 100
    is_available: Callable[[Any, Any], bool] = lambda zone, user: True
    # A line of current facts shown under the link (e.g. "11 members; next meeting 9 December").
    summary: Callable[[Any, Any], str] | None = None

    def url_for(self, zone: Any) -> str:
        return reverse(self.url_name, kwargs={"slug": zone.slug})


_registry: dict[str, ZoneSection] = {}


def register(section: ZoneSection) -> None:
    _registry[section.key] = section


def sections_for(*, zone: Any, user: Any) -> list[dict[str, Any]]:
    """The sections to link to from this zone's page, in order, for this user."""
    return [
        {
            "title": s.title,
            "description": s.description,
            "summary": s.summary(zone, user) if s.summary else "",
            "url": s.url_for(zone),
        }
        for s in sorted(_registry.values(), key=lambda s: (s.order, s.key))
        if s.is_available(zone, user)
    ]
