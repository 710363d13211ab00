"""The grid's cells, formatted and marked up once per page in Python (NF-01, issue 13 target 6).

A 50-row page has a few hundred cells; done by the template, each cell cost a loop object, two
index lookups into the column list, the label escaped again, the phone test and up to two
``call_href`` calls, and every localised value (yes/no, dates, numbers) its own translation
lookup — most of a grid page's CPU. Here the per-column work is done once per page (label
escaped, phone or not, the first column's link) and each cell is one formatting call. The
markup is exactly what ``screens/grid.html`` wrote before:

* first column: ``<td data-label="Name"><a href="/s/leads/7">value or #7</a></td>``;
* a phone column with a callable number: ``<a class="crm-phone" href="tel:…" data-number="…"
  title="Call">…</a>``;
* any other: ``<span>value</span>``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from crm_core.declarations import SessionDef
from crm_core.reports.formats import call_href
from crm_core.services.display import Names, shown


class CellText:
    """Turns a shown value into grid text in the user's language (CORE-17), with the words
    ``yes``/``no`` translated once per page."""

    def __init__(self) -> None:
        self._yes_no: tuple[str, str] | None = None

    def __call__(self, value: Any, col: str, names: Names) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            if self._yes_no is None:
                self._yes_no = (_("yes"), _("no"))
            return self._yes_no[0] if value else self._yes_no[1]
        if isinstance(value, datetime):
            return format_datetime(value, "short")
        if isinstance(value, date):
            return format_date(value, "short")
        if isinstance(value, Decimal | float):
            return format_decimal(value)
        if isinstance(value, list | tuple):  # a multi-choice custom field: its choices' labels
            return ", ".join(str(names.get((col, v), v)) for v in value)
        return str(value)


def row_cells(
    sdef: SessionDef,
    items: Sequence[Any],
    columns: Sequence[tuple[str, str]],
    names: Names,
    detail_url: Callable[[int], str],
    phone_columns: frozenset[str],
    edit_url: Callable[[Any, str], str | None] | None = None,
) -> list[tuple[Any, Markup]]:
    """``(element, cells markup)`` per row; ``columns`` are ``(name, label)``; ``detail_url``
    gives the detail page's path of an id; ``edit_url`` the address of a cell's small form
    (``None`` where the user may not change it in place)."""
    text = CellText()
    call_label = escape(_("Call"))
    edit_labels = {name: escape(_("Change %(field)s", field=label)) for name, label in columns} if edit_url else {}
    plan = [(name, escape(label), name in phone_columns) for name, label in columns]
    rows = []
    for element in items:
        parts = []
        for index, (name, label, phone) in enumerate(plan):
            value = text(shown(sdef, element, name, names), name, names)
            if index == 0:
                inner = f'<a href="{escape(detail_url(element.id))}">{escape(value or f"#{element.id}")}</a>'
            elif phone and value and (href := call_href(value)):
                shown_value = escape(value)
                inner = (f'<a class="crm-phone" href="{escape(href)}" data-number="{shown_value}" '
                         f'title="{call_label}">{shown_value}</a>')
            else:
                inner = f"<span>{escape(value)}</span>"
            if index and edit_url is not None and (href := edit_url(element, name)):
                what = edit_labels[name]
                inner += f' <a class="crm-cell-edit" href="{escape(href)}" aria-label="{what}" title="{what}">✎</a>'
            parts.append(f'<td data-label="{label}">{inner}</td>')
        rows.append((element, Markup("\n    ".join(parts))))
    return rows
