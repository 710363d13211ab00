"""Messaging with the real activities plugin (ACT-04, MSG-01): creating an activity through the
REST API emails its owner via the worker; an activity due soon is reminded through the
``crm_activities_due`` answer of the activities plugin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_core.models.types import utcnow
from crm_core.outbox import DeliveryPolicy, process_batch
from plugins.messaging.notifications import send_reminders
from tests.plugins.messaging.doubles import configure, smtp_server

pytestmark = pytest.mark.crm(plugins=["activities", "messaging"])
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)


@pytest.fixture
def inbox(crm_app):
    with smtp_server() as (received, port):
        configure(crm_app, smtp_port=port)
        yield received


def test_activity_created_through_the_api_emails_its_owner(db, client_for, users, inbox):
    created = client_for("leader").post(
        "/api/v1/activities",
        json={"type": "call", "subject": "Call Acme", "starts_at": "2026-12-01T10:00:00+00:00",
              "owner_id": users["ana"].id},
    )
    assert created.status_code == 201, created.get_json()
    assert inbox.messages == []  # sent by the worker, not by the request
    assert process_batch(policy=FAST).sent == 1
    [mail] = inbox.messages
    assert mail["To"] == "ana@example.com" and mail["Subject"] == "New activity: Call Acme"
    assert f"https://crm.example.com/s/activities/{created.get_json()['id']}" in mail.get_content()


def test_planned_activity_starting_soon_is_reminded(db, client_for, users, inbox):
    starts = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    created = client_for("ana").post(
        "/api/v1/activities", json={"type": "meeting", "subject": "Demo", "starts_at": starts.isoformat()}
    )
    assert created.status_code == 201, created.get_json()
    process_batch(policy=FAST)  # the "new activity" email
    assert send_reminders() == 1
    process_batch(policy=FAST)
    assert [m["Subject"].split(" (")[0] for m in inbox.messages] == ["New activity: Demo", "Reminder: Demo"]
