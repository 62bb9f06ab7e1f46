"""Money: amounts are Decimal pounds sterling with two places (pence), never floats."""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["GBP_MAX", "GBP_ZERO", "MoneyError", "format_gbp", "parse_gbp", "plain_pounds"]

GBP_ZERO = Decimal("0.00")
GBP_MAX = Decimal("1000000000.00")
_PENNY = Decimal("0.01")

# Currency marks around the figures: "£", "GBP" (any case), with optional spaces.
_CURRENCY_PREFIX = re.compile(r"^(?:£|gbp(?![a-z]))\s*", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"(?<![a-z])\s*gbp$", re.IGNORECASE)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_MINUS_SIGNS = ("-", "\u2212", "\u2013")
_OTHER_CURRENCIES = "$€¥"


class MoneyError(ValidationError):
    """An amount of money that cannot be used; the message says what is wrong with it."""


def _show(value: str) -> str:
    """Quote someone's input in a message without letting a huge value flood it."""
    return value if len(value) <= 40 else value[:39] + "…"


def _not_figures(shown: str) -> MoneyError:
    return MoneyError(
        _("“%(value)s” is not an amount of money: write it in figures, for example £1,250.00."),
        code="not_a_number",
        params={"value": shown},
    )


def _negative(shown: str) -> MoneyError:
    return MoneyError(
        _("“%(value)s” is a negative amount; only amounts of zero or more can be used."),
        code="negative",
        params={"value": shown},
    )


def _check_range(amount: Decimal, *, shown: str) -> Decimal:
    """Reject negative and absurdly large amounts, then give the amount exactly two places."""
    if amount < 0:
        raise _negative(shown)
    if amount > GBP_MAX:
        raise MoneyError(
            _("“%(value)s” is too large: amounts cannot be over £1,000,000,000.00."),
            code="too_large",
            params={"value": shown},
        )
    # Adding zero turns a negative zero ("-0.00") into a plain zero.
    return amount.quantize(_PENNY) + GBP_ZERO


def _parse_decimal(value: Decimal) -> Decimal:
    shown = _show(str(value))
    if not value.is_finite():
        raise MoneyError(
            _("“%(value)s” is not an amount of money."),
            code="not_a_number",
            params={"value": shown},
        )
    if GBP_ZERO <= value <= GBP_MAX and value != value.quantize(_PENNY):
        raise MoneyError(
            _("“%(value)s” has more than two decimal places (pence)."),
            code="too_many_decimal_places",
            params={"value": shown},
        )
    return _check_range(value, shown=shown)


def _parse_text(value: str) -> Decimal:
    text = value.strip()
    shown = _show(text)
    if not text:
        raise MoneyError(_("No amount was given."), code="empty")
    # Amounts copied from a sentence often carry its full stop ("a grant of £9,740.98.").
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    if not text:
        raise _not_figures(shown)
    if text.startswith("(") and text.endswith(")"):
        # Accountants write negative amounts in brackets.
        raise _negative(shown)
    if text.startswith(_MINUS_SIGNS):
        text = text[1:].lstrip()
        negative = True
    else:
        negative = False
    if _CURRENCY_PREFIX.match(text):
        text = _CURRENCY_PREFIX.sub("", text, count=1)
    elif _CURRENCY_SUFFIX.search(text):
        text = _CURRENCY_SUFFIX.sub("", text, count=1)
    if text.startswith(_MINUS_SIGNS):
        text = text[1:].lstrip()
        negative = True
    if negative:
        raise _negative(shown)
    if any(mark in text for mark in _OTHER_CURRENCIES):
        raise MoneyError(
            _("“%(value)s” is not in pounds sterling; amounts must be in pounds (£)."),
            code="wrong_currency",
            params={"value": shown},
        )
    if not text or any(char.isalpha() for char in text):
        raise _not_figures(shown)
    if text.count(".") > 1:
        raise MoneyError(
            _("“%(value)s” has more than one decimal point."),
            code="multiple_decimal_points",
            params={"value": shown},
        )
    whole, point, pence = text.partition(".")
    if pence and not _DIGITS.fullmatch(pence):
        raise MoneyError(
            _("“%(value)s” is not an amount of money: the pence must be digits only."),
            code="invalid",
            params={"value": shown},
        )
    if len(pence) > 2:
        raise MoneyError(
            _("“%(value)s” has more than two decimal places (pence)."),
            code="too_many_decimal_places",
            params={"value": shown},
        )
    if point and not pence:
        raise MoneyError(
            _("“%(value)s” ends with a decimal point but no pence."),
            code="invalid",
            params={"value": shown},
        )
    if "," in whole:
        if not _GROUPED.fullmatch(whole):
            raise MoneyError(
                _(
                    "“%(value)s” has misplaced commas: commas must separate thousands "
                    "(as in 9,135.00), and pence follow a full stop."
                ),
                code="misplaced_thousands_separator",
                params={"value": shown},
            )
        whole = whole.replace(",", "")
    if (whole and not _DIGITS.fullmatch(whole)) or not (whole or pence):
        raise _not_figures(shown)
    # Only ASCII digits are left, so Decimal cannot fail here.
    return _check_range(Decimal(f"{whole or '0'}.{pence or '0'}"), shown=shown)


def parse_gbp(value: str | int | Decimal) -> Decimal:
    """Read an amount of pounds from messy text (e.g. "£9,740.98."), an int or a Decimal.

    Returns a Decimal with exactly two places; raises MoneyError saying what is wrong.
    """
    if isinstance(value, float):
        raise TypeError(
            "Money must not be a float (floats cannot hold pence exactly); pass a str or Decimal."
        )
    if isinstance(value, bool):
        raise TypeError("Money must be a str, int or Decimal, not a bool.")
    if value is None:
        raise MoneyError(_("No amount was given."), code="empty")
    if isinstance(value, Decimal):
        return _parse_decimal(value)
    if isinstance(value, int):
        return _check_range(Decimal(value), shown=_show(str(value)))
    if isinstance(value, str):
        return _parse_text(value)
    raise TypeError(f"Money must be a str, int or Decimal, not {type(value).__name__}.")


def format_gbp(amount: Decimal) -> str:
    """Show an amount as pounds with thousands separators and pence: "£9,740.98"."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"format_gbp() needs a Decimal, not {type(amount).__name__}.")
    if not amount.is_finite():
        raise ValueError(f"format_gbp() cannot show {amount!r} as money.")
    with localcontext() as context:
        # Room for every digit, so quantizing never fails however large the amount.
        context.prec = max(context.prec, amount.adjusted() + 4)
        pence = amount.quantize(_PENNY, rounding=ROUND_HALF_UP) + GBP_ZERO
    if pence < 0:
        return f"-£{-pence:,.2f}"
    return f"£{pence:,.2f}"


def plain_pounds(amount: Decimal | None) -> str | None:
    """Pounds and pence for files and JSON: "38277.06", "16.00", "-16.00"; no £, no commas.

    Always two decimal places and a leading minus for negative amounts, so it reads back
    exactly with `Decimal(text)` (and with `parse_gbp` when not negative).
    """
    if amount is None:
        return None
    # Adding zero turns a negative zero into a plain zero.
    return format(amount.quantize(_PENNY, rounding=ROUND_HALF_UP) + GBP_ZERO, "f")
