"""The sorts a grid offers, through ``crm serve`` over real HTTP (issue 13 target 4): only the
sorts a list index serves — the grid answers another with its default order and a notice, the
API with a 400 naming it, and the OpenAPI document lists only the offered ones."""

from __future__ import annotations

import re


def test_indexed_sorts_answer_and_others_are_refused(production):
    ana = production.server.login("ana")
    for n, (name, amount) in enumerate((("Sort Beta", "20"), ("Sort Alpha", "30"), ("Sort Gamma", "10"))):
        account = ana.post("/api/v1/accounts", json={"code": f"SRT-{n}", "name": name})
        assert account.status_code == 201, account.text
        made = ana.post("/api/v1/opportunities", json={"name": name, "account_id": account.json()["id"],
                                                         "amount": amount})
        assert made.status_code == 201, made.text

    by_amount = ana.get("/api/v1/opportunities?q=Sort&sort=-amount").json()["items"]
    assert [i["name"] for i in by_amount] == ["Sort Alpha", "Sort Beta", "Sort Gamma"]
    refused = ana.get("/api/v1/opportunities?q=Sort&sort=stage")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["sort"] == ["The list cannot be sorted by “stage”."]

    grid = ana.get("/s/opportunities?q=Sort&sort=stage").text
    assert "The grid cannot be sorted by “stage”." in grid
    assert re.search(r'data-column="stage">\s*Stage\s*</th>', grid)  # no sort link
    by_name = ana.get("/s/opportunities?q=Sort&sort=name").text
    assert by_name.index("Sort Alpha") < by_name.index("Sort Beta") < by_name.index("Sort Gamma")

    parameters = ana.get("/api/v1/openapi.json").json()["paths"]["/api/v1/opportunities"]["get"]["parameters"]
    enum = next(p for p in parameters if p["name"] == "sort")["schema"]["enum"]
    assert {"name", "-amount", "expected_close"} <= set(enum) and "stage" not in enum and "-stage" not in enum
