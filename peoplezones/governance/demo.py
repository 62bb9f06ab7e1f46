"""Demo steering groups, six months of meetings and actions, and the programme's initiatives.

People, meetings, minutes and actions are invented (see demo_data/README.md); the initiatives
are the ones named in the public update report to the Police and Crime Panel of 26 July 2023,
described in our own words. Dates are relative to today in London, so the demo always has a
recent past and one meeting to come. Running it twice changes nothing: groups are found by
zone, members by name, initiatives by slug; a group that already has meetings keeps them.
"""

import datetime
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from peoplezones.accounts.models import User
from peoplezones.governance.models import Initiative, Member, SteeringGroup
from peoplezones.governance.services import (
    action_create,
    action_update,
    agenda_item_add,
    attendance_set,
    group_create,
    initiative_create,
    initiative_output_set,
    meeting_create,
    member_add,
    milestone_add,
    minutes_save,
    minutes_transition,
    participant_add,
)
from peoplezones.zones.models import Theme, Zone

ORDER = 50
DESCRIPTION = "Demo steering groups, meetings, action logs and initiatives"
# Created by the accounts demo (ORDER 20); only the programme team records initiatives.
ACTOR_EMAIL = "programme.team@example.org"
REPORT_DATE = datetime.date(2023, 7, 26)
PAST_MEETINGS = 5

S, R = Member.Sector, Member.Role
K, ST = Initiative.Kind, Initiative.Status

TERMS = (
    "The group brings together residents and the organisations that live, work and serve "
    "{zone}. It meets monthly to turn the zone's research themes into actions, keeps a rolling "
    "action log, and decides how People Zones work in the area is shared with the community.\n\n"
    "Minutes are published once the chair approves them. Residents are named in them only if "
    "they agree. (Demo text.)"
)

# slug: (group name, action prefix, weekday of the monthly meeting (0 = Monday), places)
GROUPS = {
    "bell-foundry": (
        "Bell Foundry People Zone Steering Group",
        "BF",
        1,
        ["Bell Foundry community hub (demo venue)"],
    ),
    "new-parks": ("New Parks People Zone Steering Group", "NP", 2, ["New Parks community hub"]),
    "thringstone-whitwick": (
        "Thringstone & Whitwick People Zone Steering Group",
        "TW",
        3,
        ["Thringstone community centre (demo venue)", "Whitwick community hub (demo venue)"],
    ),
}

