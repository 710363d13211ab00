"""Banco BP's nightly feed of consenting clients (seed 000) through the outbox: queued once per
night from 02:00 bank time, only consenting active clients, delivered with its key, retried when
the marketing system fails and never queued twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm_core.models.outbox import OutboxMessage
from crm_core.outbox import process_batch
from crm_core.toolkit import create_element, crm_state, unit_of_work

pytestmark = pytest.mark.crm(customer="banco_bp")

#: 01:30 and 02:30 in Guayaquil (UTC-5).
BEFORE, AFTER = datetime(2026, 12, 1, 6, 30, tzinfo=UTC), datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


@pytest.fixture
def clients(db, access_for, core, crm_app):
    crm_app.extensions["crm"].settings["client"].update(marketing_url=core.url, feed_hour=2)
    registry = crm_state().registry
    with unit_of_work() as s:
        for n, consent in enumerate((True, False, True)):
            create_element(s, registry.sdef("accounts"), access_for("ana"), {
                "code": f"01{n:08d}", "name": f"Cliente {n}", "email": f"c{n}@example.com",
                "marketing_consent": consent})


def _feed(db):
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "banco_bp.marketing_feed")))


def test_the_feed_is_queued_once_a_night_with_consenting_clients_only(clients, db, core):
    from crm_customer_overrides_banco_bp import marketing_feed

    assert marketing_feed.run(BEFORE) == 0 and _feed(db) == []
    assert marketing_feed.run(AFTER) == 1
    assert marketing_feed.run(AFTER) == 0  # the same night again: nothing twice
    [message] = _feed(db)
    assert message.idempotency_key == "bp-marketing:2026-12-01:1"
    assert [c["code"] for c in message.payload["clients"]] == ["0100000000", "0100000002"]


def test_delivery_posts_with_its_key_and_a_failure_is_retried(clients, db, core):
    from crm_customer_overrides_banco_bp import marketing_feed

    marketing_feed.run(AFTER)
    core.mode = "fail"
    process_batch()
    [message] = _feed(db)
    db.refresh(message)
    assert message.status != "sent" and message.attempts == 1
    assert core.executed == []
    core.mode = "answer"
    db.execute(OutboxMessage.__table__.update().values(next_attempt_at=datetime(2020, 1, 1, tzinfo=UTC)))  # due now
    process_batch()
    db.refresh(message)
    assert message.status == "sent"
    posted = [e for e in core.executed if e["path"] == "/clients"]
    assert len(posted) == 1 and posted[0]["key"] == "bp-marketing:2026-12-01:1"
