"""Inboxes through ``crm serve`` over real HTTP (EXT-12): a leader sends a lead to the
Executives' inbox, two executives take it one after the other, the first becomes its owner."""

from __future__ import annotations

import re
import threading

import pytest

from tests.support.served import csrf_token


@pytest.fixture(scope="module")
def group_id(production) -> int:
    leader = production.server.login("leader")
    lead = leader.post("/api/v1/leads", json={"name": "Probe lead"}).json()
    form = leader.get(f"/s/leads/{lead['id']}/action/send_to_inbox").text
    found = re.search(r'value="group:(\d+)"[^>]*>Group: Executives<', form)
    assert found, form
    return int(found.group(1))


def test_a_lead_sent_to_a_group_is_taken_by_one_executive_who_becomes_its_owner(production, group_id):
    leader = production.server.login("leader")
    lead = leader.post("/api/v1/leads", json={"name": "Hotel Inbox"}).json()
    sent = leader.post("/api/v1/inboxes/send", json={
        "session_name": "leads", "element_id": lead["id"], "recipient": f"group:{group_id}",
        "requested_action": "call_back", "note": "Asked for a call"})
    assert sent.status_code == 201, sent.text
    item = sent.json()

    ana, bob = production.server.login("ana"), production.server.login("bob")
    waiting = ana.get("/api/v1/inboxes/group").json()["items"]
    assert [i["id"] for i in waiting if i["id"] == item["id"]] and ana.get(f"/api/v1/leads/{lead['id']}").status_code == 404
    taken = ana.post(f"/api/v1/inboxes/{item['id']}/take")
    assert taken.status_code == 200, taken.text
    late = bob.post(f"/api/v1/inboxes/{item['id']}/take")
    assert late.status_code == 422 and "Someone else took this item first" in late.json()["error"]["message"]
    assert ana.get(f"/api/v1/leads/{lead['id']}").json()["name"] == "Hotel Inbox"  # hers now
    page = ana.get("/inbox/mine")
    assert "Hotel Inbox" in page.text and f'href="/s/leads/{lead["id"]}"' in page.text
    done = ana.post(f"/inbox/{item['id']}/done", data={"csrf_token": csrf_token(ana, "/inbox/mine")})
    assert done.status_code == 302
    assert all(i["id"] != item["id"] for i in ana.get("/api/v1/inboxes/mine").json()["items"])


def test_concurrent_takes_over_http_have_exactly_one_winner(production, group_id):
    leader = production.server.login("leader")
    lead = leader.post("/api/v1/leads", json={"name": "Race lead"}).json()
    item = leader.post("/api/v1/inboxes/send", json={
        "session_name": "leads", "element_id": lead["id"], "recipient": f"group:{group_id}",
        "requested_action": "resolve"}).json()
    clients = {name: production.server.login(name) for name in ("ana", "bob")}
    start, codes, messages = threading.Barrier(2), {}, []

    def take(name: str) -> None:
        start.wait(timeout=30)
        response = clients[name].post(f"/api/v1/inboxes/{item['id']}/take")
        codes[name] = response.status_code
        if response.status_code == 422:
            messages.append(response.json()["error"]["message"])

    threads = [threading.Thread(target=take, args=(n,)) for n in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes.values()) == [200, 422], codes
    # PostgreSQL: the row lock; SQLite (one lock for the file): the database refuses the later writer
    assert re.match("Someone else took (this item first|or changed this item at the same moment)", messages[0])
    winner = next(n for n, code in codes.items() if code == 200)
    assert clients[winner].get(f"/api/v1/leads/{lead['id']}").status_code == 200
