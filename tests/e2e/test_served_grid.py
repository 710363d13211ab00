"""The grid page and the API list through ``crm serve`` over real HTTP (NF-01, issue 13): the
cells marked up once per page in Python read as the template wrote them — the first column links
to the record, text is escaped, a phone is a call link, a status shows its name — and the API list
dumps each record as its own read does."""

from __future__ import annotations

import html
import re


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
