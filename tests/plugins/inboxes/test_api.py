"""The inbox API (EXT-12): token auth, the same rules as the screens, JSON errors, OpenAPI."""

from __future__ import annotations

import pytest

from crm_core.api.auth import create_token
from crm_core.db import unit_of_work
from tests.plugins.inboxes.support import INBOXES, add_sample, group_id

pytestmark = INBOXES


@pytest.fixture
def bearer(db, users, crm_app):
    """``bearer("ana")``: a client and headers authenticated by ana's API token, no cookie."""

    def make(username: str):
        with unit_of_work():
            _token, secret = create_token(db, users[username], "tests")
        return crm_app.test_client(), {"Authorization": f"Bearer {secret}"}

    return make


def test_send_take_done_through_the_api(db, users, bearer):
    acme = add_sample(db, users["leader"], "Acme Corp")
    leader, as_leader = bearer("leader")
    sent = leader.post("/api/v1/inboxes/send", headers=as_leader, json={
        "session_name": "samples", "element_id": acme.id, "recipient": f"group:{group_id(db, 'Executives')}",
        "requested_action": "call_back", "note": "Whoever is free"})
    assert sent.status_code == 201, sent.get_json()
    item = sent.get_json()
    assert (item["name"], item["requested_action_label"], item["sender"]) == ("Acme Corp", "Call back", "Leader")

    bob, as_bob = bearer("bob")
    group = bob.get("/api/v1/inboxes/group", headers=as_bob).get_json()
    assert group["total"] == 1
    assert group["items"][0]["name"] is None and group["items"][0]["visible"] is False  # not his yet: no name
    taken = bob.post(f"/api/v1/inboxes/{item['id']}/take", headers=as_bob)
    assert taken.status_code == 200 and taken.get_json()["name"] == "Acme Corp"
    ana, as_ana = bearer("ana")
    late = ana.post(f"/api/v1/inboxes/{item['id']}/take", headers=as_ana)
    assert late.status_code == 422
    assert "Someone else took this item first" in late.get_json()["error"]["message"]
    assert [i["id"] for i in bob.get("/api/v1/inboxes/mine", headers=as_bob).get_json()["items"]] == [item["id"]]
    done = bob.post(f"/api/v1/inboxes/{item['id']}/done", headers=as_bob)
    assert done.status_code == 200 and done.get_json()["state"] == "done"
    assert bob.get("/api/v1/inboxes/mine", headers=as_bob).get_json()["total"] == 0


def test_the_api_refuses_what_the_screens_refuse(db, users, bearer, crm_app):
    acme = add_sample(db, users["ana"])
    ana, as_ana = bearer("ana")
    refused = ana.post("/api/v1/inboxes/send", headers=as_ana, json={
        "session_name": "samples", "element_id": acme.id, "recipient": f"user:{users['bob'].id}",
        "requested_action": "review"})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["recipient"]
    bob, as_bob = bearer("bob")
    foreign = bob.post("/api/v1/inboxes/send", headers=as_bob, json={
        "session_name": "samples", "element_id": acme.id, "recipient": f"user:{users['leader'].id}",
        "requested_action": "review"})
    assert foreign.status_code == 404
    bad = ana.post("/api/v1/inboxes/send", headers=as_ana, json={"session_name": "samples"})
    assert bad.status_code == 400 and {"element_id", "recipient", "requested_action"} <= set(
        bad.get_json()["error"]["fields"])
    assert ana.post("/api/v1/inboxes/send", headers=as_ana, data="x").status_code == 415
    assert ana.post("/api/v1/inboxes/999/take", headers=as_ana).status_code == 404
    assert crm_app.test_client().get("/api/v1/inboxes/mine").status_code == 401
    assert ana.get("/api/v1/inboxes/mine?page=0", headers=as_ana).status_code == 400


def test_the_inbox_operations_are_in_the_openapi_document(crm_app):
    doc = crm_app.test_client().get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert set(paths["/api/v1/inboxes/mine"]) == {"get"}
    assert set(paths["/api/v1/inboxes/{item_id}/take"]) == {"post"}
    assert "/api/v1/inboxes/send" in paths and "/api/v1/inboxes/{item_id}/dismiss" in paths
