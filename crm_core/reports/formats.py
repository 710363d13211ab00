"""Report files: CSV (streamed), XLSX (openpyxl write-only) and PDF (fpdf2, crm_core/reports/pdf.py) (CORE-10).

Spreadsheet cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are
prefixed with ``'`` so a spreadsheet never runs them as formulas (CSV injection, NF-03). The one
exception is a phone number in a field declared as a phone: ``+34 600 111 222`` is data, and a
value made only of digits, spaces, dots, hyphens, parentheses and one leading ``+`` holds no
function a spreadsheet could run, so it is written as typed.

Stored data never makes a file fail (NF-02): legacy rows, imports from older versions or direct
database edits may hold characters a format cannot carry, so every text cell goes through
:func:`printable`, and each writer copes with what is left (line breaks in PDF cells, the XLSX
cell length limit).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal

from crm_core.declarations import SessionDef, schema_fields
from crm_core.reports.money import Money, with_currency
from crm_core.reports.pdf import pdf_bytes
from crm_core.reports.pdf import pdf_font as pdf_font  # re-exported: the PDF's font lookup
from crm_core.services.display import money_columns, shown, value_names

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What no export format can hold: C0 controls except tab, line feed and carriage return (XML 1.0,
#: hence XLSX, forbids them; openpyxl raises ``IllegalCharacterError``), lone surrogates (UTF-8
#: cannot encode them) and the XML non-characters U+FFFE and U+FFFF.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
#: Longest text an Excel cell holds; longer text is cut (Excel refuses the whole file otherwise).
XLSX_CELL_MAX = 32_767
#: A phone number as people type it: a digit, ``(`` or one ``+`` first, then digits, spaces,
#: dots, hyphens and parentheses; at least one digit. ``+1+1`` (arithmetic) is not one.
PHONE_NUMBER = re.compile(r"(?=[^0-9]*[0-9])[+(0-9][0-9 ().-]*")
#: Schema field metadata marking a phone field: ``metadata={"widget": "phone"}``.
PHONE_WIDGET = "phone"
CSV_CHUNK = 500


class PhoneText(str):
    """The text of a field declared as a phone, so the formula guard can tell it from free text."""


def neutralise(value: Any) -> Any:
    """Make a spreadsheet cell inert: text starting like a formula gets a leading ``'``, unless
    it is a phone field's value that is a phone number (see :data:`PHONE_NUMBER`)."""
    if isinstance(value, PhoneText) and PHONE_NUMBER.fullmatch(value):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def is_phone_field(sdef: SessionDef, name: str) -> bool:
    """Whether the session's schema declares ``name`` as a phone (``metadata={"widget": "phone"}``)."""
    field = schema_fields(sdef.schema).get(name) if sdef.schema is not None else None
    return field is not None and field.metadata.get("widget") == PHONE_WIDGET


#: Everything but decimal digits (any script's; a superscript "²" is no digit of a number).
_NOT_DIGIT = re.compile(r"[^\d]")


def call_href(number: str) -> str:
    """The ``tel:`` link of a phone number as typed: digits and a leading ``+`` (TEL-01). The page
    script of a telephony plugin (``crm_page_scripts``) turns a click on it into a call through
    the agent's extension; without one the device's dialler takes it, as on the detail screen."""
    digits = _NOT_DIGIT.sub("", number)
    return f"tel:{'+' if number.lstrip().startswith('+') else ''}{digits}" if digits else ""


def printable(text: str) -> str:
    """``text`` with every character in :data:`UNPRINTABLE` replaced by U+FFFD, so one odd
    stored value shows as a visible mark instead of breaking the whole file for everyone."""
    return UNPRINTABLE.sub(REPLACEMENT, text)


def file_cell(sdef: SessionDef, name: str, value: Any) -> Any:
    """A cell's value for files: text is printable, and a phone field's text is marked so the
    formula guard can tell a phone number from a formula."""
    if not isinstance(value, str):
        return value
    return PhoneText(printable(value)) if is_phone_field(sdef, name) else printable(value)


def display_value(value: Any) -> str:
    """A cell formatted for people (HTML and PDF), localised by flask-babel."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "short")
    if isinstance(value, Decimal | float | int):
        return format_decimal(value)
    return str(value)


def file_value(value: Any) -> Any:
    """A cell value for CSV/XLSX: typed where the spreadsheet understands it, text otherwise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date | Decimal | int | float | bool):
        return value
    return neutralise(value if isinstance(value, str) else str(value))


def rows_of(sdef: SessionDef, elements: Iterable[Any], names: Sequence[str]) -> Iterator[list[Any]]:
    """Rows of values as people read them (status and stage names, owners' names, referenced
    elements' names), resolved per chunk so a streamed report stays streamed."""
    rows = iter(elements)
    while chunk := list(islice(rows, CSV_CHUNK)):
        shown_names = value_names(sdef, chunk, names)
        for element in chunk:
            yield [file_cell(sdef, n, shown(sdef, element, n, shown_names)) for n in names]


def people_rows(sdef: SessionDef, elements: Iterable[Any], names: Sequence[str]) -> Iterator[list[Any]]:
    """:func:`rows_of` for the HTML and PDF listings: each amount of a money column is a
    :class:`~crm_core.reports.money.Money` of its record's currency (shown as on the grid)."""
    money = money_columns(sdef)
    if not any(name in money for name in names):
        yield from rows_of(sdef, elements, names)
        return
    items = list(elements)
    currencies = ([getattr(el, column, None) for column in money.values()] for el in items)
    yield from with_currency(rows_of(sdef, items, names), names, money, currencies)


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> Iterator[str]:
    """CSV text in chunks (a BOM first, so spreadsheets read UTF-8 accents correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for i, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(file_value(v)) for v in row])
        if i % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook built in write-only mode (rows are not kept in memory)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(title))
    ws.append([neutralise(h) for h in header])
    for row in rows:
        ws.append([_xlsx_cell(file_value(v)) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str) and len(value) > XLSX_CELL_MAX:
        return value[: XLSX_CELL_MAX - 1] + "…"
    return value


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return (cleaned or "Report")[:31]


def table_response(fmt: str, name: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    """A plugin's own table (a report's figures) as a download in a listing format: ``csv``,
    ``xlsx`` or ``pdf``, with the same cell rules as the listings (formula-safe text)."""
    from flask import Response

    rows = [[file_value(v) for v in row] for row in rows]
    if fmt == "xlsx":
        body: Any = xlsx_bytes(title, header, rows)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        body, mime = pdf_bytes(title, header, rows, shown=display_value), "application/pdf"
    elif fmt == "csv":
        body, mime = "".join(csv_stream(header, rows)), "text/csv"
    else:
        raise ValueError(f"unknown format {fmt!r}")
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
