"""Links to the staff areas on a signed-in person's dashboard, each shown to the roles that may
use it. Accounts does not import the apps that own them: each registers its link when it starts
(in its `AppConfig.ready()`), as zone pages' sections are registered in `zones.sections`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class StaffTool:
    label: str | Promise  # translated lazily: registered at start-up
    url_name: str
    may_use: Callable[[Any], bool]  # given the signed-in user
    order: int = 100


_TOOLS: dict[str, StaffTool] = {}


def register(tool: StaffTool) -> None:
    """Add a link (again under the same URL name: replace it)."""
    _TOOLS[tool.url_name] = tool


def staff_tools(user: Any) -> list[tuple[str, str]]:
    """The links this person's roles open, as (label, address), in their order."""
    tools = sorted(_TOOLS.values(), key=lambda tool: (tool.order, tool.url_name))
    return [(str(tool.label), reverse(tool.url_name)) for tool in tools if tool.may_use(user)]
