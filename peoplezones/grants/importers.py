"""Reading historical grant awards from CSV (`awards_import`), e.g. the funding tables of a
report to the Police and Crime Panel.

Each row (zone, round, organisation, project, brief, amount, optional award_date) becomes an
`Application` marked `imported`, approved, with its `Award`. The award's identifier is the
fund's 360Giving prefix and the application's reference; it draws a commitment only when the
round has a budget line. A row is known by its round, organisation and project, so importing
the same file again changes nothing; a row that matches a recorded award but says something
else about it is an error, not a silent change.

Rounds must already exist, unless a fund is given (`--fund`): then a round the file names that
is not recorded yet is created from the row's `opens` and `closes` dates (09:00 and 17:00
London time), open to the zones of its rows, in the given budget year or else the financial
year it closes in, and marked decided (it is history).

Files are read and written the way `finance.importers` describes: every row checked first,
nothing written if any row is bad, one transaction, dry runs rolled back.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peoplezones.core.money import format_gbp
from peoplezones.core.services import audit_record
from peoplezones.finance import services as finance
from peoplezones.finance.importers import (
    CsvRow,
    ImportReport,
    Progress,
    money,
    no_progress,
    read_csv,
    run_import,
    text,
)
from peoplezones.finance.models import BudgetYear, Commitment
from peoplezones.grants.models import (
    DEFAULT_MAXIMUM_AWARD,
    Application,
    Award,
    Fund,
    GrantRound,
    Organisation,
)
from peoplezones.grants.services import award_identifier, create_round, next_reference
from peoplezones.zones.models import Zone

AWARD_COLUMNS = (
    "zone",
    "round",
    "organisation",
    "project",
    "brief",
    "amount",
    "award_date",
    "opens",
    "closes",
)
AWARD_REQUIRED = ("zone", "round", "organisation", "project", "brief", "amount")
ROUND_OPENS = datetime.time(9, 0)
ROUND_CLOSES = datetime.time(17, 0)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_date(value: str) -> datetime.date | None:
    """A date written 2023-01-30 or 30/01/2023; None if it is neither."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def london(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A local London time on a day (GMT or BST, whichever applies that day)."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass
class NewRound:
    """A round the file names that is not recorded yet; created before the awards."""

    name: str
    opens: datetime.date
    closes: datetime.date
    line: int
    zones: list[Zone] = field(default_factory=list)


@dataclass(frozen=True)
class AwardRow:
    round_name: str
    zone: Zone
    organisation: str
    project: str
    brief: str
    amount: Decimal
    award_date: datetime.date | None


def _date(row: CsvRow, column: str, problems: list[str]) -> datetime.date | None:
    value = row.get(column)
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        problems.append(
            _("%(column)s: “%(value)s” is not a date; write it like 2023-01-30 or 30/01/2023.")
            % {"column": column, "value": value[:40]}
        )
    return day


