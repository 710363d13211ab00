"""The grid's cell text and the per-request catalog give what flask-babel gives (issue 13
target 6): the speed-ups look things up once per page or request, never a different answer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime, format_decimal, get_translations, gettext, refresh

from crm_core.screens.grid_cells import CellText

VALUES = [date(2026, 3, 9), datetime(2026, 3, 9, 23, 30, tzinfo=UTC), datetime(2026, 3, 9, 23, 30),
          Decimal("1234567.5"), 0.25]


@pytest.mark.parametrize("language", ["en", "es"])
def test_cell_text_formats_dates_and_numbers_as_flask_babel_does(crm_app, language):
    with crm_app.test_request_context(headers={"Accept-Language": language}):
        expected = [format_date(VALUES[0], "short"), format_datetime(VALUES[1], "short"),
                    format_datetime(VALUES[2], "short"), format_decimal(VALUES[3]), format_decimal(VALUES[4])]
        text = CellText()
        assert [text(v, "c", {}) for v in VALUES] == expected
        assert text(date(2026, 3, 9), "c", {}) == expected[0]  # a date the page already formatted
    assert expected[3] == ("1,234,567.5" if language == "en" else "1.234.567,5")


def test_the_request_catalog_follows_force_locale_and_refresh(crm_app):
    with crm_app.test_request_context(headers={"Accept-Language": "es"}):
        assert gettext("Save") == "Guardar"
        spanish = get_translations()
        assert get_translations() is spanish  # looked up once for the request
        with force_locale("en"):
            assert gettext("Save") == "Save"
            assert render_template_string("{{ _('Save') }}") == "Save"
        assert gettext("Save") == "Guardar" and render_template_string("{{ _('Save') }}") == "Guardar"
        refresh()
        assert gettext("Save") == "Guardar"


def test_cell_escaping_is_markupsafes():
    from markupsafe import Markup, escape

    from crm_core.screens.grid_cells import _escaped

    for value in ("Tom & Jerry's <b>\"shop\"</b>", "plain", "", Markup("<i>kept</i>")):
        assert _escaped(value) == str(escape(value))


AMOUNTS = [Decimal("0"), Decimal("1234567.5"), Decimal("-1234.567"), Decimal("0.005"), Decimal("-0.5"),
           Decimal("99999999999.99"), 12.3, 7]
CURRENCIES = ["EUR", "USD", "RON", "GBP", "CHF", "JPY", "BHD", "CLF", "XYZ", "usd"]


@pytest.mark.parametrize("language", ["en", "es", "ro", "de_CH", "ar", "fa", "hi"])
def test_page_money_text_is_babels_format_currency(crm_app, language):
    from babel import Locale
    from babel.numbers import format_currency as babel_currency

    from crm_core.screens.grid_cells import currency_pattern

    with crm_app.test_request_context(headers={"Accept-Language": "en"}):
        locale = Locale.parse(language)
        for currency in CURRENCIES:
            pattern = currency_pattern(locale, currency)
            for amount in AMOUNTS:
                assert pattern.apply(amount, locale, currency_digits=False) == babel_currency(
                    amount, currency, locale=locale), (language, currency, amount)


@pytest.mark.parametrize("language", ["en", "es"])
def test_cell_text_money_follows_the_request_language(crm_app, language):
    from flask_babel import format_currency

    with crm_app.test_request_context(headers={"Accept-Language": language}):
        text = CellText()
        assert [text.money(a, c) for c in CURRENCIES for a in AMOUNTS] == [
            format_currency(a, c) for c in CURRENCIES for a in AMOUNTS]


def test_a_pattern_that_names_the_currency_is_left_to_babel():
    from types import SimpleNamespace

    from babel import Locale
    from babel.numbers import format_currency as babel_currency
    from babel.numbers import parse_pattern

    from crm_core.screens.grid_cells import currency_pattern

    named = "#,##0.00 ¤¤¤"  # a locale that spells the name out (plural by amount)
    pattern = currency_pattern(SimpleNamespace(currency_formats={"standard": parse_pattern(named)}), "EUR")
    locale = Locale.parse("en")
    assert [pattern.apply(a, locale) for a in (Decimal("1"), Decimal("2.5"))] == [
        babel_currency(a, "EUR", locale=locale, format=named) for a in (Decimal("1"), Decimal("2.5"))] == [
        "1.00 euro", "2.50 euros"]


def _instants() -> list[datetime]:
    """A year of instants at uneven steps (every clock time, both halves of the year), the
    summer-time changes of Europe and the United States either side by a second and a minute,
    midnight in UTC and naive values (read as UTC)."""
    from datetime import timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    found = [start + timedelta(minutes=437 * i, seconds=i % 7) for i in range(0, 1250, 3)]
    for edge in (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
                 datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
                 datetime(2026, 4, 5, 15, 30, tzinfo=UTC), datetime(2026, 10, 4, 15, 30, tzinfo=UTC)):
        found += [edge + timedelta(seconds=s) for s in (-61, -1, 0, 1, 60, 1800, 3599, 3600)]
    found += [datetime(2026, 3, 29, 0, 30), datetime(2026, 12, 31, 23, 59, 59), datetime(2026, 6, 1)]
    return found


@pytest.mark.parametrize("language", ["en", "es", "en_GB", "fr", "de", "ar", "fa", "hi", "ja", "bg", "pt_BR", "eu", "co"])
def test_page_datetimes_are_babels_format_datetime(language):
    """The page's prepared patterns write babel's own text for every instant, in each time zone
    (Corsican's joining pattern quotes its word, Basque's brackets the time)
    (pytz, as flask-babel gives it, and zoneinfo), across the summer-time changes (Corsican's
    joining pattern quotes a word, Basque's brackets the time) — and a page
    that met a clock time or a date before writes it again for another instant."""
    from zoneinfo import ZoneInfo

    import pytz
    from babel import Locale
    from babel.dates import format_date as babel_date
    from babel.dates import format_datetime as babel_datetime

    from crm_core.screens.grid_cells import ShortDates

    locale = Locale.parse(language)
    zones = [pytz.UTC, pytz.timezone("Europe/Madrid"), pytz.timezone("America/New_York"),
             pytz.timezone("Australia/Lord_Howe"), pytz.timezone("Asia/Kolkata"),
             ZoneInfo("Europe/Bucharest"), ZoneInfo("Pacific/Chatham"), None]
    instants = _instants()
    for tz in zones:
        page = ShortDates(locale, tz)
        got = [page.datetime(v) for v in instants]
        assert got == [babel_datetime(v, "short", tzinfo=tz, locale=locale) for v in instants], (language, tz)
        assert [page.date(v.date()) for v in instants] == [babel_date(v, "short", locale=locale) for v in instants]


def test_page_datetimes_follow_the_request_locale_and_time_zone(crm_app):
    from flask_babel import force_locale

    instants = _instants()
    with crm_app.test_request_context(headers={"Accept-Language": "es"}):
        text = CellText()
        assert [text(v, "c", {}) for v in instants] == [format_datetime(v, "short") for v in instants]
        with force_locale("en"):
            english = CellText()
            assert [english(v, "c", {}) for v in instants] == [format_datetime(v, "short") for v in instants]


def test_plain_cells_are_written_as_the_general_path_writes_them(crm_app):
    """``row_cells`` reads a cell without a name, status or amount straight from the element;
    the same rows through ``shown`` and ``CellText`` for every cell (what a column with names
    takes) give the same markup, for values of every kind a grid shows."""
    import random
    from types import SimpleNamespace

    from markupsafe import Markup

    from crm_core.screens.grid_cells import row_cells

    kinds = [None, "", "Tom & Jerry's <b>\"shop\"</b>", "plain", Markup("<i>kept</i>"), True, False, 0, 7, -3,
             Decimal("1234.5"), Decimal("0"), 2.5, date(2026, 3, 9), datetime(2026, 3, 29, 1, 30),
             datetime(2026, 10, 25, 0, 59, tzinfo=UTC), ["a", "b<"], [], "+34 600 123 456", "not a phone"]
    columns = [("name", "Name"), ("status", "Status"), ("account_id", "Account"), ("phone", "Phone"),
               ("value", "Value"), ("other", "Other <&>")]
    names = {("status", "new"): "New", ("status", "won"): "Won", ("account_id", 3): "Acme & Co",
             ("account_id", 4): "Beta"}
    sdef = SimpleNamespace(statuses=(SimpleNamespace(code="new"), SimpleNamespace(code="won")),
                           status_field="status", schema=None)
    rng = random.Random(13)
    items = [SimpleNamespace(id=i, name=rng.choice(kinds), status=rng.choice(["new", "won"]),
                             account_id=rng.choice([3, 4, 5, None]), phone=rng.choice(kinds), value=rng.choice(kinds),
                             other=rng.choice(kinds)) for i in range(1, 400)]
    every_column_named = {**names, **{(name, object()): "never shown" for name, _label in columns}}
    with crm_app.test_request_context(headers={"Accept-Language": "es"}):
        for select in (None, "Select"):
            args = {"detail_url": lambda pk: f"/s/x/{pk}", "phone_columns": frozenset({"phone"}),
                        "links": {"account_id": lambda pk: f"/s/accounts/{pk}"}, "tones": {"won": "won"},
                        "select_label": select}
            fast = row_cells(sdef, items, columns, names, **args)
            general = row_cells(sdef, items, columns, every_column_named, **args)
            assert str(fast) == str(general)
            assert str(fast).count("<tr") == len(items)
            assert 'data-state="won">Won</span>' in fast and 'data-state="open">New</span>' in fast
            assert '<a href="/s/accounts/3">Acme &amp; Co</a>' in fast and "<span>5</span>" in fast


#: Amounts for the prepared money format: rounding halves both ways at each precision, zero and
#: minus zero, a value that rounds to zero, long integer parts, floats and ints, an exponent.
MONEY_AMOUNTS = [Decimal("0"), Decimal("-0"), Decimal("-0.001"), Decimal("0.5"), Decimal("1.005"), Decimal("2.675"),
                 Decimal("-1234.565"), Decimal("1234567.125"), Decimal("99999999999.995"), Decimal("12345678901234"),
                 Decimal("0.00049"), Decimal("0.0005"), Decimal("1E+3"), Decimal("-7.5"), 0.1, -3.14159, 12, -9]


@pytest.mark.parametrize("currency", ["EUR", "USD", "JPY", "BHD", "CLF", "XYZ", "inr"])
def test_money_format_is_babels_format_currency_in_every_locale(currency):
    """``MoneyFormat`` (the page's amounts, babel's steps with the symbols looked up once) writes
    what ``format_currency`` writes, for every locale babel knows."""
    from babel import Locale, localedata
    from babel.numbers import format_currency as babel_currency

    from crm_core.screens.grid_cells import MoneyFormat, currency_pattern

    plain = 0
    for name in localedata.locale_identifiers():
        locale = Locale.parse(name)
        written = MoneyFormat(currency_pattern(locale, currency), locale)
        plain += written.plain
        for amount in MONEY_AMOUNTS:
            assert written(amount) == babel_currency(amount, currency, locale=locale), (name, currency, amount)
    assert plain > 500  # the prepared path, not babel's, wrote most of them


def test_money_format_leaves_other_patterns_to_babel():
    from babel import Locale
    from babel.numbers import format_decimal, parse_pattern

    from crm_core.screens.grid_cells import MoneyFormat

    locale = Locale.parse("en")
    for text in ("#,##0.00 'EUR'", "@@@", "0.###E0", "#,##0%"):
        written = MoneyFormat(parse_pattern(text), locale)
        assert not written.plain
        assert written(Decimal("1234.5")) == format_decimal(Decimal("1234.5"), text, locale=locale)
    assert MoneyFormat(parse_pattern("#,##0.00"), locale)(Decimal("Infinity")) == "∞"


class _Slotted:
    """A row object without an instance dict: every value read with getattr."""

    __slots__ = ("id", "name", "status", "account_id", "owner_id", "value")

    def __init__(self, **values):
        for key, value in values.items():
            setattr(self, key, value)


def test_each_cell_reads_as_shown_and_cell_text_give_it(crm_app):
    """``row_cells`` reads loaded values from the instance's dict and writes a code or id with
    its name on the page straight from the names; each cell's text is still what ``shown`` and
    ``CellText`` give it, with or without an instance dict, for names of every kind (a lazy
    label, a name kept under the id as text, a status without a name, a list)."""
    import html
    import random
    import re
    from types import SimpleNamespace

    from flask_babel import lazy_gettext

    from crm_core.screens.grid_cells import row_cells
    from crm_core.services.display import shown

    columns = [("name", "Name"), ("status", "Status"), ("account_id", "Account"), ("owner_id", "Owner"),
               ("value", "Value")]
    names = {("status", "new"): "New", ("status", "won"): lazy_gettext("Save"), ("account_id", 3): "Acme & Co",
             ("account_id", "4"): "Beta as text", ("owner_id", 1): "Ana", ("owner_id", 2): "",
             ("value", "x"): "Ex", ("value", 5): "Five"}
    sdef = SimpleNamespace(statuses=(SimpleNamespace(code="new"), SimpleNamespace(code="won")),
                           status_field="status", schema=None)
    rng = random.Random(7)
    kinds = [None, "x", "y <&>", 5, 6, True, Decimal("2.5"), date(2026, 3, 9), ["x", "z"]]
    rows = [{"id": i, "name": rng.choice(["n", "", None, 5]), "status": rng.choice(["new", "won", None]),
             "account_id": rng.choice([3, 4, 5, None]), "owner_id": rng.choice([1, 2, 9, None]),
             "value": rng.choice(kinds)} for i in range(1, 300)]
    cell = re.compile(r'<td data-label="[^"]*">(.*?)</td>', re.S)
    with crm_app.test_request_context(headers={"Accept-Language": "es"}):
        text = CellText()
        expected = [[text(shown(sdef, SimpleNamespace(**row), col, names), col, names) or
                     (f"#{row['id']}" if col == "name" else "") for col, _label in columns] for row in rows]
        for make in (lambda row: SimpleNamespace(**row), lambda row: _Slotted(**row)):
            markup = str(row_cells(sdef, [make(row) for row in rows], columns, names, lambda pk: f"/s/x/{pk}",
                                   frozenset(), links={"account_id": lambda pk: f"/s/accounts/{pk}"}))
            written = [html.unescape(re.sub(r"<[^>]+>", "", inner)) for inner in cell.findall(markup)]
            assert written == [value for row in expected for value in row]
        assert "Guardar" in markup and '<a href="/s/accounts/3">Acme &amp; Co</a>' in markup
