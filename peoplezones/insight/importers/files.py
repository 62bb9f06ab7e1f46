"""What the reference-data readers (IMD, area boundaries) share: opening files, naming errors."""

import gzip
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

Progress = Callable[[Iterable[Any]], Iterable[Any]]


class ImportFileError(Exception):
    """A file that cannot be imported at all; the message says what is wrong and where."""


@dataclass(frozen=True)
class RowError:
    """One bad row (or GeoJSON feature): where it is, a reason code to count by, and why.

    `where` is how the person finds it: "line 12" in a CSV (the header is line 1, as a
    spreadsheet shows it), "feature 3 (E01013721)" in a GeoJSON file (counted from 1).
    """

    where: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_path(*, path: Path, suffixes: tuple[str, ...], what: str) -> None:
    """Raise ImportFileError unless `path` is an existing file ending in one of `suffixes`."""
    if not path.exists():
        raise ImportFileError(_("%(file)s: there is no such file.") % {"file": path})
    if not path.is_file():
        raise ImportFileError(_("%(file)s: is not a file.") % {"file": path})
    if not path.name.lower().endswith(suffixes):
        raise ImportFileError(
            _("%(file)s: is not %(what)s. Give a file ending in %(suffixes)s.")
            % {"file": path, "what": what, "suffixes": ", ".join(suffixes)}
        )


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """The file as UTF-8 text, gunzipped if its name ends in .gz; a byte-order mark is dropped.

    Errors while opening become ImportFileError; decoding errors surface while reading, so
    callers catch UnicodeDecodeError around their loop too.
    """
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
                yield text
        else:
            with path.open(encoding="utf-8-sig", newline="") as text:
                yield text
    except (OSError, EOFError) as error:
        raise ImportFileError(
            _("%(file)s: cannot be read (%(error)s).") % {"file": path, "error": error}
        ) from None
    except UnicodeDecodeError:
        raise ImportFileError(_("%(file)s: is not a UTF-8 text file.") % {"file": path}) from None
