"""What the grants services share."""

from decimal import Decimal
from typing import Any

from peoplezones.grants.models import Application

S = Application.Status
ZERO = Decimal("0.00")


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
