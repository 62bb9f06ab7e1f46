"""The action log as a steering group circulates it: CSV for spreadsheets, Word for papers.

Both have the same columns: reference, action, owner, theme, raised, due, status, RAG and the
latest update. They are for the group's members (they name owners), never for the public.
"""

import csv
import datetime
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from peoplezones.core.csvsafe import csv_safe
from peoplezones.governance.action_queries import RAG_LABELS, RAG_NAMES
from peoplezones.governance.models import Action, SteeringGroup

# Cell shading for the RAG column (the words are always there too).
RAG_FILLS = {"red": "F4CCCC", "amber": "FFE599", "green": "D9EAD3"}
# Landscape A4, in centimetres, shared out by how much each column usually holds.
COLUMN_WIDTHS_CM = [1.8, 6.0, 3.0, 2.6, 2.1, 2.1, 1.9, 2.0, 5.2]


def headers() -> list[str]:
    return [
        _("Reference"),
        _("Action"),
        _("Owner"),
        _("Theme"),
        _("Raised"),
        _("Due"),
        _("Status"),
        _("RAG"),
        _("Latest update"),
    ]


def _day(value: datetime.date | None) -> str:
    return date_format(value, "j M Y") if value else ""


def _raised(action: Action) -> datetime.date:
    """The meeting that raised it, or the day it was added to the log."""
    moment = action.raised_at.starts if action.raised_at_id else action.created
    return timezone.localdate(moment)


def _rag_text(action: Action) -> str:
    rag = getattr(action, "rag", None)
    if rag is None:
        return ""
    return f"{RAG_NAMES[rag]} ({RAG_LABELS[rag]})"


def action_row(action: Action) -> list[str]:
    """One line of the log; `action` comes from `action_log` (with `rag`, `latest_update`)."""
    return [
        action.reference,
        action.description,
        action.owner_name,
        action.theme.title if action.theme_id else "",
        _day(_raised(action)),
        _day(action.due),
        action.get_status_display(),
        _rag_text(action),
        getattr(action, "latest_update", None) or "",
    ]


def title(group: SteeringGroup, on: datetime.date) -> str:
    return _("%(group)s: action log, %(date)s") % {
        "group": group.name,
        "date": date_format(on, "j F Y"),
    }


def action_log_csv(*, actions: Sequence[Action]) -> bytes:
    """UTF-8 CSV with a byte order mark (so Excel reads it as UTF-8), formula-safe cells."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for action in actions:
        writer.writerow([csv_safe(cell) for cell in action_row(action)])
    return buffer.getvalue().encode("utf-8")


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_as_header(row) -> None:
    """Word repeats the header row at the top of every page of a long log."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def action_log_docx(*, group: SteeringGroup, actions: Sequence[Action], on: datetime.date) -> bytes:
    """A Word document: the log's title and one table, on landscape A4 pages."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.core_properties.title = title(group, on)
    document.core_properties.language = "en-GB"

    document.add_heading(title(group, on), level=1)
    table = document.add_table(rows=1, cols=len(COLUMN_WIDTHS_CM))
    table.style = "Table Grid"
    table.autofit = False
    head = table.rows[0]
    _repeat_as_header(head)
    for cell, text in zip(head.cells, headers(), strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for action in actions:
        cells = table.add_row().cells
        for index, text in enumerate(action_row(action)):
            cells[index].text = text
        rag = getattr(action, "rag", None)
        if rag in RAG_FILLS:
            _shade(cells[7], RAG_FILLS[rag])
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMN_WIDTHS_CM, strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    if not actions:
        document.add_paragraph(_("There are no actions to show."))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
