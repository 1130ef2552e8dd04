"""A case file as a PDF an auditor can file (ReportLab), Greek text included.

ReportLab's own fonts have no Greek glyphs: the text is set in DejaVu Sans, embedded
in the file, loaded from the system's font package (Debian's fonts-dejavu-core,
which scripts/install-system-deps installs) or from the folder named by
RACIFLOW_PDF_FONT_DIR.
"""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import display
from .case_file import SYSTEM, Entry, changes_text, notified_summary

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
REGULAR, BOLD = "CaseSans", "CaseSans-Bold"


class FontMissing(RuntimeError):
    """No font with Greek glyphs was found: the PDF cannot be made."""


@cache
def _register_fonts() -> None:
    folders = [os.environ.get("RACIFLOW_PDF_FONT_DIR", ""), *FONT_DIRS]
    for folder in filter(None, folders):
        regular, bold = Path(folder, "DejaVuSans.ttf"), Path(folder, "DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            return
    raise FontMissing(
        "DejaVu Sans is not installed (Debian: apt-get install fonts-dejavu-core,"
        " or set RACIFLOW_PDF_FONT_DIR)"
    )


def case_pdf(
    title: str, header: list[str], columns: tuple[str, str, str, str], entries: list[Entry]
) -> bytes:
    """The case file: a title, header lines, and one table row per entry (oldest first)."""
    _register_fonts()
    text = ParagraphStyle("text", fontName=REGULAR, fontSize=7.5, leading=9.5)
    bold = ParagraphStyle("bold", parent=text, fontName=BOLD)
    heading = ParagraphStyle("heading", parent=text, fontName=BOLD, fontSize=14, leading=18)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="raciflow",
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    rows = [[Paragraph(escape(c), bold) for c in columns]]
    rows += [_row(entry, text, bold) for entry in entries]
    # splitInRow: an entry taller than a page (a long analysis) goes on over the next one.
    table = Table(rows, colWidths=[28 * mm, 42 * mm, 70 * mm, 133 * mm], repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ]
        )
    )
    story = [Paragraph(escape(title), heading)]
    story += [Paragraph(escape(line), text) for line in header]
    story += [Spacer(1, 4 * mm), table]
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _row(entry: Entry, text: ParagraphStyle, bold: ParagraphStyle) -> list[Paragraph]:
    when = display.local_time(entry.at)
    who = _("system") if entry.who == SYSTEM else display.person(entry.who)
    if entry.on_behalf_of:
        who += f" ({display.person(entry.on_behalf_of)})"
    if entry.raci_role:
        who += f" · {entry.raci_role}"
    what = [entry.what, entry.task or "", entry.process or ""]
    if entry.instance_id:
        what.append(entry.instance_id[:8])
    lines = [*entry.facts, *changes_text(entry)]
    if entry.why:
        lines.append(entry.why)
    details = [escape(line) for line in lines]
    if entry.meaning:
        details.insert(0, f"<font name='{BOLD}'>{escape(entry.meaning)}</font>")
    if entry.notified:
        details.append(escape(notified_summary(entry)))
    return [
        Paragraph(escape(when), text),
        Paragraph(escape(who), text),
        Paragraph("<br/>".join(escape(w) for w in what if w), text),
        Paragraph("<br/>".join(details), text),
    ]


def _page_number(canvas: object, document: SimpleDocTemplate) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont(REGULAR, 7)  # type: ignore[attr-defined]
    canvas.drawRightString(  # type: ignore[attr-defined]
        document.pagesize[0] - 12 * mm, 6 * mm, str(document.page)
    )
    canvas.restoreState()  # type: ignore[attr-defined]
