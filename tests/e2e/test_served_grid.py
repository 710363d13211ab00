"""The grid page and the API list through ``crm serve`` over real HTTP (NF-01, issue 13): the
cells marked up once per page in Python read as the template wrote them — the first column links
to the record, text is escaped, a phone is a call link, a status shows its name — and the API list
dumps each record as its own read does."""

from __future__ import annotations

import html
import re

from babel.numbers import format_currency


def test_grid_cells_and_api_list_of_real_records(production):
    ana = production.server.login("ana")
    made = [ana.post("/api/v1/leads", json=body) for body in (
        {"name": "Grid <b>Bold</b> & Co", "company": "Acme", "phone": "+34 611 222 333"},
        {"name": "Grid Plain", "company": "Beta"},
    )]
    assert all(r.status_code == 201 for r in made), [r.text for r in made]
    bold, plain = (r.json() for r in made)

    page = ana.get("/s/leads?per_page=100&q=Grid")
    assert page.status_code == 200
    text = page.text
    # the link carries the grid's address back (saved views: "back" returns to the filtered grid)
    link = re.escape(f'<td data-label="Name"><a href="/s/leads/{bold["id"]}?back=') + r'[^"]+' + re.escape(
        f'">{html.escape("Grid <b>Bold</b> & Co", quote=True)}</a></td>')
    assert re.search(link, text), text[:500]
    assert "<b>Bold</b>" not in text
    assert ('<td data-label="Phone"><a class="crm-phone" href="tel:+34611222333" data-number="+34 611 222 333" '
            'title="Call">+34 611 222 333</a></td>') in text
    assert re.search(rf'<tr data-id="{plain["id"]}">.*?<td data-label="Status"><span class="badge crm-state '
                     r'crm-state-open" data-state="open">[^<]+</span></td>', text, re.S)  # coloured by its state

    listed = ana.get("/api/v1/leads?q=Grid&per_page=100")
    assert listed.status_code == 200
    items = {item["id"]: item for item in listed.json()["items"]}
    for record in (bold, plain):
        assert items[record["id"]] == ana.get(f"/api/v1/leads/{record['id']}").json()


def test_opportunity_grid_writes_amounts_names_and_messages_in_each_language(production):
    """Issue 13 target 6, fifth pass: the page's amounts (``MoneyFormat``), the account
    written from the page's names, and the templates' messages (``template_gettext``) read as
    babel and the catalog write them, in English and in Spanish, served over real HTTP."""
    ana = production.server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "GRD-5", "name": "Rejilla & Hijos"})
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    amounts = (("1234567.50", "EUR"), ("99.95", "USD"), ("5", "JPY"))
    for i, (amount, currency) in enumerate(amounts):
        made = ana.post("/api/v1/opportunities", json={"name": f"Rejilla {i}", "account_id": account_id,
                                                       "amount": amount, "currency": currency})
        assert made.status_code == 201, made.text
    for language, messages in (("en", ("Filter", "Log out")), ("es", ("Filtrar", "Cerrar sesión"))):
        assert ana.post(f"/language/{language}").status_code in (302, 303)
        page = ana.get("/s/opportunities?per_page=100&q=Rejilla")
        assert page.status_code == 200
        for amount, currency in amounts:
            written = html.escape(format_currency(amount, currency, locale=language))
            assert re.search(rf'<td data-label="[^"]+"><span>{re.escape(written)}</span></td>', page.text), written
        link = f'"><a href="/s/accounts/{account_id}">GRD-5 Rejilla &amp; Hijos</a></td>'
        assert page.text.count(link) == 3, language
        assert all(f">{message}<" in page.text for message in messages), language
