"""Any element with an email address gets a "Send email" action, queued in the outbox (MSG-01)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.models.outbox import OutboxMessage
from crm_core.services import elements
from tests.support import sample

pytestmark = pytest.mark.crm(plugins=["messaging", "sample"], extra_plugins={"sample": sample})


def test_sessions_with_an_email_column_get_the_action(crm_app):
    reg = crm_app.extensions["crm"].registry
    assert reg.sdef("samples").action("send_email") is not None
    assert reg.sdef("groupings").action("send_email") is None


def test_sending_queues_one_email_linked_to_the_element(db, access_for):
    sdef = crm_state().registry.sdef("samples")
    ana = access_for("ana")
    with unit_of_work():
        el = elements.create(db, sdef, ana, {"name": "Acme", "email": "buyer@acme.example"})
    with unit_of_work():
        message = elements.run_action(db, sdef, ana, el, "send_email", {"subject": "Your  offer", "body": "Hello"})
    assert message == "Email to buyer@acme.example queued."
    row = db.scalar(select(OutboxMessage).where(OutboxMessage.element_id == el.id))
    assert row.topic == "messaging.email"
    assert row.payload["to"] == "buyer@acme.example" and row.payload["subject"] == "Your offer"


def test_no_address_no_action_and_nothing_queued(db, access_for):
    sdef = crm_state().registry.sdef("samples")
    ana = access_for("ana")
    with unit_of_work():
        el = elements.create(db, sdef, ana, {"name": "No mail"})
    with pytest.raises(BusinessRuleError):
        elements.run_action(db, sdef, ana, el, "send_email", {"subject": "x", "body": "y"})
    db.rollback()
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.element_id == el.id)) is None


def test_nobody_emails_through_someone_elses_record(db, access_for, client_for):
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        el = elements.create(db, sdef, access_for("bob"), {"name": "Bob's", "email": "b@x.example"})
    with pytest.raises(NotFound):
        elements.run_action(db, sdef, access_for("ana"), el, "send_email", {"subject": "x", "body": "y"})
    response = client_for("ana").post(f"/api/v1/samples/{el.id}/actions/send_email", json={"subject": "x", "body": "y"})
    assert response.status_code == 404


def test_missing_subject_is_a_field_error(client_for, db, access_for):
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        el = elements.create(db, sdef, access_for("ana"), {"name": "Acme", "email": "a@x.example"})
    response = client_for("ana").post(f"/api/v1/samples/{el.id}/actions/send_email", json={"body": "y"})
    assert response.status_code == 400
    assert "subject" in response.get_json()["error"]["fields"]
