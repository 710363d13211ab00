"""The screen pop (TEL-01): a call ringing at an agent's extension reaches that agent's event
stream only, and the card shows the caller as that agent may see them — who, their open
opportunities, last activities — or offers a new lead prefilled with an unknown number."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from plugins.telephony import services, views
from plugins.telephony.models import Pop
from plugins.telephony.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])


def ring(db, number: str, extension: str = "201", call_id: str = "r-1") -> Pop | None:
    with unit_of_work():
        return services.ringing(db, call_id, number, extension)


def card(client, pop: Pop) -> str:
    response = client.get(f"/telephony/pops/{pop.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_card_shows_the_caller_their_open_opportunities_and_last_activities(client_for, db, create, extensions):
    account = create("accounts", "ana", code="C-9", name="Ruiz Hermanos", phone="912 345 678")
    create("opportunities", "ana", name="Tornillos 2027", account_id=account.id)
    create("activities", "ana", type="meeting", subject="Visita previa", starts_at="2026-11-20T10:00:00+00:00",
           session_name="accounts", element_id=account.id)
    page = card(client_for("ana"), ring(db, "+34 912 345 678"))
    assert "C-9 Ruiz Hermanos" in page and "Tornillos 2027" in page and "Visita previa" in page
    assert "New lead" not in page


def test_an_unknown_number_offers_a_new_lead_prefilled(client_for, db, extensions):
    page = card(client_for("ana"), ring(db, "600 999 888"))
    assert "Unknown number." in page and "/s/leads/new?phone=600+999+888" in page
    assert "New case" not in page  # no plugin declares a cases session here


def test_the_card_reveals_nothing_the_agent_may_not_see(client_for, db, create, extensions):
    create("leads", "bob", name="Bob's prospect", phone="677 888 999")
    page = card(client_for("ana"), ring(db, "677888999"))
    assert "Bob's prospect" not in page and "Unknown number." in page


def test_only_the_agent_whose_extension_rings_gets_the_pop(client_for, db, extensions):
    pop = ring(db, "600 111 222")  # at 201: ana
    assert pop is not None
    assert client_for("bob").get(f"/telephony/pops/{pop.id}").status_code == 404
    assert ring(db, "600 111 222", extension="299", call_id="r-2") is None  # nobody at 299


def test_the_event_stream_carries_the_agents_own_calls_only(client_for, db, users, extensions, monkeypatch):
    monkeypatch.setattr(views, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(views, "POLL_SECONDS", 0.1)
    mine = ring(db, "600 111 222", call_id="mine")
    bobs = ring(db, "600 111 333", extension="202", call_id="bobs")
    response = client_for("ana").get("/telephony/events", headers={"Last-Event-ID": "0"})
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    assert f"id: {mine.id}\nevent: call\ndata: {mine.id}\n" in body and f"data: {bobs.id}\n" not in body


def test_a_hosted_pbx_announces_a_ringing_call_by_signed_webhook(crm_app, db, users, extensions):
    settings = crm_state(crm_app).settings.setdefault("telephony", {})
    settings["webhook_secret"] = "pbx"
    body = json.dumps({"event": "call.ringing", "call_id": "h-9", "number": "600 111 222", "extension": "201"}).encode()
    stamp = str(int(time.time()))
    response = crm_app.test_client().post(
        "/telephony/webhook", data=body, content_type="application/json",
        headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign("pbx", stamp, body)},
    )
    settings["webhook_secret"] = ""
    assert response.status_code == 202 and response.get_json()["popped"] is True
    assert db.scalars(select(Pop.user_id).where(Pop.call_id == "h-9")).one() == users["ana"].id


def test_only_users_with_an_extension_load_the_pop_script(client_for, extensions):
    assert "/assets/telephony/telephony." in client_for("ana").get("/").get_data(as_text=True)
    assert "/assets/telephony/telephony." not in client_for("leader").get("/").get_data(as_text=True)
