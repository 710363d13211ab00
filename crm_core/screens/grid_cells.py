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
* a reference the user may open (an account, a campaign): ``<a href="/s/accounts/3">name</a>``
  (issue 17 item 6: related records are links everywhere);
* the status: a badge coloured by its kind of state, ``<span class="badge crm-state
  crm-state-won" data-state="won">Won</span>`` (``Status.tone``);
* any other: ``<span>value</span>``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import dates, numbers
from flask_babel import format_currency, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

from crm_core.declarations import SessionDef
from crm_core.reports.formats import call_href
from crm_core.services.display import Names, money_columns, shown

#: markupsafe's escapes as one ``str.translate`` table: the same text, without a ``Markup``
#: object made per escaped value (two or three per cell, a thousand per page).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _escaped(value: str) -> str:
    """``markupsafe.escape(value)`` as a plain string (markup stays as it is, as there)."""
    return str(escape(value)) if hasattr(value, "__html__") else value.translate(_ESCAPES)


class CellText:
    """Turns a shown value into grid text in the user's language (CORE-17): the words
    ``yes``/``no`` translated, and the locale and time zone looked up, once per page — what
    flask-babel's ``format_date``/``format_datetime``/``format_decimal`` look up for every cell
    (their default ``short`` formats; the app configures no others)."""

    def __init__(self) -> None:
        self._yes_no: tuple[str, str] | None = None
        self._locale: Any = None
        self._tz: Any = None
        self._money: dict[str, MoneyFormat] = {}
        self._short: ShortDates | None = None

    def money(self, amount: Any, currency: str) -> str:
        """``format_currency(amount, currency)`` in the page's locale, with the locale's pattern
        prepared once per currency: babel looks up the currency's plural name on every call,
        though the standard pattern never shows it (a quarter of an opportunities page's CPU).
        The text is babel's own (tested against ``format_currency``)."""
        written = self._money.get(currency)
        if written is None:
            written = self._money[currency] = MoneyFormat(currency_pattern(self._where(), currency), self._locale)
        return written(amount)

    def _where(self) -> Any:
        if self._locale is None:
            self._locale, self._tz = get_locale(), get_timezone()
        return self._locale

    def _dates(self) -> ShortDates:
        if self._short is None:
            self._short = ShortDates(self._where(), self._tz)
        return self._short

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
            return self._dates().datetime(value)
        if isinstance(value, date):
            return self._dates().date(value)
        if isinstance(value, Decimal | float):
            return numbers.format_decimal(value, locale=self._where())
        if isinstance(value, list | tuple):  # a multi-choice custom field: its choices' labels
            return ", ".join(str(names.get((col, v), v)) for v in value)
        return str(value)


#: The date/time pattern letters whose text depends on the zone (and so on the date, for summer
#: time): a time pattern with none of them writes the same text for the same clock time.
_ZONE_FIELDS = frozenset("zZvVOxX")


