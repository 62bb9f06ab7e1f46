"""`{{ amount|gbp }}`: money on pages through the one formatter, `core.money.format_gbp`."""

from decimal import Decimal
from typing import Any

from django import template

from peoplezones.core.money import format_gbp

register = template.Library()


@register.filter
def gbp(value: Any) -> str:
    """£9,740.98 for a Decimal; an empty string for nothing (None or "")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return format_gbp(value)


@register.filter
def gbp_abs(value: Any) -> str:
    """The size of an amount without its sign, e.g. for "£16.00 more than the records"."""
    if value is None or value == "":
        return ""
    return gbp(abs(Decimal(str(value))))
