"""Every phone field renders as a call link (TEL-01, issue 15): the grid's and the on-screen
listing's phone cells are ``tel:`` links, which telephony's page script turns into a call
through the agent's extension; text that is no number stays text, and nothing is unescaped."""

from __future__ import annotations

import re

import pytest

from crm_core.reports.formats import call_href

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])


@pytest.fixture
def leads(create_lead):
    create_lead(name="Llamable", phone="+34 600 414 141")
    create_lead(name="Sin número", phone="pregunte en recepción")
    create_lead(name="Raro", phone='600"><script>alert(1)</script>')


@pytest.fixture
def create_lead(db, access_for):
    from crm_core.db import unit_of_work
    from crm_core.extensions import crm_state
    from crm_core.services import elements

    def make(**data):
        with unit_of_work():
            return elements.create(db, crm_state().registry.sdef("leads"), access_for("ana"), data)

    return make


def links(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<a class="crm-phone" href="([^"]*)" data-number="([^"]*)"[^>]*>([^<]*)</a>', html)


def test_grid_phone_cells_are_call_links(client_for, leads):
    html = client_for("ana").get("/s/leads").get_data(as_text=True)
    found = links(html)
    assert ("tel:+34600414141", "+34 600 414 141", "+34 600 414 141") in found
    assert not any("recepción" in number for _href, number, _text in found)  # no digits: plain text
    assert "<script>alert(1)</script>" not in html
    assert ("tel:6001", "600&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
            "600&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") in found


def test_the_on_screen_listing_links_phone_cells_too(client_for, leads):
    html = client_for("ana").get("/s/leads/listing?run=1&format=html").get_data(as_text=True)
    assert ("tel:+34600414141", "+34 600 414 141", "+34 600 414 141") in links(html)


def test_only_the_phone_column_holds_call_links(client_for, leads):
    html = client_for("ana").get("/s/leads").get_data(as_text=True)
    cells = re.findall(r'<td data-label="([^"]*)">(?:(?!</td>).)*href="tel:', html, re.S)
    assert cells and set(cells) == {"Phone"}


@pytest.mark.parametrize(("typed", "href"), [
    ("+34 600 414 141", "tel:+34600414141"), ("(91) 555-12.34", "tel:915551234"),
    ("  +44 20 7946 0958", "tel:+442079460958"), ("no number", ""), ("", ""),
    ("ext² 600", "tel:600"), ("٦٠٠ ١٢٣", "tel:٦٠٠١٢٣"),  # a superscript is no digit; other scripts' digits are
])
def test_call_href_keeps_digits_and_a_leading_plus(typed, href):
    assert call_href(typed) == href
