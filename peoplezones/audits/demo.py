"""Demo safety audit: the Bell Foundry lighting audit, its councils, and reports at each stage.

Invented reports, marked "Demo report:", at points inside the zone. Running it twice changes
nothing: rows are found by name or description.
"""

import datetime
from typing import TextIO

from django.utils import timezone

from peoplezones.accounts.models import User
from peoplezones.assets.demo import demo_point, zone_boundaries
from peoplezones.audits.categories import ensure_default_issue_categories
from peoplezones.audits.models import Audit, Body, Issue, IssueCategory
from peoplezones.audits.referrals import referral_create, referral_record_response
from peoplezones.audits.services import issue_report, issue_transition
from peoplezones.core.services import audit_record
from peoplezones.zones.models import Zone

ORDER = 40
DESCRIPTION = "Demo safety audit: councils, the Bell Foundry lighting audit and its reports"
ACTOR_EMAIL = "programme.team@example.org"
PREFIX = "Demo report: "

BODIES = [
    ("Charnwood Borough Council (demo)", "street.scene@charnwood.example.org", "bell-foundry"),
    ("Leicester City Council (demo)", "highways@leicester.example.org", "new-parks"),
    (
        "North West Leicestershire District Council (demo)",
        "environment@nwleics.example.org",
        "thringstone-whitwick",
    ),
]

# (category code, description, extra answers, what happens next)
REPORTS = [
    (
        "street-light",
        "Lamp outside the shop on Moira Street is out.",
        {"fault": "Light is out"},
        "refer",
    ),
    (
        "street-light",
        "Light on the canal path flickers all night.",
        {"fault": "Flickering"},
        "refer",
    ),
    (
        "street-light",
        "Lamp by the bus stop is far too dim.",
        {"fault": "Too dim"},
        "schedule:short",
    ),
    (
        "dark-area",
        "Alley between Freehold Street and Hume Street has no light at all.",
        {},
        "schedule:long",
    ),
    (
        "overgrowth",
        "Bushes by the footpath hide the whole corner after dark.",
        {},
        "schedule:medium",
    ),
    ("bin-store", "Bin store door broken; bags spill onto the path.", {}, "fix"),
    (
        "street-light",
        "Light on Thomas Street is on all day.",
        {"fault": "On in the daytime"},
        "fix",
    ),
    ("overgrowth", "Hedge covers the street light on Bridgeland Road.", {}, "investigate"),
    ("dark-area", "Car park behind the community hub is very dark.", {}, ""),
    ("bin-store", "Bins left out by the garages every week.", {}, "not_responsible"),
]


def _body(name: str, email: str, slug: str) -> Body:
    body = Body.objects.filter(name=name).first()
    if body is None:
        body = Body.objects.create(name=name, contact_email=email)
        body.zones.set(Zone.objects.filter(slug=slug))
        audit_record(actor=None, verb="body.create", target=body)
    return body


def load(*, out: TextIO) -> None:
    """Create the demo bodies, audit and reports that are not there yet."""
    actor = User.objects.get(email=ACTOR_EMAIL)
    ensure_default_issue_categories(IssueCategory)
    bodies = {slug: _body(name, email, slug) for name, email, slug in BODIES}
    zone = Zone.objects.get(slug="bell-foundry")
    audit = Audit.objects.filter(slug="bell-foundry-lighting").first()
    if audit is None:
        audit = Audit.objects.create(
            zone=zone,
            name="Bell Foundry lighting audit (demo)",
            slug="bell-foundry-lighting",
            kind=Audit.Kind.LIGHTING,
            description=(
                "Residents said they did not feel safe after dark because of broken or poor "
                "lighting. Pinpoint each problem; we walk the area with the council and plan "
                "short, medium and long-term fixes."
            ),
            starts=timezone.localdate() - datetime.timedelta(days=60),
            status=Audit.Status.ACTIVE,
        )
        audit.categories.set(
            IssueCategory.objects.filter(
                code__in=["street-light", "dark-area", "overgrowth", "bin-store"]
            )
        )
        audit_record(actor=actor, verb="audit.create", target=audit, zone=zone)
    geometry = zone_boundaries()["bell-foundry"]
    existing = set(
        Issue.objects.filter(description__startswith=PREFIX).values_list("description", flat=True)
    )
    made = 0
    to_refer = []
    for code, text, answers, next_step in REPORTS:
        description = PREFIX + text
        if description in existing:
            continue
        lat, lon = demo_point(name=text, slug="bell-foundry", geometry=geometry)
        issue = issue_report(
            actor=actor,
            category=IssueCategory.objects.get(code=code),
            latitude=lat,
            longitude=lon,
            description=description,
            attributes=answers,
            audit=audit,
        )
        made += 1
        action, _, term = next_step.partition(":")
        if action in {"refer", "schedule"}:
            to_refer.append((issue, action, term))
        elif action:
            issue_transition(
                issue=issue,
                actor=actor,
                action=action,
                text="Checked on the audit walk with the council." if action != "fix" else "Fixed.",
            )
    if to_refer:
        referral = referral_create(
            issues=[issue for issue, _, _ in to_refer],
            body=bodies["bell-foundry"],
            method="csv",
            actor=actor,
        )
        for issue, action, term in to_refer:
            if action == "schedule":
                issue_transition(
                    issue=issue,
                    actor=actor,
                    action="schedule",
                    term=term,
                    text="The council has planned the work.",
                )
        referral_record_response(
            referral=referral,
            actor=actor,
            response="Received; lighting engineers will survey the estate.",
        )
    out.write(f"  {made} demo reports in the Bell Foundry lighting audit\n")