# Invented, clearly fictional people: (name, sector, role, organisation, area, agreed to be
# named, demo account to link). Partners without an area serve the whole zone.
MEMBERS = {
    "bell-foundry": [
        ("Margaret Sampleton", S.RESIDENT, R.CHAIR, "", "Bell Foundry estate", True, None),
        (
            "Robin Demoford",
            S.RESIDENT,
            R.MEMBER,
            "",
            "Bell Foundry estate",
            True,
            "member.bellfoundry@example.org",
        ),
        ("Kerry Hiddenfield", S.RESIDENT, R.MEMBER, "", "Moira Street area", False, None),
        (
            "Yusuf Examplefield",
            S.FAITH,
            R.MEMBER,
            "Local mosque committee (demo)",
            "Moira Street area",
            True,
            None,
        ),
        (
            "Asha Placeholder",
            S.COMMUNITY,
            R.SECRETARY,
            "Community hub volunteers (demo)",
            "Bell Foundry estate",
            True,
            None,
        ),
        ("PCSO Dana Testwood", S.POLICE, R.PARTNER, "Leicestershire Police (demo)", "", True, None),
        (
            "Lee Mockford",
            S.FIRE,
            R.PARTNER,
            "Leicestershire Fire and Rescue Service (demo)",
            "",
            True,
            None,
        ),
        ("Chris Fauxley", S.COUNCIL, R.PARTNER, "Charnwood Borough Council (demo)", "", True, None),
        ("Dr Amina Fictor", S.HEALTH, R.PARTNER, "Public Health (demo)", "", True, None),
        ("Sam Probert-Demo", S.PROBATION, R.PARTNER, "Probation Service (demo)", "", True, None),
    ],
    "new-parks": [
        (
            "Pauline Exampleton",
            S.RESIDENT,
            R.CHAIR,
            "",
            "Aikman Avenue area",
            True,
            "chair.newparks@example.org",
        ),
        ("Gary Unnamedson", S.RESIDENT, R.MEMBER, "", "Aikman Avenue area", False, None),
        ("Tina Privatley", S.RESIDENT, R.MEMBER, "", "New Parks Boulevard area", False, None),
        ("Dev Samplewood", S.RESIDENT, R.VICE_CHAIR, "", "New Parks Boulevard area", True, None),
        (
            "Nadia Demoreux",
            S.COMMUNITY,
            R.MEMBER,
            "Youth project (demo)",
            "Aikman Avenue area",
            True,
            None,
        ),
        ("PC Jordan Testley", S.POLICE, R.PARTNER, "Leicestershire Police (demo)", "", True, None),
        (
            "Morgan Fakenham",
            S.FIRE,
            R.PARTNER,
            "Leicestershire Fire and Rescue Service (demo)",
            "",
            True,
            None,
        ),
        ("Ruth Mockridge", S.COUNCIL, R.PARTNER, "Leicester City Council (demo)", "", True, None),
        ("Imran Examplar", S.HEALTH, R.PARTNER, "Local health partnership (demo)", "", True, None),
        ("Bev Probitt-Demo", S.PROBATION, R.PARTNER, "Probation Service (demo)", "", True, None),
        ("Alan Schoolfield", S.EDUCATION, R.MEMBER, "Primary school (demo)", "", True, None),
    ],
    "thringstone-whitwick": [
        (
            "Helen Demonstone",
            S.COMMUNITY,
            R.CHAIR,
            "Community hub (demo)",
            "Thringstone",
            True,
            None,
        ),
        ("Peter Quietley", S.RESIDENT, R.MEMBER, "", "Whitwick", False, None),
        ("Lucy Samplewick", S.RESIDENT, R.MEMBER, "", "Whitwick", True, None),
        ("Owen Nonameson", S.RESIDENT, R.MEMBER, "", "Thringstone", False, None),
        ("Grace Exampleby", S.RESIDENT, R.SECRETARY, "", "Thringstone", True, None),
        ("PCSO Ray Testford", S.POLICE, R.PARTNER, "Leicestershire Police (demo)", "", True, None),
        (
            "Jan Mockwell",
            S.FIRE,
            R.PARTNER,
            "Leicestershire Fire and Rescue Service (demo)",
            "",
            True,
            None,
        ),
        (
            "Kim Fauxton",
            S.COUNCIL,
            R.PARTNER,
            "North West Leicestershire District Council (demo)",
            "",
            True,
            None,
        ),
        (
            "Dr Lee Placewell",
            S.HEALTH,
            R.PARTNER,
            "Integrated neighbourhood team (demo)",
            "",
            True,
            None,
        ),
    ],
}

# One topic per past meeting, oldest first: (theme number, title, what was discussed).
TOPICS = {
    "bell-foundry": [
        (
            2,
            "Lighting audit update",
            "Members heard how the council is planning repairs found on the lighting audit walks.",
        ),
        (
            3,
            "Community payback for women",
            "The group discussed the women-only payback group being set up at a community hub.",
        ),
        (
            1,
            "Mental Health Friendly Places",
            "Members shared feedback from local businesses that took part in the pilot.",
        ),
        (
            2,
            "Crimestoppers pilot",
            "The police outlined how the Crimestoppers pilot will "
            "target the areas of greatest need.",
        ),
        (4, "Celebrating the estate", "Ideas for a celebration day and a community mural."),
    ],
    "new-parks": [
        (5, "Hub garden", "Members visited the wellbeing garden made by community payback."),
        (3, "Crisis café", "The hub reported on the first weeks of the crisis café."),
        (
            1,
            "Youth provision",
            "Partners discussed the new youth group for young people at risk of offending.",
        ),
        (
            4,
            "Substance misuse support",
            "Health partners explained where residents can get help, and how to refer people.",
        ),
        (
            2,
            "New councillors",
            "The group planned how to introduce People Zones to the new ward councillors.",
        ),
    ],
    "thringstone-whitwick": [
        (
            1,
            "Mini Police and parent ambassadors",
            "The school described its parent "
            "ambassadors, who reach families the school rarely hears from.",
        ),
        (
            4,
            "Community payback sites",
            "Members listed places that need long-term upkeep for "
            "the district council to consider.",
        ),
        (
            3,
            "Access to services",
            "Partners mapped which services visit the villages and which do not.",
        ),
        (2, "Parish council", "Feedback from presenting the research at the parish council."),
        (1, "Summer activities", "Plans for free activities for young people in the holidays."),
    ],
}

