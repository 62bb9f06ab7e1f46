"""Every write of the payback planner: facilities (by hand or copied from the asset map),
sites and their sessions, projects with hours and materials, and the walking network.

Each service checks first, then writes in one transaction and records an audit event, so a
refused change leaves nothing behind. Only the programme team may call them (checked here as
well as in the views).
"""

from peoplezones.payback.services.network import NetworkImport, network_import
from peoplezones.payback.services.places import (
    CopyResult,
    facilities_from_assets,
    facility_create,
    facility_update,
    site_create,
    site_update,
)
from peoplezones.payback.services.projects import (
    PAYBACK_LINE_TITLE,
    default_budget_line,
    hours_record,
    materials_record,
    project_create,
)

__all__ = [
    "PAYBACK_LINE_TITLE",
    "CopyResult",
    "NetworkImport",
    "default_budget_line",
    "facilities_from_assets",
    "facility_create",
    "facility_update",
    "hours_record",
    "materials_record",
    "network_import",
    "project_create",
    "site_create",
    "site_update",
]
