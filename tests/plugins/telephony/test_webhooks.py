"""Signed webhooks of hosted PBXs (TEL-01): HMAC-SHA256 over timestamp + body, a replay window,
one record per call id; anything unsigned, badly signed or stale is a 401 that changes nothing."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from crm_core.app import crm_state
from plugins.activities.models import Activity
from plugins.telephony.models import Call
from plugins.telephony.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])

SECRET = "s3cret-of-the-pbx"
CALL = {
    "event": "call.ended",
    "call_id": "hosted-77",
    "direction": "inbound",
    "number": "+34 912 345 678",
    "extension": "201",
    "result": "missed",
    "started_at": "2026-11-30T09:00:00+00:00",
    "ring_seconds": 21,
}


@pytest.fixture(autouse=True)
def _secret(crm_app):
    settings = crm_state(crm_app).settings.setdefault("telephony", {})
    settings["webhook_secret"] = SECRET
    yield
    settings["webhook_secret"] = ""


def post(client, payload=None, body: bytes | None = None, at: float | None = None, secret: str = SECRET,
         headers: dict[str, str] | None = None):
    body = body if body is not None else json.dumps(payload or CALL).encode()
    stamp = str(int(at if at is not None else time.time()))
    signed = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}
    return client.post("/telephony/webhook", data=body, headers=headers if headers is not None else signed,
                       content_type="application/json")


def count(db, model=Call) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_signed_call_is_stored_for_the_agent_and_linked_to_the_client(crm_app, db, users, create, extensions):
    lead = create("leads", "ana", name="Caller SL", phone="912345678")
    response = post(crm_app.test_client())
    assert response.status_code == 201 and response.get_json() == {"stored": True, "call_id": "hosted-77"}
    call = db.scalars(select(Call)).one()
    assert (call.owner_id, call.result, call.ring_seconds, call.number_e164) == (users["ana"].id, "missed", 21,
                                                                                 "+34912345678")
    assert (call.session_name, call.element_id) == ("leads", lead.id)
    assert count(db, Activity) == 1


def test_the_same_call_delivered_again_is_acknowledged_not_stored_twice(crm_app, db, extensions):
    client = crm_app.test_client()
    assert post(client).status_code == 201
    again = post(client)
    assert again.status_code == 200 and again.get_json()["stored"] is False
    assert count(db) == 1 and count(db, Activity) == 1


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "body changed", "no headers", "too old", "from the future", "timestamp not a number"],
)
def test_a_request_the_pbx_did_not_sign_now_is_refused_and_changes_nothing(crm_app, db, extensions, case):
    client = crm_app.test_client()
    body = json.dumps(CALL).encode()
    now = int(time.time())
    if case == "wrong secret":
        response = post(client, secret="guess")
    elif case == "body changed":
        stamp = str(now)
        headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, body)}
        response = post(client, body=body.replace(b"missed", b"answered"), headers=headers)
    elif case == "no headers":
        response = post(client, headers={})
    elif case == "too old":
        response = post(client, at=now - 301)
    elif case == "from the future":
        response = post(client, at=now + 301)
    else:
        headers = {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: sign(SECRET, "yesterday", body)}
        response = post(client, headers=headers)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert count(db) == 0 and count(db, Activity) == 0


def test_a_signed_but_invalid_call_is_a_422_with_the_fields(crm_app, db, extensions):
    response = post(crm_app.test_client(), {**CALL, "result": "maybe", "started_at": "soon"})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"result", "started_at"}
    assert count(db) == 0


def test_without_a_configured_secret_every_webhook_is_refused(crm_app, db):
    crm_state(crm_app).settings["telephony"]["webhook_secret"] = ""
    assert post(crm_app.test_client(), secret="").status_code == 401
    assert count(db) == 0
