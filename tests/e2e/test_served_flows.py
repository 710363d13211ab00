"""One full flow per plugin through ``crm serve`` over real HTTP, with ``crm worker --once`` as a
separate process delivering to loopback doubles (SAL-*, PUR-01, ACT-*, MSG-01, ERP-01)."""

from __future__ import annotations

import icalendar
import pytest


@pytest.fixture(scope="module")
def won(production) -> dict[str, dict]:
    """Sales: Ana creates a lead, qualifies it with an opportunity and a contact, wins it."""
    ana = production.server.login("ana")
    lead = ana.post("/api/v1/leads", json={"name": "Ferretería Ruiz", "email": "carmen@ruiz.example"})
    assert lead.status_code == 201, lead.text
    qualified = ana.post(f"/api/v1/leads/{lead.json()['id']}/actions/qualify",
                         json={"create_opportunity": True, "opportunity_name": "Primer pedido",
                               "create_contact": True, "contact_last_name": "Ruiz"})
    assert qualified.status_code == 200, qualified.text
    account = qualified.json()["result"]["item"]
    [opportunity] = [o for o in ana.get("/api/v1/opportunities").json()["items"] if o["account_id"] == account["id"]]
    closed = ana.post(f"/api/v1/opportunities/{opportunity['id']}/actions/close_won",
                      json={"reason": "signed", "account_code": "C-7001"})
    assert closed.status_code == 200, closed.text
    return {"lead": ana.get(f"/api/v1/leads/{lead.json()['id']}").json(),
            "account": ana.get(f"/api/v1/accounts/{account['id']}").json(),
            "opportunity": ana.get(f"/api/v1/opportunities/{opportunity['id']}").json()}


def test_sales_lead_qualified_into_an_opportunity_that_is_won(won):
    assert won["lead"]["status"] == "qualified"
    assert won["opportunity"]["status"] == "won" and won["opportunity"]["kind"] == "sale"
    assert won["account"]["code"] == "C-7001"


def test_erp_gl7_the_worker_process_sends_the_won_account_to_gl7(production, won):
    worker = production.server.crm("worker", "--once")
    assert worker.returncode == 0, worker.stderr
    [entity] = [e for e in production.gl7.entities.values() if e["code"] == "C-7001"]
    assert entity["status"] == "customer" and entity["name"] == won["account"]["name"]
    page = production.server.login("ana").get(f"/s/accounts/{won['account']['id']}?tab=erp_gl7")
    assert page.status_code == 200 and 'id="gl7-code">C-7001' in page.text


def test_purchasing_a_potential_supplier_qualified_into_a_purchase_opportunity(production):
    ana = production.server.login("ana")
    supplier = ana.post("/api/v1/potential_suppliers", json={"name": "Acme Packaging"})
    assert supplier.status_code == 201, supplier.text
    done = ana.post(f"/api/v1/potential_suppliers/{supplier.json()['id']}/actions/qualify",
                    json={"create_opportunity": True})
    assert done.status_code == 200, done.text
    assert done.json()["result"]["session_name"] == "suppliers"
    purchases = ana.get("/api/v1/purchase_opportunities").json()["items"]
    assert [p["kind"] for p in purchases if p["account_id"] == done.json()["result"]["item"]["id"]] == ["purchase"]


def test_activities_and_messaging_a_meeting_is_in_the_ics_and_emailed_by_the_worker(production):
    leader = production.server.login("leader")
    meeting = {"type": "meeting", "subject": "Visit Acme", "starts_at": "2026-12-14T10:00:00+00:00",
               "location": "Valencia"}
    created = leader.post("/api/v1/activities", json=meeting)
    assert created.status_code == 201, created.text

    events = icalendar.Calendar.from_ical(leader.get("/activities/calendar.ics").content).walk("VEVENT")
    [event] = [e for e in events if str(e["SUMMARY"]) == "Visit Acme"]
    assert str(event["LOCATION"]) == "Valencia" and event["UID"]
    assert event.decoded("DTSTART").isoformat() == "2026-12-14T10:00:00+00:00"

    assert not [m for m in production.inbox.messages if m["Subject"] == "New activity: Visit Acme"]
    worker = production.server.crm("worker", "--once")
    assert worker.returncode == 0, worker.stderr
    [mail] = [m for m in production.inbox.messages if m["Subject"] == "New activity: Visit Acme"]
    assert mail["To"] == "leader@example.com"
    assert f"https://crm.example.com/s/activities/{created.json()['id']}" in mail.get_content()



def test_notifications_a_lead_given_and_a_mention_reach_the_bell_of_every_worker(production):
    """Issue 17 item 11 through ``crm serve`` (two workers): the leader gives ana a lead and
    mentions her in a note; ana's bell counts both from whichever worker answers, opening one
    goes to the lead and marking all read empties it."""
    import re

    from tests.support.served import csrf_token

    leader, ana = production.server.login("leader"), production.server.login("ana")
    ana.post("/notifications/read", data={"csrf_token": csrf_token(ana, "/notifications")})
    lead = leader.post("/api/v1/leads", json={"name": "Campanilla SA"})
    assert lead.status_code == 201, lead.text
    lead_id = lead.json()["id"]
    form = leader.get(f"/s/leads/{lead_id}?edit=1").text
    ana_id = int(re.search(r'<option value="(\d+)"[^>]*>Ana</option>', form).group(1))
    assert leader.patch(f"/api/v1/leads/{lead_id}", json={"owner_id": ana_id}).status_code == 200
    noted = leader.post(f"/s/leads/{lead_id}/notes", data={
        "text": "@ana please call them", "csrf_token": csrf_token(leader, f"/s/leads/{lead_id}")})
    assert noted.status_code == 302, noted.text
    for _attempt in range(4):  # two workers: each answers the same
        assert ana.get("/notifications/count").json()["unread"] == 2
    listed = ana.get("/notifications").text
    first = re.search(r'href="/notifications/(\d+)"', listed).group(1)
    opened = ana.get(f"/notifications/{first}")
    assert opened.status_code == 302 and opened.headers["location"].endswith(f"/s/leads/{lead_id}")
    assert ana.get("/notifications/count").json()["unread"] == 1
    done = ana.post("/notifications/read", data={"csrf_token": csrf_token(ana, "/notifications")})
    assert done.status_code == 302
    assert ana.get("/notifications/count").json() == {"unread": 0, "shown": "0", "label": "Notifications"}
