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
