"""Occurrences of repeating events: every week, or every month on the same day of the month."""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Occurrence:
    event: Any
    start: datetime.datetime
    end: datetime.datetime


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime | None:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    if moment.day > calendar.monthrange(year, month)[1]:
        return None  # no 31st in this month: that month has no occurrence
    return moment.replace(year=year, month=month)


def occurrences(
    event: Any, *, after: datetime.datetime, before: datetime.datetime
) -> Iterator[Occurrence]:
    """Occurrences of the event that have not ended by `after` and start before `before`.

    Repeats keep the local wall-clock time (a 7pm club stays at 7pm across the clock change).
    """
    local_start = timezone.localtime(event.start)
    duration = event.end - event.start
    until = event.repeat_until
    step = 0
    while True:
        if event.recurrence == "weekly":
            naive = local_start.replace(tzinfo=None) + datetime.timedelta(weeks=step)
        elif event.recurrence == "monthly":
            shifted = _add_months(local_start.replace(tzinfo=None), step)
            if shifted is None:
                step += 1
                continue
            naive = shifted
        elif step > 0:
            return
        else:
            naive = local_start.replace(tzinfo=None)
        start = timezone.make_aware(naive)
        if start >= before or (step > 0 and until is not None and start.date() > until):
            return
        if start + duration > after:
            yield Occurrence(event=event, start=start, end=start + duration)
        step += 1
        if step > 2000:  # a weekly event over 38 years: stop rather than loop on bad data
            return
