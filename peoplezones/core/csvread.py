"""Reading the rows of an uploaded CSV file the way every import of the platform reports them."""

import csv
from collections.abc import Callable, Iterator
from typing import Any

from django.utils.translation import gettext as _


def csv_rows(reader: Any, *, error: Callable[[str], Exception]) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header of a `csv.reader`, each with the line number it starts on.

    Blank lines are skipped. A line that cannot be read as CSV (a quote never closed, say)
    raises `error(message)` (an exception class, or a function that makes one) with a message
    that names the line.
    """
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            raise error(
                _("Line %(line)s cannot be read as CSV: %(error)s")
                % {"line": start, "error": problem}
            ) from None
        line = reader.line_num
        if any(value.strip() for value in values):
            yield start, values