class ShortDates:
    """babel's ``format_date(value, "short")`` and ``format_datetime(value, "short", tzinfo=tz)``
    for one locale and time zone, the patterns looked up and parsed once per page.

    ``format_datetime`` looks the locale's three patterns up (date, time and the one joining
    them) on every call — 18 % of a cases grid's CPU for its 50 due times. Here a cell costs the
    zone conversion and the two patterns' ``apply``; a page's rows share few dates (close dates,
    due days) and clock times (whole hours), so each date and time is written once per page. The
    text is babel's own: each step is the one ``format_datetime`` takes (tested against it over
    several locales, time zones and summer-time edges)."""

    def __init__(self, locale: Any, tz: Any) -> None:
        self.locale, self.tz = locale, tz
        self.joined = dates.get_datetime_format("short", locale=locale).replace("'", "")
        self.date_pattern = dates.parse_pattern(dates.get_date_format("short", locale=locale))
        time_format = dates.get_time_format("short", locale=locale)
        self.time_pattern = dates.parse_pattern(time_format)
        self.by_clock = not any(kind == "field" and field[0] in _ZONE_FIELDS
                                for kind, field in dates.tokenize_pattern(str(time_format)))
        self._dates: dict[date, str] = {}
        self._times: dict[Any, str] = {}

    def date(self, value: date) -> str:
        """``format_date(value, "short")``; a ``datetime``'s own date (no zone conversion)."""
        day = value.date() if isinstance(value, datetime) else value
        known = self._dates.get(day)
        if known is None:
            known = self._dates[day] = self.date_pattern.apply(day, self.locale)
        return known

    def datetime(self, value: datetime) -> str:
        """``format_datetime(value, "short", tzinfo=tz)``: a naive value is UTC, shown in ``tz``."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dates.UTC)
        if self.tz is not None:
            value = value.astimezone(self.tz)
            if hasattr(self.tz, "normalize"):  # pytz
                value = self.tz.normalize(value)
        clock = value.time() if self.by_clock else None
        time_text = self._times.get(clock) if clock is not None else None
        if time_text is None:
            time_text = self.time_pattern.apply(value.timetz(), self.locale, reference_date=value.date())
            if clock is not None:
                self._times[clock] = time_text
        return self.joined.replace("{0}", time_text).replace("{1}", self.date(value))


def row_cells(
    sdef: SessionDef,
    items: Sequence[Any],
    columns: Sequence[tuple[str, str]],
    names: Names,
    detail_url: Callable[[int], str],
    phone_columns: frozenset[str],
    edit_url: Callable[[Any, str], str | None] | None = None,
    links: Mapping[str, Callable[[int], str]] | None = None,
    tones: Mapping[str, str] | None = None,
    select_label: str | None = None,
) -> Markup:
    """The page's rows as one piece of markup (``<tr data-id="7">…</tr>`` each: the template's
    row loop cost a loop object and five escapes per row); ``columns`` are ``(name, label)``;
    ``select_label`` (when the grid offers bulk actions) adds the row's selection checkbox
    first; ``detail_url``
    gives the detail page's path of an id; ``edit_url`` the address of a cell's small form
    (``None`` where the user may not change it in place); ``links`` the referenced record's path
    per reference column the user may follow (a value only links when ``names`` resolved it, i.e.
    the user may see that record); ``tones`` the kind of state per status code."""
    text = CellText()
    call_label = escape(_("Call"))
    edit_labels = {name: escape(_("Change %(field)s", field=label)) for name, label in columns} if edit_url else {}
    links, tones = links or {}, tones or {}
    status = sdef.status_field if sdef.statuses else None
    money = money_columns(sdef)
    named = {col for col, _value in names}
    # Per column: what the cell needs beyond its plain value (an amount with its currency, a
    # status or a value with a name, ``shown``'s cases) — most cells are a plain value, read
    # and written without the general path's calls (issue 13 target 6; tested against it).
    plan = [(name, escape(label), name in phone_columns, name in money, name == status or name in named)
            for name, label in columns]
    select = _escaped(select_label) if select_label is not None else None
    rows = []
    for element in items:
        pk = int(element.id)
        # the loaded columns, read from the instance's dict: the ORM's attribute descriptor is a
        # Python call per read; anything not there (not loaded, a custom field, a property, an
        # object without a dict) is read with getattr as before
        loaded = getattr(element, "__dict__", None) or {}
        parts = [] if select is None else [
            f'<td data-label="{select}"><input class="form-check-input" type="checkbox" name="ids" value="{pk}" '
            f'aria-label="{select}"></td>']
        for index, (name, label, phone, is_money, is_named) in enumerate(plan):
            raw = loaded[name] if name in loaded else getattr(element, name, None)
            value = money_text(element, name, money, text) if is_money else None
            if value is None:
                if raw is None:
                    value = ""
                elif type(raw) is str and not is_named:
                    value = raw
                elif is_named:
                    # a code or id with its name on the page (a status, an account, an owner) is
                    # that name, as shown() gives it; anything else takes the general path
                    known = names.get((name, raw)) if type(raw) is int or type(raw) is str else None
                    value = known if type(known) is str else text(shown(sdef, element, name, names), name, names)
                elif isinstance(raw, list):
                    value = text(shown(sdef, element, name, names), name, names)
                else:
                    value = text(raw, name, names)
            if index == 0:
                inner = f'<a href="{_escaped(detail_url(pk))}">{_escaped(value or f"#{pk}")}</a>'
            elif name in links and (name, raw) in names:
                inner = f'<a href="{_escaped(links[name](raw))}">{_escaped(value)}</a>'
            elif name == status and value:
                tone = tones.get(raw, "open")
                inner = f'<span class="badge crm-state crm-state-{tone}" data-state="{tone}">{_escaped(value)}</span>'
            elif phone and value and (href := call_href(value)):
                shown_value = _escaped(value)
                inner = (f'<a class="crm-phone" href="{_escaped(href)}" data-number="{shown_value}" '
                         f'title="{call_label}">{shown_value}</a>')
            else:
                inner = f"<span>{value.translate(_ESCAPES) if type(value) is str else _escaped(value)}</span>"
            if index and edit_url is not None and (href := edit_url(element, name)):
                what = edit_labels[name]
                inner += f' <a class="crm-cell-edit" href="{_escaped(href)}" aria-label="{what}" title="{what}">✎</a>'
            parts.append(f'<td data-label="{label}">{inner}</td>')
        rows.append(f'<tr data-id="{pk}">\n    ' + "\n    ".join(parts) + "\n  </tr>")
    return Markup("\n  ".join(rows))


def money_text(element: Any, name: str, money: dict[str, str], text: CellText | None = None) -> str | None:
    """An amount column's value with its record's currency in the user's locale (``€1,234.50``,
    ``1.234,50 €``), the way the grid and read mode show it; ``None`` for any other column, an
    empty amount or a record without a currency. ``text``: the page's formatter (a grid page
    formats many amounts)."""
    if name not in money or (amount := getattr(element, name, None)) is None:
        return None
    currency = getattr(element, money[name], None)
    if not currency:
        return None
    return text.money(amount, currency) if text is not None else format_currency(amount, currency)


def currency_pattern(locale: Any, currency: str) -> Any:
    """``locale``'s standard currency pattern with ``currency``'s symbol and code written in and
    its number of decimals set, so ``apply(amount, locale, currency_digits=False)`` gives what
    ``babel.numbers.format_currency(amount, currency, locale=locale)`` gives. A pattern that
    spells the currency's name (plural by amount) is left to babel per amount."""
    standard = locale.currency_formats["standard"]
    if any("¤¤¤" in part for part in (*standard.prefix, *standard.suffix)):
        return _ByBabel(standard, currency)
    symbol = numbers.get_currency_symbol(currency, locale)

    def written(part: str) -> str:
        return part.replace("¤¤", currency.upper()).replace("¤", symbol) if "¤" in part else part

    pattern = copy.copy(standard)
    pattern.prefix = tuple(written(p) for p in standard.prefix)
    pattern.suffix = tuple(written(p) for p in standard.suffix)
    digits = numbers.get_currency_precision(currency)
    pattern.frac_prec = (digits, digits)
    return pattern


