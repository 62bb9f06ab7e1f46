"""Demo grants: the 2022/23 zone rounds and their 12 awards as published in the update report to
the Police and Crime Panel of 26 July 2023, the report's own totals as stated figures, and one
open 2023/24 round with applications at every stage (see demo_data/README.md).

The rounds, awards and stated figures go through the same importers as `manage.py
import_awards` and `import_stated_figures`; the open round and its applications through the
grants services, acted by the demo users (accounts demo, ORDER 20). Running it twice changes
nothing: the importers are idempotent, and the fund, round, organisations, people and
applications are found by name before anything is made.
"""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone

from peoplezones.accounts.models import User
from peoplezones.accounts.services import user_create
from peoplezones.core.services import audit_record
from peoplezones.finance.importers import ImportReport, stated_figures_import
from peoplezones.finance.models import BudgetLine, BudgetYear
from peoplezones.grants import services
from peoplezones.grants.importers import ROUND_CLOSES, ROUND_OPENS, awards_import, london
from peoplezones.grants.models import Criterion, Fund, GrantRound, Organisation
from peoplezones.zones.models import Theme, Zone

ORDER = 56
DESCRIPTION = "Demo grants: the 2022/23 rounds and awards, stated figures, an open 2023/24 round"
DATA = Path(__file__).parent / "demo_data"
ROUNDS_FILE = DATA / "rounds_2022_23.csv"
AWARDS_FILE = DATA / "awards_2022_23.csv"
STATED_FILE = DATA / "stated_figures_2023_07_26.csv"

FUND = {
    "name": "People Zones Grants",
    "funder_name": "Leicestershire Office of the Police and Crime Commissioner",
    # org-id.guide's XE-EXAMPLE list and a "demo" prefix: nobody can mistake these for real.
    "funder_org_id": "XE-EXAMPLE-opcc-leicestershire",
    "identifier_prefix": "360G-demo-pz",
    "description": (
        "Grants of up to £10,000 for community organisations in the People Zones, for projects "
        "that meet the objectives the zone's community research set. (Demo fund.)"
    ),
}
HISTORICAL_YEAR = 2022
# The report gives no decision dates; the demo says the commissioner decided 3 days after each
# round closed (all three inside 2022/23).
DECIDED_AFTER_CLOSE = datetime.timedelta(days=3)

OPEN_ROUND = "People Zones Grants 2023/24 – Round 1"
OPEN_YEAR = 2023
OPEN_LINE = "Grant funding"
ELIGIBILITY = [
    "We are a community group, charity, social enterprise or school, not a business making a "
    "profit.",
    "The project will benefit people who live in the People Zone.",
    "The grant will not pay for anything that has already happened.",
]
GUIDANCE = (
    "Apply for up to £10,000 for a project in Bell Foundry, New Parks or Thringstone & "
    "Whitwick. Tell us which of the zone's research themes it meets, who will benefit, and "
    "what the money will buy, item by item. The programme team checks every application, two "
    "assessors score it, and the Police and Crime Commissioner decides. (Demo round.)"
)
DESCRIPTORS = [
    "Not addressed",
    "Poor: little evidence",
    "Weak: some evidence, major gaps",
    "Adequate: meets the criterion",
    "Good: clear and convincing",
    "Excellent: compelling, with evidence",
]
# (title, weight, what assessors look for)
CRITERIA = [
    ("Meets the zone's research themes", 3, "How directly the project answers the themes."),
    ("Need and community support", 2, "Evidence that residents want it and will take part."),
    ("Who benefits", 2, "Who, how many, and how the project reaches them."),
    ("Safe and deliverable", 2, "Safeguarding, insurance, people and a realistic plan."),
    ("Value for money", 1, "Costs that are reasonable for what the project delivers."),
]

APPLICANT = "applicant@example.org"
TEAM = "programme.team@example.org"
COMMISSIONER = "commissioner@example.org"
ASSESSORS = ["assessor@example.org", "assessor.two@example.org"]
# Applicants for the other organisations: accounts without a password (no demo sign-in),
# with their email address confirmed so that they can submit.
OTHER_APPLICANTS = {
    "applicant.bellfoundry@example.org": "Demo Bell Foundry Applicant",
    "applicant.thringstone@example.org": "Demo Thringstone Applicant",
}
U, C = Organisation.Type, Organisation.Connection
# key: (name, type, connection, applicant's email)
ORGANISATIONS = {
    "aikman": (
        "Aikman Avenue Residents' Association (demo)",
        U.UNREGISTERED,
        C.LIVING,
        APPLICANT,
    ),
    "cafe": ("New Parks Crisis Café (demo)", U.CIO, C.PROVIDING, APPLICANT),
    "larder": (
        "Thringstone Community Larder (demo)",
        U.FAITH,
        C.PROVIDING,
        "applicant.thringstone@example.org",
    ),
    "football": (
        "Whitwick Friday Football (demo)",
        U.UNREGISTERED,
        C.LIVING,
        "applicant.thringstone@example.org",
    ),
    "repair": (
        "Loughborough Repair Café (demo)",
        U.UNREGISTERED,
        C.WORKING,
        "applicant.bellfoundry@example.org",
    ),
    "parents": (
        "Moira Street Parents' Group (demo)",
        U.UNREGISTERED,
        C.LIVING,
        "applicant.bellfoundry@example.org",
    ),
}


