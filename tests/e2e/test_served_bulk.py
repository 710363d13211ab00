"""Bulk actions through ``crm serve`` over real HTTP (issue 17 item 5): the grid's form with a
confirmation page and a per-record report, the workflow deciding each activity's status change,
and the JSON API reassigning every lead the filters match — refused records reported, not fatal."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def seeded(production) -> dict[str, list[int]]:
    ana = production.server.login("ana")
    leads = []
    for name in ("Masivo Uno", "Masivo Dos", "Masivo Tres"):
        response = ana.post("/api/v1/leads", json={"name": name, "company": "Lotes SL"})
        assert response.status_code == 201, response.text
        leads.append(response.json()["id"])
    activities = []
    for i in range(2):
        meeting = {"type": "meeting", "subject": f"Masivo reunión {i}", "starts_at": f"2026-12-0{i + 1}T09:00:00+00:00"}
        response = ana.post("/api/v1/activities", json=meeting)
        assert response.status_code == 201, response.text
        activities.append(response.json()["id"])
    return {"leads": leads, "activities": activities}


def test_bulk_status_through_the_workflow_confirms_then_reports_each_activity(production, seeded):
    ana = production.server.login("ana")
    first, second = seeded["activities"]
    cancelled = ana.post(f"/api/v1/activities/{second}/actions/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text
    form = {"action": "status", "scope": "ids", "ids": [str(first), str(second)], "value": "done"}
    confirm = ana.post("/s/activities/bulk", data=form)
    assert confirm.status_code == 200 and 'id="bulk-question"' in confirm.text
    assert ana.get(f"/api/v1/activities/{first}").json()["status"] == "planned"  # nothing before confirming
    report = ana.post("/s/activities/bulk", data={**form, "confirm": "1"})
    assert report.status_code == 200 and "1 done, 1 refused." in report.text
    assert re.search(rf'data-id="{second}" data-result="refused"', report.text)
    assert ana.get(f"/api/v1/activities/{first}").json()["status"] == "done"
    assert ana.get(f"/api/v1/activities/{second}").json()["status"] == "cancelled"


def test_api_reassigns_every_lead_the_filters_match_and_the_history_says_who(production, seeded):
    leader = production.server.login("leader")
    bob_id = re.search(r'<option value="(\d+)">Bob', leader.post(
        "/s/leads/bulk", data={"action": "owner", "scope": "all", "q": "masivo", "all": "1"}).text).group(1)
    response = leader.post("/api/v1/leads/bulk", json={"action": "owner", "filters": {"q": "masivo", "all": True},
                                                       "value": bob_id})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["done"] == 3 and body["refused"] == 0
    bob = production.server.login("bob")
    assert all(bob.get(f"/api/v1/leads/{i}").status_code == 200 for i in seeded["leads"])
    assert production.server.login("ana").get(f"/api/v1/leads/{seeded['leads'][0]}").status_code == 404
    history = bob.get(f"/s/leads/{seeded['leads'][0]}?tab=history")
    assert history.status_code == 200 and "Leader" in history.text
