"""Saved views through the API of ``crm serve`` over real HTTP (issue 17 leftovers item 4): a view
saved by one caller filters that caller's list with ``view=<id>``, stays invisible to another,
can be shared only by an administrator, and is deleted by its owner."""

from __future__ import annotations


def test_a_view_saved_through_the_api_filters_the_list_and_is_the_callers(production):
    ana, bob = production.server.login("ana"), production.server.login("bob")
    for name, company in (("Mirador Alfa", "Alfa SL"), ("Mirador Beta", "Beta SL"), ("Otro Delta", "Gamma SL")):
        assert ana.post("/api/v1/leads", json={"name": name, "company": company}).status_code == 201
    saved = ana.post("/api/v1/leads/views", json={"name": "Miradores", "state": {"q": "mirador", "sort": "name"}})
    assert saved.status_code == 201, saved.text
    view_id = saved.json()["id"]
    names = [item["name"] for item in ana.get(f"/api/v1/leads?view={view_id}").json()["items"]]
    assert names == ["Mirador Alfa", "Mirador Beta"]
    assert ana.get(f"/api/v1/leads?view={view_id}&sort=-name").json()["items"][0]["name"] == "Mirador Beta"
    assert bob.get(f"/api/v1/leads?view={view_id}").status_code == 404
    assert "Miradores" not in [v["name"] for v in bob.get("/api/v1/leads/views").json()["items"]]
    refused = ana.post("/api/v1/leads/views", json={"name": "Para todos", "state": {}, "shared": "all"})
    assert refused.status_code == 403
    assert "Para todos" not in [v["name"] for v in ana.get("/api/v1/leads/views").json()["items"]]
    assert bob.delete(f"/api/v1/leads/views/{view_id}").status_code == 404
    assert ana.delete(f"/api/v1/leads/views/{view_id}").status_code == 204
    assert ana.get(f"/api/v1/leads?view={view_id}").status_code == 404