# Each application: organisation, zone, themes, the budget, the contact (invented, with
# example.org addresses and Ofcom's drama phone numbers), and how far it has got.
# scores: assessor email -> scores for the five criteria, or a conflict of interest (text).
APPLICATIONS: list[dict[str, Any]] = [
    {
        "project": "Street clean-up and planters",
        "org": "aikman",
        "zone": "new-parks",
        "themes": ["Pride of Place"],
        "brief": "Four Saturday clean-ups with residents, and planters at the shops.",
        "items": [
            ("Planters and compost", "950.00"),
            ("Litter pickers, gloves and bags", "400.00"),
            ("Refreshments for volunteer days", "500.00"),
        ],
        "contact": ("Pat Exampleton (demo)", "pat.exampleton@example.org", "07700 900101"),
        "stage": "draft",
    },
    {
        "project": "Friday night football",
        "org": "football",
        "zone": "thringstone-whitwick",
        "themes": ["Youth Provision"],
        "brief": "Free coached football for 11 to 16 year olds every Friday evening.",
        "items": [
            ("Pitch hire, 40 weeks", "2400.00"),
            ("Coach fees", "900.00"),
            ("Kit and balls", "300.00"),
        ],
        "contact": ("Jordan Sampleby (demo)", "jordan.sampleby@example.org", "07700 900102"),
        "stage": "submitted",
    },
    {
        "project": "Crisis café evening opening",
        "org": "cafe",
        "zone": "new-parks",
        "themes": ["Health and Wellbeing"],
        "brief": "Open the crisis café two evenings a week, when other help is closed.",
        "items": [
            ("Staff cover for evenings", "4200.00"),
            ("Food and drink", "1500.00"),
            ("Mental health first aid training", "500.00"),
        ],
        "contact": ("Pat Exampleton (demo)", "pat.exampleton@example.org", "07700 900101"),
        "stage": "more_information",
        "request": (
            "Thank you. Please tell us how the evening café will work with the mental health "
            "services already in New Parks, and send the quote for the training. (Demo message.)"
        ),
    },
    {
        "project": "Larder delivery bike",
        "org": "larder",
        "zone": "thringstone-whitwick",
        "themes": ["Access to Services"],
        "brief": "An electric cargo bike to take food parcels to people who cannot come in.",
        "items": [
            ("Electric cargo bike", "3200.00"),
            ("Lock, helmet and servicing", "450.00"),
            ("Rider training", "300.00"),
        ],
        "contact": ("Alex Placeford (demo)", "alex.placeford@example.org", "07700 900103"),
        "stage": "assessment",
        "scores": {
            "assessor@example.org": [4, 4, 3, 4, 4],
            "assessor.two@example.org": [3, 4, 4, 3, 4],
        },
    },
    {
        "project": "Repair café starter kit",
        "org": "repair",
        "zone": "bell-foundry",
        "themes": ["Pride of Place", "Celebrating the People"],
        "brief": "Tools and a monthly repair café where neighbours fix things together.",
        "items": [("Tools and test equipment", "1900.00"), ("Hall hire, 12 sessions", "850.00")],
        "contact": ("Sam Mockworth (demo)", "sam.mockworth@example.org", "07700 900104"),
        "stage": "assessment",
        "scores": {
            "assessor@example.org": [3, 3, 3, 4, 5],
            "assessor.two@example.org": (
                "I volunteer at the repair café's partner organisation. (Demo declaration.)"
            ),
        },
    },
    {
        "project": "Summer trips for young families",
        "org": "parents",
        "zone": "bell-foundry",
        "themes": ["Health and Wellbeing"],
        "brief": "Six days out in the summer holidays for families who rarely get away.",
        "items": [("Coach hire, 6 trips", "3300.00"), ("Entry fees", "1000.00")],
        "contact": ("Robin Testwell (demo)", "robin.testwell@example.org", "07700 900105"),
        "stage": "recommended",
        "scores": {
            "assessor@example.org": [5, 4, 4, 4, 4],
            "assessor.two@example.org": [4, 5, 4, 4, 3],
        },
    },
    {
        "project": "Aikman Avenue summer fun days",
        "org": "aikman",
        "zone": "new-parks",
        "themes": ["Community Safety", "Pride of Place"],
        "brief": "Three free fun days on the green, with police, fire and youth services there.",
        "items": [
            ("Marquee and stage hire", "2100.00"),
            ("Activities and games", "1500.00"),
            ("Bouncy castle", "300.00"),
            ("Publicity", "900.00"),
        ],
        "contact": ("Pat Exampleton (demo)", "pat.exampleton@example.org", "07700 900101"),
        "stage": "approved",
        "scores": {
            "assessor@example.org": [5, 5, 4, 4, 3],
            "assessor.two@example.org": [4, 5, 5, 4, 4],
        },
        "award": "4500.00",
        "reasons": (
            "Meets the Community Safety and Pride of Place themes with strong support from "
            "residents. The bouncy castle is not funded. (Demo decision.)"
        ),
        "conditions": (
            "Acknowledge the Police and Crime Commissioner's funding in publicity, and send a "
            "monitoring return within three months of the last fun day."
        ),
    },
    {
        "project": "Minibus for the café",
        "org": "cafe",
        "zone": "new-parks",
        "themes": ["Health and Wellbeing"],
        "brief": "A second-hand minibus to bring people to the café from across the estate.",
        "items": [("Second-hand minibus", "8400.00"), ("First year's insurance", "1500.00")],
        "contact": ("Pat Exampleton (demo)", "pat.exampleton@example.org", "07700 900101"),
        "stage": "declined",
        "scores": {
            "assessor@example.org": [2, 3, 2, 2, 1],
            "assessor.two@example.org": [2, 2, 3, 2, 2],
        },
        "not_recommended": (
            "A minibus costs more to run after the grant than the café can sustain. (Demo.)"
        ),
        "decline": (
            "Declined on the assessors' advice: the running costs after the grant are not "
            "covered. A smaller bid for transport hire would be welcome. (Demo decision.)"
        ),
    },
]


