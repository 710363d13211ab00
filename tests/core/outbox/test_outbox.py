"""The transactional outbox: enqueue in the caller's transaction, retries with back-off,
dead letters, lease expiry (at-least-once), periodic jobs and the admin screen (ERP-01, MSG-01)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, ConfigError
from crm_core.models.outbox import OutboxMessage
from crm_core.models.types import utcnow
from crm_core.outbox import (
    DeliveryPolicy,
    Worker,
    cancel,
    claim,
    enqueue,
    enqueued,
    history,
    process_batch,
    retry,
    status_label,
)
from tests.core.outbox.helpers import PLUGIN, RECORDER

pytestmark = pytest.mark.crm(plugins=["outbox_test"], extra_plugins={"outbox_test": PLUGIN})
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)


@pytest.fixture(autouse=True)
def fresh_recorder():
    RECORDER.calls.clear()
    RECORDER.failures = 0
    RECORDER.job_runs = 0
    yield RECORDER


class Thing:
    element_type = "thing"
    id = 42


def test_enqueue_writes_in_the_callers_transaction_and_rolls_back_with_it(db):
    with pytest.raises(RuntimeError), unit_of_work() as s:
        enqueue(s, "test.echo", {"n": 1}, "k-rollback")
        raise RuntimeError("business rule failed after the event")
    assert db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "k-rollback")) is None


def test_enqueue_twice_with_one_key_keeps_one_message(db):
    with unit_of_work() as s:
        first = enqueue(s, "test.echo", {"n": 1}, "k-dup")
        second = enqueue(s, "test.echo", {"n": 2}, "k-dup")
    assert first.id == second.id
    assert db.scalar(select(OutboxMessage.payload).where(OutboxMessage.idempotency_key == "k-dup")) == {"n": 1}


def test_enqueued_says_whether_a_key_was_queued_in_this_transaction_or_before(db):
    assert not enqueued(db, "k-seen")
    with unit_of_work() as s:
        enqueue(s, "test.echo", {"n": 1}, "k-seen")
        assert enqueued(s, "k-seen")
    assert enqueued(db, "k-seen") and not enqueued(db, "k-other")


def test_status_label_names_every_state_in_the_users_language(crm_app):
    from flask_babel import force_locale

    with crm_app.test_request_context(), force_locale("es"):
        assert status_label("sent") == "Enviado"
        assert all(status_label(state) for state in ("pending", "sending", "failed", "dead", "cancelled"))


@pytest.mark.parametrize("topic,payload,key", [("", {}, "k"), ("t", {}, ""), ("t", {"d": object()}, "k")])
def test_enqueue_refuses_bad_input_clearly(db, topic, payload, key):
    with pytest.raises(BusinessRuleError):
        enqueue(db, topic, payload, key)
    assert db.scalar(select(OutboxMessage)) is None


def test_worker_delivers_payload_and_key_and_marks_sent(db):
    with unit_of_work() as s:
        enqueue(s, "test.echo", {"n": 7}, "k-ok", element=Thing())
    report = process_batch(policy=FAST)
    assert report.sent == 1
    assert RECORDER.calls == [({"n": 7}, "k-ok")]
    msg = db.scalar(select(OutboxMessage))
    assert msg.status == "sent" and msg.sent_at is not None and msg.attempts == 1
    assert [m.id for m in history(db, "thing", 42)] == [msg.id]


def test_failure_schedules_a_retry_that_later_delivers(db):
    with unit_of_work() as s:
        enqueue(s, "test.echo", {"n": 1}, "k-retry")
    RECORDER.failures = 1
    assert process_batch(policy=FAST).failed == 1
    msg = db.scalar(select(OutboxMessage))
    db.refresh(msg)
    assert msg.status == "failed" and "remote system is down" in msg.last_error
    assert msg.next_attempt_at > utcnow() - timedelta(seconds=1)
    assert process_batch(policy=FAST).sent == 1
    db.refresh(msg)
    assert msg.status == "sent" and msg.attempts == 2 and msg.last_error == ""
    assert len(RECORDER.calls) == 1


def test_message_is_dead_after_max_attempts_and_not_retried_automatically(db):
    with unit_of_work() as s:
        enqueue(s, "test.echo", {}, "k-dead")
    RECORDER.failures = 99
    outcomes = [process_batch(policy=FAST) for _ in range(5)]
    assert [r.failed for r in outcomes[:2]] == [1, 1] and outcomes[2].dead == 1
    assert all(r.delivered_or_tried == 0 for r in outcomes[3:])
    assert db.scalar(select(OutboxMessage.status)) == "dead"


def test_message_without_handler_fails_instead_of_vanishing(db):
    with unit_of_work() as s:
        enqueue(s, "nobody.listens", {}, "k-orphan")
    assert process_batch(policy=FAST).failed == 1
    assert "no handler" in db.scalar(select(OutboxMessage.last_error))


def test_crash_after_claim_redelivers_once_the_lease_expires(db):
    """At-least-once: a worker that dies holding a claim does not lose the message."""
    with unit_of_work() as s:
        enqueue(s, "test.echo", {}, "k-lease")
    assert claim(db, 10, FAST)  # the worker "crashes" here, before delivering
    assert process_batch(policy=FAST).delivered_or_tried == 0  # still leased
    later = utcnow() + timedelta(seconds=FAST.lease_seconds + 1)
    ids = claim(db, 10, FAST, now=later)
    assert len(ids) == 1
    assert db.scalar(select(OutboxMessage.attempts)) == 2


def test_backoff_doubles_with_jitter_and_is_capped():
    policy = DeliveryPolicy(base_delay=10, max_delay=100)
    assert policy.backoff(1, rng=lambda: 1.0) == 10
    assert policy.backoff(3, rng=lambda: 1.0) == 40
    assert policy.backoff(3, rng=lambda: 0.0) == 20
    assert policy.backoff(30, rng=lambda: 1.0) == 100


def test_policy_settings_are_validated_by_name():
    assert DeliveryPolicy.from_settings({"outbox_max_attempts": "4"}).max_attempts == 4
    with pytest.raises(ConfigError, match="outbox_base_delay"):
        DeliveryPolicy.from_settings({"outbox_base_delay": "soon"})
    with pytest.raises(ConfigError, match="outbox_lease_seconds"):
        DeliveryPolicy.from_settings({"outbox_lease_seconds": 0})


def test_retry_and_cancel_follow_the_status_rules(db):
    with unit_of_work() as s:
        msg = enqueue(s, "test.echo", {}, "k-admin")
    with pytest.raises(BusinessRuleError):
        retry(db, msg.id)  # pending: nothing to retry
    with unit_of_work() as s:
        cancel(s, msg.id)
    assert process_batch(policy=FAST).delivered_or_tried == 0
    with unit_of_work() as s:
        retry(s, msg.id)
    assert process_batch(policy=FAST).sent == 1
    with pytest.raises(BusinessRuleError):
        cancel(db, msg.id)  # already sent


def test_worker_runs_periodic_jobs_on_their_schedule(crm_app, db):
    worker = Worker(crm_app, policy=FAST)
    assert worker.run_jobs(now=1000.0) == 3  # the test plugin's and the core's two (notifications, stalled jobs)
    assert worker.run_jobs(now=1030.0) == 0
    assert worker.run_jobs(now=1061.0) == 1  # the core's run every 5 minutes and 6 hours
    assert RECORDER.job_runs == 2


def test_worker_run_once_delivers_and_runs_jobs(crm_app, db):
    with unit_of_work() as s:
        for n in range(3):
            enqueue(s, "test.echo", {"n": n}, f"k-once-{n}")
    report = Worker(crm_app, policy=FAST).run_once()
    assert (report.sent, report.jobs) == (3, 3)  # the test plugin's job and the core's two
    assert sorted(p["n"] for p, _k in RECORDER.calls) == [0, 1, 2]


# --- the admin screen -------------------------------------------------------------------


def test_admin_lists_messages_filtered_by_status(db, client_for):
    with unit_of_work() as s:
        enqueue(s, "test.echo", {}, "k-list-1")
        dead = enqueue(s, "test.echo", {}, "k-list-2")
        dead.status, dead.last_error = "dead", "GL7 said no"
    page = client_for("admin").get("/config/outbox?status=dead")
    assert page.status_code == 200
    assert b"GL7 said no" in page.data and b"k-list-1" not in page.data
    assert page.data.count(b"data-id=") == 1


def test_executives_may_not_see_the_outbox(db, client_for):
    assert client_for("ana").get("/config/outbox").status_code == 403


def test_admin_retries_a_dead_message_after_confirmation(db, client_for):
    with unit_of_work() as s:
        msg = enqueue(s, "test.echo", {}, "k-ui-retry")
        msg.status, msg.attempts = "dead", 3
    client = client_for("admin")
    url = f"/config/outbox/{msg.id}/retry"
    confirm = client.get(url)
    assert confirm.status_code == 200 and b'id="confirm"' in confirm.data
    assert db.scalar(select(OutboxMessage.status)) == "dead"  # GET changes nothing
    assert client.post(url).status_code == 302
    db.refresh(msg)
    assert (msg.status, msg.attempts) == ("pending", 0)


def test_admin_cannot_cancel_a_sent_message(db, client_for):
    with unit_of_work() as s:
        msg = enqueue(s, "test.echo", {}, "k-ui-sent")
        msg.status = "sent"
    response = client_for("admin").post(f"/config/outbox/{msg.id}/cancel", follow_redirects=True)
    assert b"cannot be cancelled" in response.data
    db.refresh(msg)
    assert msg.status == "sent"


def test_a_claim_whose_lease_ran_out_is_not_delivered(db):
    """A slow batch must not deliver a message another worker may have re-claimed meanwhile."""
    from crm_core.outbox import deliver

    with unit_of_work() as s:
        enqueue(s, "test.echo", {}, "k-expired")
    past = utcnow() - timedelta(seconds=FAST.lease_seconds + 5)
    db.execute(OutboxMessage.__table__.update().values(next_attempt_at=past))
    [held] = claim(db, 10, FAST, now=past)
    assert deliver(db, held, {"test.echo": RECORDER.deliver}, FAST) == "expired"
    assert RECORDER.calls == []


def test_crm_worker_once_command_delivers_and_reports(crm_app, db):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from crm_core.outbox_cli import worker

    with unit_of_work() as s:
        enqueue(s, "test.echo", {"n": 1}, "k-cli")
    result = CliRunner().invoke(worker, ["--once", "--batch", "10"], obj=ScriptInfo(create_app=lambda: crm_app))
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0, dead 0, jobs run 3" in result.output
    assert RECORDER.calls == [({"n": 1}, "k-cli")]


def test_crm_worker_rejects_a_bad_batch_size(crm_app):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from crm_core.outbox_cli import worker

    result = CliRunner().invoke(worker, ["--once", "--batch", "0"], obj=ScriptInfo(create_app=lambda: crm_app))
    assert result.exit_code == 2 and "--batch" in result.output
