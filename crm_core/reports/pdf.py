"""The PDF of a listing or report (CORE-10, issue 17 item 11): a landscape A4 table under a heading
that says what it is — title, the criteria it was run with, when, how many rows — with the column
headings repeated on every page, numbers right-aligned, a totals row for the amounts (decimal
columns) and "Page n of m" with the client's name at the foot of each page.

Stored data never makes the file fail (NF-02): text is cut to its column and, without a Unicode
font on the machine, written in Latin-1 with replacement marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_babel import format_currency, format_datetime, format_decimal
from flask_babel import gettext as _

from crm_core.reports.money import Money, totals_by_currency

#: Unicode TTF fonts looked for, in order; without one the PDF falls back to a Latin-1 core font.
PDF_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)
PDF_LINE_BREAKS = re.compile("[\t\n\r]+")
ROW_HEIGHT = 6


def pdf_font() -> str | None:
    """Path of a Unicode TTF font for PDFs, or ``None`` (then Latin-1 text only)."""
    return next((p for p in PDF_FONTS if Path(p).is_file()), None)


def is_number(value: Any) -> bool:
    """Whether a cell is a number or an amount with its currency (right-aligned)."""
    return isinstance(value, int | float | Decimal | Money) and not isinstance(value, bool)


def pdf_bytes(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    note: str = "",
    criteria: str = "",
    brand: str = "",
    shown: Callable[[Any], str] | None = None,
) -> bytes:
    """The table as a PDF. ``rows`` hold values (numbers stay numbers: right-aligned, decimals
    totalled; amounts with their currency, :class:`~crm_core.reports.money.Money`, totalled per
    currency, one row each); ``shown`` formats a value for people (default: ``str``); ``criteria`` is printed
    under the title ("" = everything the user may see); ``note`` after the table."""
    from fpdf import FPDF

    show = shown or _plain
    footer_text = _("Page %(n)s of %(m)s", n="{page}", m="{nb}")
    font = pdf_font()
    clean = str if font else _latin1

    class Listing(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(family, size=7)
            self.set_text_color(110)
            self.cell(self.epw / 2, 5, clean(brand))
            self.cell(self.epw / 2, 5, clean(footer_text.replace("{page}", str(self.page_no()))), align="R")
            self.set_text_color(0)

    pdf = Listing(orientation="L", unit="mm", format="A4")
    if font:
        pdf.add_font("crm", "", font)
        family = "crm"
    else:
        family = "helvetica"
    pdf.set_title(clean(title))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font(family, size=13)
    pdf.cell(0, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=8)
    pdf.set_text_color(80)
    pdf.multi_cell(0, 4.5, clean(_("Criteria: %(c)s", c=criteria or _("none (every record you may see)"))),
                   new_x="LMARGIN", new_y="NEXT")
    date_y = pdf.get_y()
    pdf.cell(0, 4.5, clean(_("Date: %(d)s", d=format_datetime(datetime.now(), "medium"))), new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)
    width = pdf.epw / max(1, len(header))
    head = [clean(h) for h in header]
    totals: list[Decimal | None] = [None] * len(header)
    numeric = [False] * len(header)
    _row(pdf, head, width, [False] * len(head), fill=True)
    count = 0
    money_rows: list[list[Any]] = []
    for row in rows:
        if any(isinstance(v, Money) for v in row):
            money_rows.append([v if isinstance(v, Money) else None for v in row])
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
            _row(pdf, head, width, [False] * len(head), fill=True)
        for i, value in enumerate(row):
            if is_number(value):
                numeric[i] = True
            if isinstance(value, Decimal):
                totals[i] = (totals[i] or Decimal(0)) + value
        _row(pdf, [clean(show(v)) for v in row], width, [is_number(v) for v in row])
        count += 1
    if any(t is not None for t in totals):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
        cells = [clean(format_decimal(t)) if t is not None else "" for t in totals]
        if cells and not cells[0]:
            cells[0] = clean(_("Total"))
        _row(pdf, cells, width, [t is not None for t in totals], fill=True)
    for currency, by_column in totals_by_currency(money_rows):
        if pdf.will_page_break(ROW_HEIGHT):
            pdf.add_page()
        cells = [clean(format_currency(by_column[i], currency)) if i in by_column else "" for i in range(len(header))]
        if cells and not cells[0]:
            cells[0] = clean(_("Total %(currency)s", currency=currency))
        _row(pdf, cells, width, [i in by_column for i in range(len(header))], fill=True)
    pdf.set_font(family, size=8)
    if note:
        pdf.ln(2)
        pdf.multi_cell(0, 5, clean(note), new_x="LMARGIN", new_y="NEXT")
    # the row count is known only now: written on the first page, beside the date
    end_page, end_y = pdf.page, pdf.get_y()
    pdf.page = 1
    pdf.set_xy(pdf.l_margin, date_y)
    pdf.set_text_color(80)
    pdf.cell(0, 4.5, clean(_("%(n)s rows", n=format_decimal(count))), align="R")
    pdf.set_text_color(0)
    pdf.page = end_page
    pdf.set_y(end_y)
    return bytes(pdf.output())


def _row(pdf: Any, cells: Sequence[str], width: float, right: Sequence[bool], fill: bool = False) -> None:
    if fill:
        pdf.set_fill_color(230, 230, 230)
    for text, align_right in zip(cells, right, strict=False):
        text = PDF_LINE_BREAKS.sub(" ", text)  # a cell is one line; breaks would print as boxes
        used = pdf.get_string_width(text)
        if used > width - 2:  # cut in one step: proportional estimate, then the "..." marker
            text = text[: max(0, int(len(text) * (width - 4) / used) - 2)] + "..."
        pdf.cell(width, ROW_HEIGHT, text, border=1, fill=fill, align="R" if align_right else "L")
    pdf.ln(ROW_HEIGHT)


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")
