"""GL7 link (ERP-01): events enqueue in the business transaction; the worker delivers to a
real loopback HTTP server playing GL7, retries after an outage, never creates a duplicate
entity, gives up after N attempts, and the GL7 code is shown on the account."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.models.outbox import OutboxMessage
from crm_core.outbox import DeliveryPolicy, process_batch
from plugins.erp_gl7 import _linked_type
from plugins.erp_gl7.client import Gl7Client, Gl7Error, Gl7Settings
from plugins.erp_gl7.models import Gl7Link
from plugins.erp_gl7.services import link_for
from tests.plugins.erp_gl7.gl7_double import running_gl7

pytestmark = pytest.mark.crm(plugins=["sales", "erp_gl7"])
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)


def stand_in(element_type: str, **attrs):
    """A small object shaped like a sales element (sales is not imported)."""
    return SimpleNamespace(element_type=element_type, id=attrs.pop("id", 1), uid=str(uuid.uuid4()), **attrs)


def qualify(users, db, account=None):
    lead = stand_in("sales_lead", name="Juan Pérez", company="Acme SA", source="web")
    account = account or stand_in(
        "sales_account", id=7, code="OP-000001", name="Acme SA", tax_id="B123", email="info@acme.test"
    )
    with unit_of_work() as s:
        crm_state().pm.hook.crm_lead_qualified(
            lead=lead, account=account, opportunity=None, contact=None, user=users["ana"], db=s
        )
    return account


def test_qualifying_enqueues_without_calling_gl7(db, users, gl7):
    account = qualify(users, db)
    msg = db.scalar(select(OutboxMessage))
    assert (msg.topic, msg.status, msg.element_type, msg.element_id) == (
        "gl7.create_potential_entity", "pending", "sales_account", 7
    )
    assert msg.payload["provisional_code"] == "OP-000001" and msg.payload["lead"]["company"] == "Acme SA"
    assert gl7.requests == []  # nothing waited on GL7
    assert link_for(db, account.uid).sync == "queued"


def test_delivery_creates_the_potential_entity_and_stores_its_code(db, users, gl7):
    account = qualify(users, db)
    assert process_batch(policy=FAST).sent == 1
    [request] = gl7.requests
    assert request["path"] == "/api/entities"
    assert request["headers"]["idempotency-key"] == f"gl7:entity:{account.uid}"
    assert request["headers"]["authorization"] == "Bearer secret-token"
    assert gl7.entities[account.uid]["name"] == "Acme SA"
    link = link_for(db, account.uid)
    db.refresh(link)
    assert (link.gl7_code, link.stage, link.sync) == ("P-00001", "potential", "synced")


def test_outage_is_retried_and_delivered_later(db, users, gl7):
    account = qualify(users, db)
    gl7.mode = "error"
    assert process_batch(policy=FAST).failed == 1
    msg = db.scalar(select(OutboxMessage))
    db.refresh(msg)
    assert msg.status == "failed" and "HTTP 500" in msg.last_error
    gl7.mode = "ok"
    assert process_batch(policy=FAST).sent == 1
    assert list(gl7.entities) == [account.uid]


def test_retry_after_a_timeout_does_not_create_a_second_entity(db, users, gl7):
    """GL7 did the work but answered too late: the retry carries the same key."""
    qualify(users, db)
    gl7.mode, gl7.slow_seconds = "slow", 1.5
    report = process_batch(policy=FAST)
    assert report.failed == 1
    assert "unreachable" in db.scalar(select(OutboxMessage.last_error))
    gl7.mode = "ok"
    assert process_batch(policy=FAST).sent == 1
    assert len(gl7.requests) == 2 and len(gl7.entities) == 1
    assert gl7.requests[0]["headers"]["idempotency-key"] == gl7.requests[1]["headers"]["idempotency-key"]


def test_message_is_dead_after_max_attempts(db, users, gl7):
    qualify(users, db)
    gl7.mode = "error"
    for _ in range(FAST.max_attempts + 1):
        process_batch(policy=FAST)
    msg = db.scalar(select(OutboxMessage))
    db.refresh(msg)
    assert (msg.status, msg.attempts) == ("dead", FAST.max_attempts)
    assert len(gl7.requests) == FAST.max_attempts


def test_won_opportunity_promotes_the_entity_with_the_definitive_code(db, users, gl7):
    account = qualify(users, db)
    process_batch(policy=FAST)
    account.code = "CL-2024-001"
    opportunity = stand_in("sales_opportunity", name="Big deal", amount=Decimal("1200.50"), currency="EUR")
    with unit_of_work() as s:
        crm_state().pm.hook.crm_opportunity_won(opportunity=opportunity, account=account, user=users["ana"], db=s)
    assert link_for(db, account.uid).sync == "queued"
    assert process_batch(policy=FAST).sent == 1
    assert gl7.entities[account.uid]["status"] == "customer"
    assert gl7.requests[-1]["body"]["opportunity"]["amount"] == "1200.50"
    link = link_for(db, account.uid)
    db.refresh(link)
    assert (link.gl7_code, link.stage, link.sync) == ("CL-2024-001", "customer", "synced")


def test_new_contact_is_created_in_gl7_under_its_account(db, users, gl7):
    account = stand_in("sales_account", id=3, code="OP-9", name="Beta")
    contact = stand_in("sales_contact", id=5, first_name="Eva", last_name="Ruiz", email="eva@beta.test")
    with unit_of_work() as s:
        crm_state().pm.hook.crm_contact_created(contact=contact, account=account, user=users["ana"], db=s)
    assert process_batch(policy=FAST).sent == 1
    assert gl7.contacts[contact.uid]["account_uid"] == account.uid
    assert db.scalar(select(Gl7Link.gl7_code).where(Gl7Link.crm_uid == contact.uid)) == "K-00001"


def test_missing_base_url_fails_visibly_and_is_kept(db, users):
    qualify(users, db)
    assert process_batch(policy=FAST).failed == 1
    assert "not configured" in db.scalar(select(OutboxMessage.last_error))


def test_client_reports_a_closed_port_as_unreachable():
    with running_gl7() as double:
        url = double.url
    with pytest.raises(Gl7Error, match="unreachable"):
        Gl7Client(url, timeout_seconds=0.5).post("/api/entities", {}, "k")


def test_settings_are_validated():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        Gl7Settings().load({"timeout_seconds": -1})


def test_tab_is_offered_for_sessions_declaring_the_account_or_contact_role_not_by_name(crm_app):
    def sdef(table: str, roles: tuple[str, ...] = ()) -> SessionDef:
        model = type("M", (), {"__element_type__": table})
        return SessionDef("x", "m", "X", model=model, schema=object, roles=roles)  # type: ignore[arg-type]

    assert _linked_type(sdef("anything", ("account",))) == "account"
    assert _linked_type(sdef("anything", ("contact",))) == "contact"
    assert _linked_type(sdef("loyalty_account")) is None  # a partner's table named *_account
    registry = crm_app.extensions["crm"].registry
    assert {n for n, s in registry.sessions.items() if _linked_type(s)} == {"accounts", "contacts"}


def test_tab_shows_the_gl7_code_and_delivery_status(crm_app, db, users, gl7):
    from plugins.erp_gl7.views import render_tab

    account = qualify(users, db)
    waiting = render_tab(None, account)
    assert "waiting for GL7" in waiting and "Pending" in waiting
    process_batch(policy=FAST)
    db.expire_all()
    html = render_tab(None, account)
    assert "P-00001" in html and "up to date" in html and "Sent" in html
