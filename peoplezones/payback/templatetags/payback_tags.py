"""Small formatters for the payback pages: distances, walking times and opening hours."""

import math
from typing import Any

from django import template
from django.utils.translation import gettext as _

from peoplezones.assets.views.exports import opening_hours_text
from peoplezones.payback.rules import Rule, tenths_up

register = template.Library()


@register.filter
def metres(value: float | None) -> str:
    """1234.5 -> "1,235 m"; an unreachable (infinite) distance -> "not reachable"."""
    if value is None:
        return "–"
    if math.isinf(value):
        return _("not reachable")
    return _("%(metres)s m") % {"metres": f"{value:,.0f}"}


@register.simple_tag
def walk_minutes(value: float | None, rule: Rule) -> str:
    """A distance as minutes' walk at the rule's pace, rounded up to a tenth: "6.3 min"."""
    if value is None:
        return "–"
    if math.isinf(value):
        return _("not reachable")
    return _("%(minutes)s min") % {"minutes": f"{tenths_up(rule.walk_minutes(value)):.1f}"}


@register.filter
def hours_text(opening_hours: list[dict[str, Any]]) -> str:
    return opening_hours_text(opening_hours or []) or _("No opening hours recorded")


@register.filter
def km(value: float | None) -> str:
    """Metres as kilometres to one decimal: 12345.0 -> "12.3"."""
    return "–" if value is None else f"{value / 1000:,.1f}"