def awards_import(
    *,
    content: bytes,
    actor: Any = None,
    fund: Fund | None = None,
    budget_year: int | None = None,
    default_award_date: Callable[[GrantRound], datetime.date | None] | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import historical awards; see the module's docstring for the rules.

    `fund` allows missing rounds to be created (their budget year: `budget_year`, the starting
    year, or the financial year they close in). `default_award_date` gives the decision date
    for rows without one (none: left unknown).
    """
    rows = read_csv(content=content, columns=AWARD_COLUMNS, required=AWARD_REQUIRED)
    report = ImportReport(rows=len(rows))
    zones = {zone.slug: zone for zone in Zone.objects.all()}
    rounds = {
        _key(r.name): r for r in GrantRound.objects.select_related("fund").prefetch_related("zones")
    }
    new_rounds: dict[str, NewRound] = {}
    seen: dict[tuple[str, str, str], int] = {}
    plans: list[tuple[int, AwardRow]] = []
    today = timezone.localdate()
    for row in progress(rows, _("Checking")):
        problems = list(row.problems)
        slug = row.get("zone").lower()
        zone = zones.get(slug)
        if zone is None:
            problems.append(
                _("zone: there is no zone “%(value)s”; the zones are %(zones)s.")
                % {"value": slug[:40], "zones": ", ".join(sorted(zones)) or "-"}
            )
        round_name = text(row, "round", problems, max_length=200)
        organisation = text(row, "organisation", problems, max_length=200)
        project = text(row, "project", problems, max_length=200)
        brief = text(row, "brief", problems, max_length=10000, one_line=False)
        amount = money(row, "amount", problems)
        award_date = _date(row, "award_date", problems)
        opens = _date(row, "opens", problems)
        closes = _date(row, "closes", problems)
        if award_date is not None and award_date > today:
            problems.append(
                _("award_date: %(date)s is in the future; historical awards are already made.")
                % {"date": award_date.isoformat()}
            )
        if amount is not None and amount <= 0:
            problems.append(_("amount: an award must be more than £0.00."))
        grant_round = rounds.get(_key(round_name)) if round_name else None
        maximum, minimum = DEFAULT_MAXIMUM_AWARD, Decimal("0.00")
        if grant_round is not None:
            maximum, minimum = grant_round.maximum_award, grant_round.minimum_award
            round_name = grant_round.name
            local_opens = timezone.localdate(grant_round.opens_at)
            local_closes = timezone.localdate(grant_round.closes_at)
            if opens is not None and opens != local_opens:
                problems.append(
                    _("opens: the round “%(round)s” opened on %(date)s, not %(value)s.")
                    % {"round": round_name, "date": local_opens, "value": opens}
                )
            if closes is not None and closes != local_closes:
                problems.append(
                    _("closes: the round “%(round)s” closed on %(date)s, not %(value)s.")
                    % {"round": round_name, "date": local_closes, "value": closes}
                )
            if zone is not None and zone not in grant_round.zones.all():
                problems.append(
                    _("zone: the round “%(round)s” was not open to %(zone)s.")
                    % {"round": round_name, "zone": zone.name}
                )
            if award_date is not None and award_date < local_opens:
                problems.append(
                    _("award_date: %(date)s is before the round opened (%(opens)s).")
                    % {"date": award_date, "opens": local_opens}
                )
        elif round_name:
            problems.extend(
                _new_round_problems(
                    new_rounds, row=row, name=round_name, opens=opens, closes=closes, fund=fund
                )
            )
            planned = new_rounds.get(_key(round_name))
            if planned is not None and zone is not None and zone not in planned.zones:
                planned.zones.append(zone)
        if amount is not None and amount > maximum:
            problems.append(
                _("amount: %(amount)s is more than the round's largest grant, %(maximum)s.")
                % {"amount": format_gbp(amount), "maximum": format_gbp(maximum)}
            )
        if amount is not None and 0 < amount < minimum:
            problems.append(
                _("amount: %(amount)s is less than the round's smallest grant, %(minimum)s.")
                % {"amount": format_gbp(amount), "minimum": format_gbp(minimum)}
            )
        if round_name and organisation and project:
            identity = (_key(round_name), _key(organisation), _key(project))
            if identity in seen:
                problems.append(
                    _("The same round, organisation and project are already on line %(first)s.")
                    % {"first": seen[identity]}
                )
            else:
                seen[identity] = row.line
        if grant_round is not None and organisation and project and zone and amount:
            problems.extend(
                _recorded_problems(
                    grant_round,
                    organisation=organisation,
                    project=project,
                    zone=zone,
                    amount=amount,
                    award_date=award_date,
                )
            )
        for problem in problems:
            report.error(row.line, problem)
        if not problems:
            plans.append(
                (
                    row.line,
                    AwardRow(round_name, zone, organisation, project, brief, amount, award_date),
                )
            )

    created_rounds: list[GrantRound] = []

    def before() -> None:
        for planned in new_rounds.values():
            start_year = (
                budget_year
                if budget_year is not None
                else BudgetYear.start_year_for(planned.closes)
            )
            year = BudgetYear.objects.filter(start_year=start_year).first()
            if year is None:
                year = finance.get_or_create_year(start_year=start_year, actor=actor)
                report.notes.append(_("Budget year %(year)s created.") % {"year": year.label})
            try:
                grant_round = create_round(
                    actor=actor,
                    fund=fund,
                    name=planned.name,
                    zones=planned.zones,
                    opens_at=london(planned.opens, ROUND_OPENS),
                    closes_at=london(planned.closes, ROUND_CLOSES),
                    budget_year=year,
                    check_permission=False,
                )
            except ValidationError as error:
                for message in error.messages:
                    report.error(planned.line, f"round: {message}")
                continue
            rounds[_key(grant_round.name)] = grant_round
            created_rounds.append(grant_round)
            report.notes.append(
                _("Round created: %(name)s (%(opens)s to %(closes)s, budget year %(year)s).")
                % {
                    "name": grant_round.name,
                    "opens": planned.opens.isoformat(),
                    "closes": planned.closes.isoformat(),
                    "year": year.label,
                }
            )

    organisations = {_key(o.name): o for o in Organisation.objects.all()}

    def write(plan: AwardRow) -> str:
        grant_round = rounds.get(_key(plan.round_name))
        if grant_round is None:
            raise ValidationError(_("round: the round could not be created (see above)."))
        if _find_recorded(grant_round, plan.organisation, plan.project) is not None:
            return "unchanged"
        organisation = organisations.get(_key(plan.organisation))
        created = organisation is None
        if created:
            organisation = _create_organisation(name=plan.organisation, actor=actor)
        award_date = plan.award_date
        if award_date is None and default_award_date is not None:
            award_date = default_award_date(grant_round)
        award_import(
            grant_round=grant_round,
            organisation=organisation,
            zone=plan.zone,
            project=plan.project,
            brief=plan.brief,
            amount=plan.amount,
            award_date=award_date,
            actor=actor,
        )
        if created:
            # Only now: had the award been refused, the row's savepoint would have taken the
            # new organisation with it.
            organisations[_key(organisation.name)] = organisation
            report.notes.append(_("Organisation created: %(name)s.") % {"name": organisation.name})
        return "created"

    def after() -> None:
        for grant_round in created_rounds:
            _mark_historical_round_decided(grant_round, actor=actor)

    return run_import(
        report=report,
        plans=plans,
        write=write,
        dry_run=dry_run,
        progress=progress,
        before=before,
        after=after,
    )


def _new_round_problems(
    new_rounds: dict[str, NewRound],
    *,
    row: CsvRow,
    name: str,
    opens: datetime.date | None,
    closes: datetime.date | None,
    fund: Fund | None,
) -> list[str]:
    if fund is None:
        return [
            _(
                "round: there is no grant round called “%(name)s”. Set it up first, or give "
                "--fund (with opens and closes columns) to create it."
            )
            % {"name": name}
        ]
    planned = new_rounds.get(_key(name))
    if planned is None:
        if opens is None or closes is None:
            return [
                _(
                    "round: “%(name)s” is not recorded yet; give the dates it opened and closed "
                    "in the opens and closes columns to create it."
                )
                % {"name": name}
            ]
        if closes < opens:
            return [_("closes: the round cannot close before it opens.")]
        new_rounds[_key(name)] = NewRound(name=name, opens=opens, closes=closes, line=row.line)
        return []
    problems = []
    if opens is not None and opens != planned.opens:
        problems.append(
            _("opens: line %(line)s says the round opened on %(date)s.")
            % {"line": planned.line, "date": planned.opens.isoformat()}
        )
    if closes is not None and closes != planned.closes:
        problems.append(
            _("closes: line %(line)s says the round closed on %(date)s.")
            % {"line": planned.line, "date": planned.closes.isoformat()}
        )
    return problems


def _find_recorded(grant_round: GrantRound, organisation: str, project: str) -> Application | None:
    candidates = Application.objects.filter(
        round=grant_round,
        organisation__name__iexact=organisation,
        project_name__iexact=project,
    ).select_related("zone", "award")
    return candidates.first()


def _recorded_problems(
    grant_round: GrantRound,
    *,
    organisation: str,
    project: str,
    zone: Zone,
    amount: Decimal,
    award_date: datetime.date | None,
) -> list[str]:
    """Why a row that matches an application already recorded cannot be imported, if it can't.

    The same award again is fine (nothing changes); anything else would rewrite a decision
    about public money, which is done on its page, with a reason, not by re-importing.
    """
    application = _find_recorded(grant_round, organisation, project)
    if application is None:
        return []
    award = getattr(application, "award", None)
    if award is None:
        return [
            _(
                "An application for this project is already recorded in this round "
                "(%(reference)s, %(status)s) without an award."
            )
            % {"reference": application.reference, "status": application.get_status_display()}
        ]
    differences = []
    if award.amount != amount:
        differences.append(
            _("amount %(recorded)s, not %(amount)s")
            % {"recorded": format_gbp(award.amount), "amount": format_gbp(amount)}
        )
    if application.zone_id != zone.pk:
        differences.append(
            _("zone %(recorded)s, not %(zone)s")
            % {"recorded": application.zone.slug, "zone": zone.slug}
        )
    if award_date is not None and award.decided_on not in (None, award_date):
        differences.append(
            _("award date %(recorded)s, not %(date)s")
            % {"recorded": award.decided_on.isoformat(), "date": award_date.isoformat()}
        )
    if not differences:
        return []
    return [
        _(
            "This award is already recorded (%(identifier)s) with %(differences)s. Change a "
            "recorded award on its page, not by importing it again."
        )
        % {"identifier": award.identifier, "differences": "; ".join(differences)}
    ]


def _create_organisation(*, name: str, actor: Any) -> Organisation:
    organisation = Organisation(name=name, org_type=Organisation.Type.OTHER)
    organisation.full_clean()
    organisation.save()
    audit_record(actor=actor, verb="grants.organisation_imported", target=organisation)
    return organisation


def award_import(
    *,
    grant_round: GrantRound,
    organisation: Organisation,
    zone: Zone,
    project: str,
    brief: str,
    amount: Decimal,
    award_date: datetime.date | None,
    actor: Any,
) -> Award:
    """Record one historical award: an approved, imported application and its award.

    Runs in the caller's transaction (`run_import`). Commits money from the round's budget
    line if it has one, refusing (ValidationError) to over-commit it like any approval.
    """
    application = Application(
        round=grant_round,
        organisation=organisation,
        zone=zone,
        reference=next_reference(grant_round),
        status=Application.Status.APPROVED,
        project_name=project,
        brief=brief,
        amount_requested=amount,
        imported=True,
    )
    application.full_clean()
    application.save()
    commitment = None
    if grant_round.budget_line is not None:
        commitment = finance.commit(
            line=grant_round.budget_line,
            amount=amount,
            description=f"{application.reference} {organisation}: {project}",
            kind=Commitment.Kind.GRANT,
            actor=actor,
            zone=zone,
            committed_on=award_date or timezone.localdate(grant_round.closes_at),
        )
    award = Award(
        application=application,
        amount=amount,
        decided_on=award_date,
        identifier=award_identifier(application),
        commitment=commitment,
    )
    award.full_clean()
    award.save()
    audit_record(
        actor=actor,
        verb="grants.award_imported",
        target=application,
        zone=zone,
        data={
            "amount": str(amount),
            "award": award.identifier,
            "decided_on": award_date.isoformat() if award_date else None,
        },
    )
    return award


def _mark_historical_round_decided(grant_round: GrantRound, *, actor: Any) -> None:
    """A round created from a table of awards is history: decided when its last award was."""
    latest = (
        Award.objects.filter(application__round=grant_round, decided_on__isnull=False)
        .order_by("-decided_on")
        .values_list("decided_on", flat=True)
        .first()
    )
    decided_at = london(latest, ROUND_CLOSES) if latest else grant_round.closes_at
    grant_round.decided_at = max(decided_at, grant_round.closes_at)
    grant_round.save(update_fields=["decided_at", "modified"])
    audit_record(
        actor=actor,
        verb="grants.round_decided",
        target=grant_round,
        data={"imported": True, "decided_at": grant_round.decided_at.isoformat()},
    )