#: babel's quoted text in a formatted number (``NumberPattern.apply``'s last step).
_QUOTED = re.compile(r"'([^']*)'")


class MoneyFormat:
    """``currency_pattern(locale, currency).apply(amount, locale, currency_digits=False)`` — that is
    ``format_currency(amount, currency, locale=locale)`` — with the locale's decimal and group
    symbols and the rounding step looked up once: babel's ``apply`` reads both symbols from the
    locale data, builds the quantum and runs a regular expression over the result for every
    amount (9 % of an opportunities page's CPU; issue 13 target 6). Each step here is
    ``apply``'s own for a plain pattern (no scaling, exponent, significant digits or quoted
    text; any other goes to ``apply``), tested against ``format_currency`` over every locale."""

    def __init__(self, pattern: Any, locale: Any) -> None:
        self.pattern, self.locale = pattern, locale
        self.plain = (isinstance(pattern, numbers.NumberPattern) and not pattern.scale and not pattern.exp_prec
                      and "@" not in pattern.pattern and pattern.number_pattern != ""
                      and not any("'" in part for part in (*pattern.prefix, *pattern.suffix)))
        if self.plain:
            self.decimal_symbol = numbers.get_decimal_symbol(locale)
            self.group_symbol = numbers.get_group_symbol(locale)
            self.quantum = numbers.get_decimal_quantum(pattern.frac_prec[1])

    def __call__(self, amount: Any) -> str:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        if not self.plain or not value.is_finite():
            return str(self.pattern.apply(amount, self.locale, currency_digits=False))
        pattern = self.pattern
        negative = int(value.is_signed())
        whole, _point, fraction = f"{abs(value).normalize().quantize(self.quantum):f}".partition(".")
        number = self._grouped(whole) + self._fraction(fraction or "0")
        text = pattern.prefix[negative] + number + pattern.suffix[negative]
        # babel's last step unquotes quoted text: here only a group symbol can make some (en_CH's
        # "'"), and babel writes 1'234'567 as 1234567 — so does this
        return _QUOTED.sub(lambda m: m.group(1) or "'", text) if "'" in text else text

    def _grouped(self, digits: str) -> str:
        """babel's ``NumberPattern._format_int``."""
        least, grouping = self.pattern.int_prec[0], self.pattern.grouping
        if len(digits) < least:
            digits = "0" * (least - len(digits)) + digits
        size, out = grouping[0], ""
        while len(digits) > size:
            out = self.group_symbol + digits[-size:] + out
            digits = digits[:-size]
            size = grouping[1]
        return digits + out

    def _fraction(self, digits: str) -> str:
        """babel's ``NumberPattern._format_frac``."""
        least, most = self.pattern.frac_prec
        if len(digits) < least:
            digits += "0" * (least - len(digits))
        if most == 0 or (least == 0 and int(digits) == 0):
            return ""
        while len(digits) > least and digits[-1] == "0":
            digits = digits[:-1]
        return self.decimal_symbol + digits


class _ByBabel:
    def __init__(self, pattern: Any, currency: str) -> None:
        self.pattern, self.currency = pattern, currency

    def apply(self, amount: Any, locale: Any, currency_digits: bool = False) -> str:
        return str(self.pattern.apply(amount, locale, currency=self.currency))

