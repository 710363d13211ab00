"""Cases through ``crm serve`` over real HTTP (CAS-01, CAS-02): a case created with the API on a
customer, numbered, taken through its life cycle, shown on the customer's Cases tab and in the
export; another executive never reaches it."""

from __future__ import annotations

import re


def test_a_case_is_created_and_closed_over_http_and_stays_private(production):
    ana = production.server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "CS-7001", "name": "Hoteles Sol S.A."})
    assert account.status_code == 201, account.text
    contact = ana.post("/api/v1/contacts", json={"account_id": account.json()["id"], "last_name": "Ferrer"})
    assert contact.status_code == 201, contact.text
    created = ana.post("/api/v1/cases", json={
        "account_id": account.json()["id"], "contact_id": contact.json()["id"], "subject": "Factura duplicada",
        "type": "billing", "priority": "high", "origin": "email", "due_at": "2030-01-31T17:00:00+01:00",
    })
    assert created.status_code == 201, created.text
    case = created.json()
    assert re.fullmatch(r"C-\d{4}-\d{6}", case["number"]) and case["status"] == "gathering"
    url = f"/api/v1/cases/{case['id']}"

    refused = ana.post(f"{url}/actions/close", json={"agreed_by": "Rosa", "agreed_via": "phone"})
    assert refused.status_code == 422 and "Gathering information" in refused.json()["error"]["message"]
    for name, data in (("open", {}), ("resolve", {"resolution": "Abono emitido"}),
                       ("close", {"agreed_by": "Rosa Ferrer", "agreed_via": "email"})):
        done = ana.post(f"{url}/actions/{name}", json=data)
        assert done.status_code == 200, (name, done.text)
    closed = ana.get(url).json()
    assert (closed["status"], closed["agreed_by"], closed["agreed_via"]) == ("closed", "Rosa Ferrer", "email")

    tab = ana.get(f"/s/accounts/{account.json()['id']}?tab=cases")
    assert tab.status_code == 200 and case["number"] in tab.text
    history = ana.get(f"/s/cases/{case['id']}?tab=history")
    assert "Rosa Ferrer" in history.text and "Closed" in history.text
    export = ana.get("/s/cases/export", params={"format": "csv"})
    assert export.status_code == 200 and case["number"] in export.text

    bob = production.server.login("bob")
    assert bob.get(url).status_code == 404
    assert case["number"] not in bob.get("/s/cases/export", params={"format": "csv"}).text