# (meeting raised at, theme number, owner: member index or organisation, text, what happened)
ACTIONS = {
    "bell-foundry": [
        (0, 2, 7, "Ask the council for dates for the lighting repairs on the estate.", "done"),
        (0, 3, 4, "Find a site near welfare facilities for the women's payback group.", "progress"),
        (1, 1, 8, "Share the Mental Health Friendly Places sign-up link with salons.", "done"),
        (1, 4, 0, "Plan a community celebration day with the hub volunteers.", "track"),
        (2, 2, 7, "Walk the bin stores with estate management and list broken doors.", "overdue"),
        (2, 3, 1, "Ask residents where a community mural could go.", "soon"),
        (3, 2, 5, "Bring the Crimestoppers pilot plan to the next meeting.", "overdue"),
        (3, 1, 8, "Invite the social housing needs assessment team to a meeting.", "done"),
        (4, 4, 4, "Write a short piece about the group for the newsletter.", "soon"),
        (
            4,
            2,
            "Probation Service (demo)",
            "Clear the overgrown footpath behind the garages.",
            "track",
        ),
    ],
    "new-parks": [
        (0, 5, 9, "Ask the allotment society about seed donations for the garden.", "done"),
        (0, 3, 0, "Set a weekly time for the wellbeing gardening group.", "done"),
        (1, 3, 8, "Share crisis café opening times with GP practices.", "progress"),
        (1, 1, 5, "Report the hotspot by the shops to the neighbourhood team.", "overdue"),
        (2, 1, 4, "Find a second evening for the youth group.", "soon"),
        (2, 2, 6, "Arrange a fire safety talk at the hub.", "track"),
        (3, 4, 8, "Put leaflets on substance misuse support in the hub.", "done"),
        (3, 5, 7, "Ask the council to clear fly-tipping on the green.", "overdue"),
        (4, 1, 0, "Invite the new ward councillors to the next meeting.", "soon"),
        (4, 5, "Leicester City Council (demo)", "Check the broken bench by the garden.", "track"),
    ],
    "thringstone-whitwick": [
        (0, 1, 0, "Ask the school to share how the parent ambassadors work.", "done"),
        (0, 4, 7, "List the long-term upkeep sites for payback with the council.", "progress"),
        (1, 3, 8, "Find out which services could run drop-ins in Whitwick.", "overdue"),
        (1, 2, 5, "Share the police surgery dates with both villages.", "done"),
        (2, 3, 4, "Put a list of local services in the community hub.", "soon"),
        (2, 4, 2, "Ask the parish council for a slot to give a People Zones update.", "done"),
        (3, 1, 0, "Gather ideas for holiday activities from young people.", "overdue"),
        (3, 2, 6, "Arrange a home fire safety visit day.", "track"),
        (4, 1, 0, "Book the hall for the summer activity day.", "soon"),
        (
            4,
            4,
            "North West Leicestershire District Council (demo)",
            "Check the litter bins on the recreation ground.",
            "track",
        ),
    ],
}
UPDATES = {
    "done": "Done; reported back at the meeting.",
    "progress": "Under way; an update is due at the next meeting.",
}

