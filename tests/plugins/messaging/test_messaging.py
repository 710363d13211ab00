"""Messaging (MSG-01, ACT-04): notifications rendered in the recipient's language, queued in
the business transaction and sent by the worker to a real SMTP server on loopback; outages
retried; reminders through ``crm_activities_due``; SMS through the HTTP provider adapter;
template preview and the element's message history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.models.outbox import OutboxMessage
from crm_core.models.types import utcnow
from crm_core.outbox import DeliveryPolicy, Worker, process_batch
from crm_core.testing import make_plugin
from plugins.messaging.notifications import send_reminders
from plugins.messaging.settings import MessagingSettings
from plugins.messaging.views import render_history
from tests.plugins.messaging.doubles import configure, free_port, sms_provider, smtp_server

DUE: list[SimpleNamespace] = []
FAKE_ACTIVITIES = make_plugin(
    "fake_activities", crm_activities_due=lambda starts_from, starts_until, db: list(DUE)
)
pytestmark = pytest.mark.crm(plugins=["messaging", "fake_activities"], extra_plugins={"fake_activities": FAKE_ACTIVITIES})
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)
STARTS = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.fixture
def smtp(crm_app):
    with smtp_server() as (inbox, port):
        configure(crm_app, smtp_port=port)
        yield inbox


@pytest.fixture(autouse=True)
def no_due_activities():
    DUE.clear()
    yield
    DUE.clear()


def activity(owner, subject="Call Acme SA", starts_at=STARTS):
    return SimpleNamespace(
        element_type="activity", id=11, uid=str(uuid.uuid4()), owner_id=owner.id, subject=subject, starts_at=starts_at
    )


def schedule(users, act):
    with unit_of_work() as s:
        crm_state().pm.hook.crm_activity_scheduled(activity=act, user=users["leader"], db=s)


def test_scheduling_an_activity_queues_an_email_and_sends_nothing_yet(db, users, smtp):
    schedule(users, activity(users["ana"]))
    msg = db.scalar(select(OutboxMessage))
    assert (msg.topic, msg.status, msg.payload["to"]) == ("messaging.email", "pending", "ana@example.com")
    assert smtp.messages == []


def test_owner_receives_the_email_with_subject_time_and_link(db, users, smtp):
    schedule(users, activity(users["ana"]))
    assert process_batch(policy=FAST).sent == 1
    [mail] = smtp.messages
    assert mail["To"] == "ana@example.com" and mail["From"] == "crm@example.com"
    assert mail["Subject"] == "New activity: Call Acme SA"
    assert mail["Content-Language"] == "en"
    body = mail.get_content()
    # the stand-in activity is no session's record: the link leads home (test_with_activities checks
    # the real link to the activity's detail screen)
    assert "Open it in the CRM: https://crm.example.com/\r\n" in body and "Nov 24, 2026" in body
    assert mail["X-CRM-Idempotency-Key"].startswith("msg:scheduled:")


def test_email_is_in_the_recipients_language_and_time_zone(db, users, smtp):
    users["bob"].language, users["bob"].timezone = "es", "Europe/Madrid"
    db.flush()
    schedule(users, activity(users["bob"], subject="Visitar Beta"))
    process_batch(policy=FAST)
    [mail] = smtp.messages
    assert mail["Subject"] == "Nueva actividad: Visitar Beta" and mail["Content-Language"] == "es"
    body = mail.get_content()
    assert body.startswith("Hola Bob:") and "10:30" in body  # 09:30 UTC shown in Madrid time


def test_smtp_outage_keeps_the_email_and_delivers_it_later(crm_app, db, users):
    port = free_port()
    configure(crm_app, smtp_port=port)
    schedule(users, activity(users["ana"]))
    assert process_batch(policy=FAST).failed == 1
    assert "Connection refused" in db.scalar(select(OutboxMessage.last_error))
    with smtp_server(port) as (inbox, _port):
        assert process_batch(policy=FAST).sent == 1
    assert [m["To"] for m in inbox.messages] == ["ana@example.com"]


def test_user_without_email_is_not_notified(db, users, smtp):
    users["bob"].email = ""
    db.flush()
    schedule(users, activity(users["bob"]))
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_generated_activities_send_one_summary_to_the_grouping_owner(db, users, smtp):
    grouping = SimpleNamespace(element_type="crm_grouping", id=4, uid=str(uuid.uuid4()), name="VIP clients",
                               owner_id=users["leader"].id)
    acts = [activity(users["ana"], subject="Call"), activity(users["bob"], subject="Call")]
    with unit_of_work() as s:
        crm_state().pm.hook.crm_activities_generated(grouping=grouping, activities=acts, user=users["leader"], db=s)
    process_batch(policy=FAST)
    [mail] = smtp.messages
    assert mail["To"] == "leader@example.com" and mail["Subject"] == "2 activities generated for VIP clients"


def test_reminders_are_queued_once_for_activities_due_soon(crm_app, db, users, smtp):
    DUE.append(activity(users["ana"], subject="Demo", starts_at=utcnow() + timedelta(minutes=20)))
    assert send_reminders() == 1
    assert send_reminders() == 0  # the next run (or a second worker) queues nothing twice
    process_batch(policy=FAST)
    [mail] = smtp.messages
    assert mail["Subject"].startswith("Reminder: Demo")


def test_reminder_job_runs_from_the_worker_schedule(crm_app, db, users, smtp):
    DUE.append(activity(users["ana"], subject="Demo", starts_at=utcnow() + timedelta(minutes=5)))
    report = Worker(crm_app, policy=FAST).run_once()
    every_job = [job for part in crm_app.extensions["crm"].pm.hook.crm_register_periodic_jobs() for job in part]
    assert "messaging.reminders" in [job.name for job in every_job]  # beside the core's own
    assert report.jobs == len(every_job) and report.sent == 1
    assert len(smtp.messages) == 1


@pytest.mark.crm(plugins=["messaging"])
def test_reminders_do_nothing_without_an_activities_plugin(crm_app, db, users):
    configure(crm_app)
    assert send_reminders() == 0


def test_sms_reminders_go_through_the_http_provider(crm_app, db, users):
    users["ana"].phone = "+34600111222"
    db.flush()
    with smtp_server() as (_inbox, port), sms_provider() as sms:
        configure(crm_app, smtp_port=port, sms_url=sms.url, sms_token="tok", sms_reminders=True)
        DUE.append(activity(users["ana"], subject="Demo", starts_at=utcnow() + timedelta(minutes=20)))
        send_reminders()
        assert process_batch(policy=FAST).sent == 2
    [request] = sms.requests
    assert request["body"]["to"] == "+34600111222" and request["body"]["text"].startswith("Reminder: Demo")
    assert request["headers"]["authorization"] == "Bearer tok"
    assert request["headers"]["idempotency-key"].endswith(":sms")


def test_sms_provider_error_is_retried(crm_app, db, users):
    users["ana"].phone = "+34600111222"
    db.flush()
    with smtp_server() as (_inbox, port), sms_provider() as sms:
        configure(crm_app, smtp_port=port, sms_url=sms.url, sms_reminders=True)
        DUE.append(activity(users["ana"], subject="Demo", starts_at=utcnow() + timedelta(minutes=20)))
        send_reminders()
        sms.status = 503
        report = process_batch(policy=FAST)
        assert (report.sent, report.failed) == (1, 1)
        sms.status = 200
        assert process_batch(policy=FAST).sent == 1
    assert len(sms.requests) == 2


def test_history_tab_lists_the_elements_messages_with_status(crm_app, db, users, smtp):
    act = activity(users["ana"])
    schedule(users, act)
    process_batch(policy=FAST)
    db.expire_all()
    html = render_history(None, act)
    assert "ana@example.com" in html and "New activity: Call Acme SA" in html and "Sent" in html


def test_admin_previews_every_template_in_english_and_spanish(db, client_for):
    page = client_for("admin").get("/config/messaging/templates?name=activity_reminder")
    assert page.status_code == 200
    assert b'data-language="en"' in page.data and b'data-language="es"' in page.data
    assert b"Recordatorio: Call Acme SA" in page.data


def test_executives_cannot_open_the_template_preview(db, client_for):
    assert client_for("ana").get("/config/messaging/templates").status_code == 403


def test_settings_reject_an_unknown_smtp_security():
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        MessagingSettings().load({"smtp_security": "tls-maybe"})
