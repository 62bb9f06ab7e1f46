"""The minutes as a steering group circulates them: a Word document and a CSV of the agenda.

Both are written from a `MinutesDocument` (see `meeting_queries`), which has already decided
whether this is the members' version or the public one; nothing here looks names up again.
"""

import csv
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt

from peoplezones.core.csvsafe import csv_safe
from peoplezones.governance.meeting_queries import MinutesDocument

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_COLUMNS = [
    "section",
    "number",
    "title",
    "owner",
    "minutes_allotted",
    "themes",
    "status",
]


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass
class Block:
    """A paragraph-like piece of the minutes: its Word style and its runs (or table rows)."""

    style: str
    runs: list[Run] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs).strip()


HEADINGS = {"h2": "Heading 2", "h3": "Heading 3", "h4": "Heading 4"}
EMPHASIS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "u": "underline"}


class _MinutesParser(HTMLParser):
    """Turns sanitised minutes (see `services.MINUTES_TAGS`) into Word-shaped blocks.

    The markup is already clean, so this only has to follow structure: paragraphs, headings,
    list items (bulleted or numbered, nested lists indented), quotes, tables and emphasis.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.lists: list[str] = []
        self.emphasis: dict[str, int] = {"bold": 0, "italic": 0, "underline": 0}
        self.in_quote = 0
        self.table: Block | None = None
        self.cell: list[str] | None = None
        self.href: str | None = None

    def _start_block(self, style: str) -> None:
        self._end_block()
        self.current = Block(style=style)

    def _end_block(self) -> None:
        if self.current is not None and self.current.text:
            self.blocks.append(self.current)
        self.current = None

    def _list_style(self) -> str:
        kind = "List Number" if self.lists and self.lists[-1] == "ol" else "List Bullet"
        depth = min(len(self.lists), 3)
        return kind if depth <= 1 else f"{kind} {depth}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EMPHASIS:
            self.emphasis[EMPHASIS[tag]] += 1
        elif tag in ("ul", "ol"):
            self._end_block()
            self.lists.append(tag)
        elif tag == "li":
            self._start_block(self._list_style())
        elif tag in HEADINGS:
            self._start_block(HEADINGS[tag])
        elif tag == "p":
            self._start_block("Quote" if self.in_quote else "Normal")
        elif tag == "blockquote":
            self._end_block()
            self.in_quote += 1
        elif tag == "br":
            if self.cell is not None:
                self.cell.append(" ")
            elif self.current is not None:
                self._append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "table":
            self._end_block()
            self.table = Block(style="Table Grid")
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in EMPHASIS:
            self.emphasis[EMPHASIS[tag]] = max(0, self.emphasis[EMPHASIS[tag]] - 1)
        elif tag in ("ul", "ol"):
            self._end_block()
            if self.lists:
                self.lists.pop()
        elif tag in ("li", "p", *HEADINGS):
            self._end_block()
        elif tag == "blockquote":
            self._end_block()
            self.in_quote = max(0, self.in_quote - 1)
        elif tag == "a":
            # Word readers cannot click a link in a printed copy: the address goes in brackets.
            if self.href and self.href.startswith(("http://", "https://", "mailto:")):
                self.handle_data(f" ({self.href.removeprefix('mailto:')})")
            self.href = None
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            if not self.table.rows:
                self.table.rows.append([])
            self.table.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table" and self.table is not None:
            if any(any(cell for cell in row) for row in self.table.rows):
                self.blocks.append(self.table)
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.table is not None:
            return
        # HTML collapses runs of white space into one space, and so does Word's copy.
        collapsed = " ".join(data.split())
        if not collapsed:
            if self.current is not None and self.current.runs:
                self._append(" ")
            return
        lead = " " if data[:1].isspace() else ""
        trail = " " if data[-1:].isspace() else ""
        self._append(lead + collapsed + trail)

    def _append(self, text: str) -> None:
        if self.current is None:
            self.current = Block(style="Quote" if self.in_quote else "Normal")
        self.current.runs.append(
            Run(
                text=text,
                bold=bool(self.emphasis["bold"]),
                italic=bool(self.emphasis["italic"]),
                underline=bool(self.emphasis["underline"]),
            )
        )

    def close(self) -> None:
        super().close()
        self._end_block()


def minutes_blocks(html: str) -> list[Block]:
    """Sanitised minutes HTML as Word-shaped blocks (paragraphs, headings, list items)."""
    parser = _MinutesParser()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def _when(document: MinutesDocument) -> str:
    starts = timezone.localtime(document.starts)
    text = date_format(starts, "l j F Y, H:i")
    if document.ends:
        text += "–" + date_format(timezone.localtime(document.ends), "H:i")
    return text


def _add_table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = str(text)
    return table


def _add_runs(paragraph, runs: list[Run]) -> None:
    first = True
    for run in runs:
        text = run.text.lstrip() if first else run.text
        first = False
        parts = text.split("\n")
        for index, part in enumerate(parts):
            word_run = paragraph.add_run(part)
            word_run.bold = run.bold or None
            word_run.italic = run.italic or None
            word_run.underline = run.underline or None
            if index < len(parts) - 1:
                word_run.add_break()


def minutes_docx(*, document: MinutesDocument) -> bytes:
    """A Word document: title, attendance, agenda with matters arising, minutes, decisions."""
    doc = Document()
    doc.core_properties.title = _("%(group)s: minutes of %(date)s") % {
        "group": document.group_name,
        "date": date_format(timezone.localtime(document.starts), "j F Y"),
    }
    doc.core_properties.author = document.group_name
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)

    doc.add_heading(document.group_name, level=0)
    doc.add_paragraph(_("Minutes of the meeting on %(when)s") % {"when": _when(document)})
    if document.place or document.link:
        doc.add_paragraph(
            _("Place: %(place)s") % {"place": document.place or document.link},
        )
    if not document.public:
        doc.add_paragraph(
            _("Status: %(status)s. Members' copy: do not share outside the group.")
            % {"status": document.status}
        )

    doc.add_heading(_("Attendance"), level=1)
    rows = [
        [row["name"], row["detail"], _("Present")] for row in document.present + document.guests
    ] + [[row["name"], row["detail"], _("Apologies")] for row in document.apologies]
    if rows:
        _add_table(doc, [_("Name"), _("Organisation or area"), _("Attendance")], rows)
    else:
        doc.add_paragraph(_("No attendance was recorded."))

    doc.add_heading(_("Agenda"), level=1)
    doc.add_heading(_("Matters arising"), level=2)
    if document.matters_arising:
        _add_table(
            doc,
            [_("Reference"), _("Action"), _("Owner"), _("Status")],
            [
                [row["reference"], row["description"], row["owner"], row["status"]]
                for row in document.matters_arising
            ],
        )
    else:
        doc.add_paragraph(_("No actions were open."))
    for item in document.agenda:
        details = [item["owner"]] if item["owner"] else []
        if item["minutes_allotted"]:
            details.append(_("%(minutes)s minutes") % {"minutes": item["minutes_allotted"]})
        if item["themes"]:
            details.append(", ".join(item["themes"]))
        text = item["title"] + (f" ({'; '.join(details)})" if details else "")
        doc.add_paragraph(text, style="List Number")

    doc.add_heading(_("Minutes"), level=1)
    blocks = minutes_blocks(document.minutes_html)
    for block in blocks:
        if block.rows:
            width = max(len(row) for row in block.rows)
            header, *body = [row + [""] * (width - len(row)) for row in block.rows]
            _add_table(doc, header, body)
        else:
            _add_runs(doc.add_paragraph(style=block.style), block.runs)
    if not blocks:
        doc.add_paragraph(_("No minutes have been written."))

    doc.add_heading(_("Decisions"), level=1)
    decisions = [line.strip() for line in document.decisions.splitlines() if line.strip()]
    for line in decisions:
        doc.add_paragraph(line, style="List Bullet")
    if not decisions:
        doc.add_paragraph(_("No decisions were recorded."))

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_csv(*, document: MinutesDocument) -> str:
    """The agenda as rows: matters arising (by action reference) first, then each item."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in document.matters_arising:
        writer.writerow(
            [
                csv_safe(value)
                for value in [
                    "matters_arising",
                    row["reference"],
                    row["description"],
                    row["owner"],
                    "",
                    "",
                    row["status"],
                ]
            ]
        )
    for item in document.agenda:
        writer.writerow(
            [
                csv_safe(value)
                for value in [
                    "agenda",
                    item["order"],
                    item["title"],
                    item["owner"],
                    item["minutes_allotted"] or "",
                    "; ".join(item["themes"]),
                    "",
                ]
            ]
        )
    return out.getvalue()