ALL = ["bell-foundry", "new-parks", "thringstone-whitwick"]
# Initiatives named in the report: (slug, title, kind, status, zones, themes, partners,
# description, milestones, outputs (label, value, unit)). Descriptions are our own words.
INITIATIVES = [
    (
        "bell-foundry-community-payback",
        "Women-only Community Payback group, Bell Foundry",
        K.PAYBACK,
        ST.PLANNED,
        ["bell-foundry"],
        ["Pride of Place", "Community Safety"],
        "Probation Service; Charnwood Borough Council; a community hub",
        "A Community Payback group for women is being set up at a community hub, backed by a "
        "community leader on the steering group. Sites must be close to toilets, water and "
        "shelter, so the work is building a set of places across the zone with the council.",
        ["Meet about using a local office as a welfare base"],
        [],
    ),
    (
        "thringstone-whitwick-community-payback",
        "Community Payback, Thringstone & Whitwick",
        K.PAYBACK,
        ST.IDEA,
        ["thringstone-whitwick"],
        ["Pride of Place"],
        "Probation Service; North West Leicestershire District Council",
        "Early talks with the district council found places needing long-term upkeep; a project "
        "for the zone is still to be chosen.",
        ["Choose a project for the zone"],
        [],
    ),
    (
        "new-parks-community-payback-garden",
        "Wellbeing garden, New Parks community hub",
        K.PAYBACK,
        ST.COMPLETED,
        ["new-parks"],
        ["Pride of Place", "Health and Wellbeing"],
        "Probation Service; the local allotment society; New Parks community hub",
        "People on Community Payback turned unused, overgrown land at the hub into a garden, "
        "with raised beds so that disabled people can garden too. A weekly wellbeing gardening "
        "group now looks after it, children learn to grow food there, and the produce is meant "
        "for food banks.",
        [],
        [
            (
                "of unpaid work on the garden (demo figure, not from the report)",
                Decimal("1240"),
                "hours",
            )
        ],
    ),
    (
        "community-leadership-programme-cohort",
        "Community Leadership Programme: new cohort",
        K.LEADERSHIP,
        ST.LIVE,
        ALL,
        [],
        "Community Leaders Network",
        "A new cohort of three people was recruited in late 2022. Earlier participants went on to "
        "join the wider Community Leaders Network, and some support the steering groups.",
        ["Induction of the new cohort"],
        [],
    ),
    (
        "mini-police",
        "Mini Police",
        K.MINI_POLICE,
        ST.PILOT,
        ALL,
        ["Youth Provision", "Community Safety"],
        "Leicestershire Police; Thringstone Primary School",
        "Pupils learn about policing and their community. The pilot ran in two of the three zones; "
        "Thringstone Primary School added a parent ambassadors scheme to reach families it "
        "rarely hears from, and a school in the third zone is set to join the next round.",
        ["A school in the third zone joins"],
        [("where the pilot ran", Decimal("2"), "People Zones")],
    ),
    (
        "mental-health-friendly-places",
        "Mental Health Friendly Places",
        K.MENTAL_HEALTH,
        ST.PILOT,
        ["bell-foundry"],
        ["Health and Wellbeing"],
        "Public Health",
        "Training for hairdressers, barbers, tattooists and beauty salons, who talk with many "
        "people, so they feel able to start a conversation about mental health and help prevent "
        "suicide. Piloted in Bell Foundry in early 2023; the pilot shaped the full programme.",
        [("Full programme launches on World Suicide Prevention Day", datetime.date(2023, 9, 10))],
        [],
    ),
    (
        "crimestoppers-bell-foundry-pilot",
        "Crimestoppers pilot, Bell Foundry",
        K.CRIMESTOPPERS,
        ST.PLANNED,
        ["bell-foundry"],
        ["Community Safety"],
        "Crimestoppers",
        "A first Crimestoppers campaign in Bell Foundry, aimed at hotspots chosen from earlier "
        "problem profiles and the zone's research.",
        [],
        [],
    ),
    (
        "crimestoppers-people-zones",
        "Crimestoppers in every People Zone",
        K.CRIMESTOPPERS,
        ST.PLANNED,
        ALL,
        ["Community Safety", "Crime and Anti-Social Behaviour"],
        "Crimestoppers",
        "After the Bell Foundry pilot, Crimestoppers campaigns follow in all three zones, "
        "targeted where they can do most good.",
        ["Bell Foundry pilot reviewed"],
        [],
    ),
    (
        "adult-education-courses",
        "Free adult education courses",
        K.ADULT_EDUCATION,
        ST.PLANNED,
        ALL,
        ["Health and Wellbeing", "Access to Services"],
        "Leicestershire County Council adult education: GoLearn! and Multiply",
        "Free courses in digital, wellbeing and cooking skills, in adult education centres and "
        "community hubs, filling gaps the research found.",
        [],
        [],
    ),
    (
        "trauma-informed-schools-pilot",
        "Trauma-informed primary schools pilot",
        K.PUBLIC_HEALTH,
        ST.PLANNED,
        ALL,
        [],
        "Public Health (Healthy Tots and Healthy Schools)",
        "A pilot with primary schools and the pre-schools that feed them, as Public Health adds a "
        "trauma-informed officer to its work with young children.",
        [],
        [],
    ),
    (
        "social-housing-needs-assessment",
        "Social housing tenants' needs assessment",
        K.PUBLIC_HEALTH,
        ST.LIVE,
        ["bell-foundry"],
        ["Health and Wellbeing"],
        "Public Health",
        "Public Health is assessing the needs of social housing tenants in Charnwood. The Bell "
        "Foundry steering group checked the questions before the survey went out.",
        [],
        [],
    ),
]
# The cohort's participants are invented and private: the public sees only how many.
PARTICIPANTS = ["Casey Demoworth", "Jamie Fictionby", "Riley Samplestone"]


