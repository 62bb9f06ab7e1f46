"""The dashboard's staff links come from what each app registers."""

from peoplezones.accounts import staff_tools
from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.staff_tools import StaffTool
from peoplezones.accounts.tests.factories import UserFactory


def test_every_app_registers_its_staff_area(db):
    programme_team = UserFactory(roles=[ProgrammeRole.PROGRAMME_TEAM])

    assert [address for _label, address in staff_tools.staff_tools(programme_team)] == [
        "/grants/staff/",
        "/finance/",
        "/insight/",
        "/payback/",
    ]


def test_links_come_in_their_order_for_whoever_may_use_them(db, monkeypatch):
    monkeypatch.setattr(staff_tools, "_TOOLS", {})
    staff_tools.register(StaffTool("Second", "payback:planner", lambda user: True, order=2))
    staff_tools.register(StaffTool("First", "finance:home", lambda user: True, order=1))
    staff_tools.register(StaffTool("Hidden", "insight:dashboard", lambda user: False))
    staff_tools.register(StaffTool("First, renamed", "finance:home", lambda user: True, order=1))

    assert staff_tools.staff_tools(UserFactory()) == [
        ("First, renamed", "/finance/"),
        ("Second", "/payback/"),
    ]
