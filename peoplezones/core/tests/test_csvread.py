import csv
import io

import pytest

from peoplezones.core.csvread import csv_rows


class FileProblem(Exception):
    pass


def _reader(text):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)  # the header
    return reader


def test_rows_come_with_the_line_they_start_on_and_blank_lines_are_skipped():
    text = 'name,amount\nBowls,£300\n\n  ,  \n"Two\nlines",£5\nLast,£1\n'
    assert list(csv_rows(_reader(text), error=FileProblem)) == [
        (2, ["Bowls", "£300"]),
        (5, ["Two\nlines", "£5"]),
        (7, ["Last", "£1"]),
    ]


def test_a_line_that_is_not_csv_is_named():
    text = 'name,amount\nBowls,£300\n"Open quote,£5\n'
    rows = csv_rows(_reader(text), error=FileProblem)
    assert next(rows) == (2, ["Bowls", "£300"])
    with pytest.raises(FileProblem, match="Line 3 cannot be read as CSV"):
        next(rows)