def _meeting_days(*, weekday: int) -> list[datetime.datetime]:
    """Monthly meetings on the second `weekday` at 6pm London time: five past, one to come."""
    now = timezone.now()
    today = timezone.localdate()
    starts = []
    for offset in range(-7, 3):
        year, month = divmod(today.year * 12 + today.month - 1 + offset, 12)
        first = datetime.date(year, month + 1, 1)
        day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7)
        starts.append(timezone.make_aware(datetime.datetime.combine(day, datetime.time(18))))
    next_index = next(i for i, start in enumerate(starts) if start >= now)
    return starts[next_index - PAST_MEETINGS : next_index + 1]


def _group(*, zone: Zone, actor: User) -> SteeringGroup:
    group = SteeringGroup.objects.filter(zone=zone).first()
    if group is None:
        name, prefix, _weekday, _places = GROUPS[zone.slug]
        group = group_create(
            zone=zone,
            actor=actor,
            name=name,
            action_prefix=prefix,
            terms_of_reference=TERMS.format(zone=zone),
        )
    return group


def _members(*, group: SteeringGroup, actor: User) -> list[Member]:
    existing = {member.name: member for member in group.members.all()}
    members = []
    for name, sector, role, organisation, area, named, email in MEMBERS[group.zone.slug]:
        member = existing.get(name) or member_add(
            group=group,
            actor=actor,
            name=name,
            sector=sector,
            role=role,
            organisation=organisation,
            area=area,
            agreed_to_be_named=named,
            user=User.objects.filter(email=email).first() if email else None,
            joined=REPORT_DATE - datetime.timedelta(days=200),
        )
        members.append(member)
    return members


