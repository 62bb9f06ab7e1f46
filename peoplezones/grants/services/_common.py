"""What the grants services share."""

from typing import Any

from peoplezones.grants.models import Application

S = Application.Status


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