def load(*, out: TextIO) -> None:
    people = {user.email: user for user in User.objects.filter(email__endswith="@example.org")}
    team = people[TEAM]
    fund = _fund(actor=team)
    report = awards_import(
        content=historical_awards_csv(),
        actor=team,
        fund=fund,
        budget_year=HISTORICAL_YEAR,
        default_award_date=lambda r: timezone.localdate(r.closes_at) + DECIDED_AFTER_CLOSE,
    )
    _check(report, AWARDS_FILE.name)
    out.write(f"  2022/23 awards: {report.created} imported, {report.unchanged} already there\n")
    report = stated_figures_import(content=STATED_FILE.read_bytes(), actor=team)
    _check(report, STATED_FILE.name)
    out.write(
        f"  stated figures from the report: {report.created} recorded, "
        f"{report.unchanged} already there\n"
    )
    grant_round = _open_round(fund=fund, actor=team)
    for email, name in OTHER_APPLICANTS.items():
        if email not in people:
            people[email] = user_create(actor=None, email=email, full_name=name)
        if people[email].email_verified_at is None:
            # Applicants confirm their address before submitting; these are demo accounts.
            people[email].email_verified_at = timezone.now()
            people[email].save(update_fields=["email_verified_at"])
    made = sum(_application(spec, grant_round=grant_round, people=people) for spec in APPLICATIONS)
    out.write(
        f"  open round “{grant_round.name}” closes "
        f"{timezone.localtime(grant_round.closes_at):%d %B %Y %H:%M}; "
        f"{made} applications made\n"
    )


def _check(report: ImportReport, name: str) -> None:
    if report.errors:
        problems = "; ".join(f"line {e.line}: {e.message}" for e in report.errors)
        raise RuntimeError(f"{name} could not be loaded: {problems}")


def historical_awards_csv() -> bytes:
    """The report's awards table with each zone's round and dates added: the import format."""
    with ROUNDS_FILE.open(encoding="utf-8-sig", newline="") as handle:
        rounds = {row["zone"]: row for row in csv.DictReader(handle)}
    with AWARDS_FILE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["zone", "round", "opens", "closes", "organisation", "project", "brief", "amount"]
    writer.writerow(columns)
    for row in rows:
        found = rounds[row["zone"]]
        writer.writerow(
            [
                row["zone"],
                found["round"],
                found["opens"],
                found["closes"],
                row["organisation"],
                row["project"],
                row["brief"],
                row["amount"],
            ]
        )
    return out.getvalue().encode("utf-8")


def _fund(*, actor: Any) -> Fund:
    fund = Fund.objects.filter(name=FUND["name"]).first()
    if fund is None:
        fund = Fund(**FUND)
        fund.full_clean()
        fund.save()
        audit_record(actor=actor, verb="grants.fund_created", target=fund)
    return fund