def _meetings_and_actions(*, group: SteeringGroup, members: list[Member], actor: User) -> int:
    """Five past meetings (minuted; the last only circulated), one to come, and the actions."""
    slug = group.zone.slug
    _name, _prefix, weekday, places = GROUPS[slug]
    themes = list(group.zone.themes.order_by("order"))
    meetings = []
    for number, starts in enumerate(_meeting_days(weekday=weekday)):
        meeting = meeting_create(
            group=group,
            actor=actor,
            starts=starts,
            ends=starts + datetime.timedelta(minutes=90),
            place=places[number % len(places)],
        )
        meetings.append(meeting)
        past = number < PAST_MEETINGS
        topic = TOPICS[slug][number] if past else TOPICS[slug][-1]
        theme = themes[topic[0] - 1]
        for title, item_themes in [
            ("Welcome and apologies", []),
            ("Matters arising from the action log", []),
            (topic[1] if past else "Planning the next quarter", [theme]),
            ("Any other business", []),
        ]:
            agenda_item_add(meeting=meeting, actor=actor, title=title, themes=item_themes)
        if not past:
            continue
        for index, member in enumerate(members):
            status = "apologies" if (index + number) % 5 == 4 else "present"
            attendance_set(meeting=meeting, actor=actor, member=member, status=status)
        minutes_save(
            meeting=meeting,
            actor=actor,
            minutes=(
                "<p>The chair welcomed everyone.</p><h3>Matters arising</h3>"
                "<p>The group went through the open actions on the action log.</p>"
                f"<h3>{topic[1]}</h3><p>{topic[2]}</p><h3>Any other business</h3><p>None.</p>"
            ),
            decisions=f"Agreed the actions on {topic[1].lower()} recorded in the action log.",
        )
        steps = (
            ["circulate"] if number == PAST_MEETINGS - 1 else ["circulate", "approve", "publish"]
        )
        for step in steps:
            minutes_transition(meeting=meeting, actor=actor, action=step)

    today = timezone.localdate()
    for raised, theme_number, owner, text, plan in ACTIONS[slug]:
        meeting = meetings[raised]
        held = timezone.localdate(meeting.starts)
        due = {
            "done": held + datetime.timedelta(days=21),
            "progress": today + datetime.timedelta(days=25),
            "overdue": max(today - datetime.timedelta(days=9), held),
            "soon": today + datetime.timedelta(days=4),
            "track": today + datetime.timedelta(days=30),
        }[plan]
        action = action_create(
            group=group,
            actor=actor,
            description=text,
            owner_member=members[owner] if isinstance(owner, int) else None,
            owner_text=owner if isinstance(owner, str) else "",
            theme=themes[theme_number - 1],
            raised_at=meeting,
            due=due,
        )
        if plan in UPDATES:
            status = "done" if plan == "done" else "in_progress"
            action_update(action=action, actor=actor, text=UPDATES[plan], status=status)
    return len(meetings)


def _initiatives(*, actor: User) -> int:
    zones = {zone.slug: zone for zone in Zone.objects.filter(slug__in=ALL)}
    made = 0
    for (
        slug,
        title,
        kind,
        status,
        zone_slugs,
        theme_titles,
        partners,
        text,
        steps,
        outputs,
    ) in INITIATIVES:
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            initiative = initiative_create(
                actor=actor,
                title=title,
                slug=slug,
                kind=kind,
                status=status,
                zones=[zones[z] for z in zone_slugs],
                partners=partners,
                description=text,
                themes=Theme.objects.filter(zone__slug__in=zone_slugs, title__in=theme_titles),
            )
            made += 1
        titles = set(initiative.milestones.values_list("title", flat=True))
        for step in steps:
            step_title, due = step if isinstance(step, tuple) else (step, None)
            if step_title not in titles:
                milestone_add(initiative=initiative, actor=actor, title=step_title, due=due)
        recorded = {(o.label, o.value) for o in initiative.outputs.all()}
        for label, value, unit in outputs:
            if (label, value) not in recorded:
                initiative_output_set(
                    initiative=initiative,
                    actor=actor,
                    label=label,
                    value=value,
                    unit=unit,
                    as_of=REPORT_DATE,
                )
        if kind == K.LEADERSHIP:
            _participants(initiative=initiative, actor=actor)
    return made


def _participants(*, initiative: Initiative, actor: Any) -> None:
    # No service adds participants yet; this writes the rows and the audit event as one would.
    known = set(initiative.participants.values_list("name", flat=True))
    for name in PARTICIPANTS:
        if name not in known:
            participant_add(initiative=initiative, actor=actor, name=name)


def load(*, out: TextIO) -> None:
    """Create the demo groups, meetings, actions and initiatives that are not there yet."""
    actor = User.objects.get(email=ACTOR_EMAIL)
    for zone in Zone.objects.filter(slug__in=GROUPS).order_by("name"):
        group = _group(zone=zone, actor=actor)
        members = _members(group=group, actor=actor)
        if not group.meetings.exists():
            count = _meetings_and_actions(group=group, members=members, actor=actor)
            out.write(f"  {group.name}: {len(members)} members, {count} meetings\n")
    made = _initiatives(actor=actor)
    out.write(f"  {made} initiatives created\n")
