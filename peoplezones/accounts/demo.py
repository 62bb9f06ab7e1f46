"""Demo users: one for each programme role and each zone role, sharing a demo password."""

import os
from typing import TextIO

from django.utils import timezone

from peoplezones.accounts.models import User, ZoneMembership
from peoplezones.accounts.roles import ProgrammeRole
from peoplezones.accounts.services import programme_role_grant, user_create, zone_membership_add
from peoplezones.zones.models import Zone

ORDER = 20
DESCRIPTION = "Demo users, one per role"

# (email, full name, programme role or None, (zone slug, zone role) or None)
DEMO_USERS = [
    ("admin@example.org", "Demo Administrator", None, None),
    ("programme.team@example.org", "Demo Programme Officer", ProgrammeRole.PROGRAMME_TEAM, None),
    ("commissioner@example.org", "Demo Commissioner", ProgrammeRole.COMMISSIONER, None),
    ("finance@example.org", "Demo Finance Officer", ProgrammeRole.FINANCE, None),
    ("panel.member@example.org", "Demo Panel Member", ProgrammeRole.PANEL_MEMBER, None),
    ("moderator@example.org", "Demo Moderator", ProgrammeRole.MODERATOR, None),
    ("assessor@example.org", "Demo Grant Assessor", ProgrammeRole.ASSESSOR, None),
    ("assessor.two@example.org", "Demo Second Assessor", ProgrammeRole.ASSESSOR, None),
    # A community organisation's applicant: no role, but a confirmed email, so it can apply.
    ("applicant@example.org", "Demo Applicant", None, None),
    ("chair.newparks@example.org", "Demo Chair", None, ("new-parks", ZoneMembership.Role.CHAIR)),
    (
        "member.bellfoundry@example.org",
        "Demo Steering Group Member",
        None,
        ("bell-foundry", ZoneMembership.Role.MEMBER),
    ),
    (
        "officer.thringstone@example.org",
        "Demo Zone Officer",
        None,
        ("thringstone-whitwick", ZoneMembership.Role.ZONE_OFFICER),
    ),
    (
        "partner.newparks@example.org",
        "Demo Partner Agency",
        None,
        ("new-parks", ZoneMembership.Role.PARTNER),
    ),
]
# Accounts whose email address counts as confirmed (applicants must confirm theirs).
CONFIRMED_EMAILS = {"applicant@example.org"}
# What the sign-in list says for accounts with neither a programme nor a zone role.
LABELS = {
    "admin@example.org": "administrator (admin site)",
    "applicant@example.org": "grant applicant (email confirmed)",
}


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "people-zones-demo")


def load(*, out: TextIO) -> None:
    """Create the demo users that don't exist yet; existing ones are left as they are."""
    password = demo_password()
    for email, full_name, role, zone_role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(actor=None, email=email, full_name=full_name, password=password)
            if email.startswith("admin@"):
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        if email in CONFIRMED_EMAILS and user.email_verified_at is None:
            User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        if role is not None:
            programme_role_grant(user=user, role=role, actor=None)
        if zone_role is not None:
            slug, membership_role = zone_role
            zone_membership_add(
                user=user, zone=Zone.objects.get(slug=slug), role=membership_role, actor=None
            )
    out.write(f"\n  Demo sign-ins (password for all: {password}):\n")
    for email, _name, role, zone_role in DEMO_USERS:
        what = (
            role.label if role else (f"{zone_role[1].label}, {zone_role[0]}" if zone_role else "")
        )
        out.write(f"    {email:<34} {what or LABELS.get(email, '')}\n")
