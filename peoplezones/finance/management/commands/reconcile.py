import json

from django.core.management.base import BaseCommand, CommandError

from peoplezones.core.money import format_gbp
from peoplezones.finance.importers import check_as_dict
from peoplezones.finance.reconciliation import reconcile

HEADINGS = ("scope", "key", "source", "stated", "computed", "difference")


class Command(BaseCommand):
    help = (
        "List every stated figure (a total as published) beside the total computed from the "
        "records, with the difference (stated minus computed). Exits 1 when any figure differs "
        "or its key matches nothing recorded, 0 when all agree (or none are recorded). --json "
        "prints a list of objects with scope, key, source, stated, computed, difference (strings "
        'of pounds and pence such as "38277.06" and "-16.00"; computed and difference are null '
        "when the key matches nothing), agrees and problem."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print JSON (a list of objects), not a table.",
        )

    def handle(self, *args, as_json: bool, **options) -> None:
        checks = reconcile()
        if as_json:
            self.stdout.write(
                json.dumps([check_as_dict(c) for c in checks], indent=2, ensure_ascii=False)
            )
        else:
            self._table(checks)
        differ = [c for c in checks if c.computed is not None and not c.agrees]
        unmatched = [c for c in checks if c.computed is None]
        if differ or unmatched:
            raise CommandError(
                f"{len(differ)} of {len(checks)} stated figures differ from the records and "
                f"{len(unmatched)} match nothing recorded.",
                returncode=1,
            )
        if not as_json:
            self.stdout.write(
                self.style.SUCCESS(f"All {len(checks)} stated figures agree with the records.")
                if checks
                else "No stated figures are recorded (manage.py import_stated_figures FILE)."
            )

    def _table(self, checks) -> None:
        rows = []
        for check in checks:
            figure = check.figure
            computed = format_gbp(check.computed) if check.computed is not None else "-"
            if check.computed is None:
                difference = f"no match: {check.problem}"
            elif check.agrees:
                difference = "agrees"
            else:
                difference = _signed(check.difference)
            rows.append(
                (
                    figure.scope,
                    figure.key,
                    figure.source,
                    format_gbp(figure.amount),
                    computed,
                    difference,
                )
            )
        if not rows:
            return
        widths = [max(len(str(r[i])) for r in [HEADINGS, *rows]) for i in range(len(HEADINGS))]
        money_columns = {3, 4}

        def line(values) -> str:
            cells = [
                str(v).rjust(w) if i in money_columns else str(v).ljust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        self.stdout.write(line(HEADINGS))
        self.stdout.write(line(["-" * w for w in widths]))
        for row in rows:
            self.stdout.write(line(row))


def _signed(amount) -> str:
    return format_gbp(amount) if amount < 0 else "+" + format_gbp(amount)