def _open_round(*, fund: Fund, actor: Any) -> GrantRound:
    """Open from a week before the demo is first loaded until three weeks after."""
    grant_round = GrantRound.objects.filter(name=OPEN_ROUND).first()
    if grant_round is None:
        today = timezone.localdate()
        year = BudgetYear.objects.get(start_year=OPEN_YEAR)
        grant_round = services.create_round(
            actor=actor,
            fund=fund,
            name=OPEN_ROUND,
            zones=list(Zone.objects.order_by("name")),
            opens_at=london(today - datetime.timedelta(days=7), ROUND_OPENS),
            closes_at=london(today + datetime.timedelta(days=21), ROUND_CLOSES),
            budget_year=year,
            budget_line=BudgetLine.objects.get(year=year, title=OPEN_LINE),
            eligibility_questions=ELIGIBILITY,
            guidance=GUIDANCE,
        )
    for order, (title, weight, description) in enumerate(CRITERIA, start=1):
        if not grant_round.criteria.filter(title=title).exists():
            criterion = Criterion(
                round=grant_round,
                title=title,
                weight=weight,
                description=description,
                descriptors=DESCRIPTORS,
                order=order,
            )
            criterion.full_clean()
            criterion.save()
            audit_record(
                actor=actor,
                verb="grants.criterion_added",
                target=grant_round,
                data={"title": title, "weight": weight},
            )
    return grant_round


def _organisation(key: str, *, actor: Any) -> Organisation:
    name, org_type, connection, _email = ORGANISATIONS[key]
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        organisation = Organisation(name=name, org_type=org_type, connection=connection)
        organisation.full_clean()
        organisation.save()
        organisation.owners.add(actor)
        audit_record(actor=actor, verb="grants.organisation_created", target=organisation)
    return organisation


def _application(spec: dict[str, Any], *, grant_round: GrantRound, people: dict) -> bool:
    """Make one application and take it as far as its stage; False if it is already there."""
    if grant_round.applications.filter(project_name=spec["project"]).exists():
        return False
    applicant = people[ORGANISATIONS[spec["org"]][3]]
    team, commissioner = people[TEAM], people[COMMISSIONER]
    zone = Zone.objects.get(slug=spec["zone"])
    items = [(text, Decimal(amount)) for text, amount in spec["items"]]
    name, email, phone = spec["contact"]
    today = timezone.localdate()
    application = services.save_application(
        actor=applicant,
        grant_round=grant_round,
        organisation=_organisation(spec["org"], actor=applicant),
        zone=zone,
        data={
            "project_name": spec["project"],
            "brief": spec["brief"],
            "amount_requested": sum((amount for _text, amount in items), Decimal("0.00")),
            "beneficiaries": "Residents of the zone, of all ages. (Demo.)",
            "beneficiary_count": 60,
            "beneficiary_ages": "All ages",
            "starts_on": today + datetime.timedelta(days=60),
            "ends_on": today + datetime.timedelta(days=240),
            "eligibility_answers": dict.fromkeys(grant_round.eligibility_questions, True),
            "has_safeguarding_policy": True,
            "safeguarding_details": "Two trained adults at every session; DBS checked.",
            "has_insurance": True,
            "contact_name": name,
            "contact_email": email,
            "contact_phone": phone,
        },
        items=items,
        themes=list(Theme.objects.filter(zone=zone, title__in=spec["themes"])),
    )
    stage = spec["stage"]
    if stage == "draft":
        return True
    application = services.move(application=application, action="submit", actor=applicant)
    if stage == "submitted":
        return True
    if stage == "more_information":
        services.move(
            application=application,
            action="request_information",
            actor=team,
            reason=spec["request"],
        )
        return True
    application = services.move(application=application, action="eligible", actor=team)
    criteria = list(grant_round.criteria.all())
    for email, scores in spec["scores"].items():
        assessor = people[email]
        if isinstance(scores, str):
            services.declare_conflict(
                application=application, assessor=assessor, has_conflict=True, details=scores
            )
            continue
        services.declare_conflict(application=application, assessor=assessor, has_conflict=False)
        services.score(
            application=application,
            assessor=assessor,
            scores={c.pk: value for c, value in zip(criteria, scores, strict=True)},
            comment="(Demo assessment.)",
        )
    if stage == "assessment":
        return True
    if stage == "declined":
        application = services.move(
            application=application,
            action="not_recommend",
            actor=team,
            reason=spec["not_recommended"],
        )
        services.move(
            application=application, action="decline", actor=commissioner, reason=spec["decline"]
        )
        return True
    application = services.move(application=application, action="recommend", actor=team)
    if stage == "approved":
        services.approve(
            application=application,
            actor=commissioner,
            amount=Decimal(spec["award"]),
            reasons=spec["reasons"],
            conditions=spec["conditions"],
        )
    return True
