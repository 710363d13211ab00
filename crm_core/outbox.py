"""The transactional outbox and its worker (ERP-01, MSG-01; DESIGN "the flow of a request").

Integration work is never done while a user waits. Event hooks call :func:`enqueue` inside the
caller's unit of work, so the message is committed together with the business change (or not
at all). The ``crm worker`` then delivers it to the handler registered for its topic through
``crm_register_outbox_handlers``:

* **claiming** — a short transaction moves due rows to ``sending`` with a lease
  (``next_attempt_at`` = lease expiry). On PostgreSQL the rows are selected with
  ``FOR UPDATE SKIP LOCKED`` so several workers never claim the same row; on SQLite (one
  worker) the guarded ``UPDATE … WHERE status IN (due states)`` refuses a row claimed meanwhile.
* **at-least-once** — a worker that dies between delivery and marking the row ``sent`` leaves
  it in ``sending``; once the lease expires the row is due again and is re-delivered. Handlers
  receive the idempotency key so the receiver can drop the duplicate.
* **retries** — a failed attempt waits an exponential back-off with jitter (capped); after
  ``outbox_max_attempts`` attempts the message is ``dead`` and waits for an administrator.

Settings (customer.toml ``[settings.core]``): ``outbox_max_attempts`` (8),
``outbox_base_delay`` seconds (30), ``outbox_max_delay`` seconds (3600),
``outbox_lease_seconds`` (300).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from crm_core.db import session, unit_of_work
from crm_core.errors import BusinessRuleError, ConfigError, NotFound
from crm_core.extensions import crm_state
from crm_core.models.outbox import DUE_STATUSES, OutboxMessage
from crm_core.models.types import utcnow
from crm_core.registry import collect

log = logging.getLogger(__name__)

RETRYABLE = ("failed", "dead", "cancelled")
#: What users read for each state (the outbox screen, refusals to retry or cancel).
STATUS_LABELS = {
    "pending": _l("Pending"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed, will retry"),
    "dead": _l("Dead (gave up)"),
    "cancelled": _l("Cancelled"),
}
CANCELLABLE = ("pending", "failed", "dead")
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class DeliveryPolicy:
    """How often and how long the worker retries, and how long a claim lasts."""

    max_attempts: int = 8
    base_delay: float = 30.0
    max_delay: float = 3600.0
    lease_seconds: float = 300.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DeliveryPolicy:
        """Read ``[settings.core] outbox_*``; a bad value stops the worker with the key's name."""
        values: dict[str, Any] = {}
        for name in ("max_attempts", "base_delay", "max_delay", "lease_seconds"):
            key = f"outbox_{name}"
            if key not in settings:
                continue
            try:
                value = int(settings[key]) if name == "max_attempts" else float(settings[key])
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"settings.core.{key}: a number is required, not {settings[key]!r}") from exc
            if value <= 0:
                raise ConfigError(f"settings.core.{key}: must be greater than zero")
            values[name] = value
        return cls(**values)

    def backoff(self, attempts: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds before retry number ``attempts``: doubling, capped, with 50–100 % jitter."""
        delay = min(self.max_delay, self.base_delay * 2 ** max(attempts - 1, 0))
        return delay * (0.5 + rng() / 2)


def enqueue(
    db: DbSession,
    topic: str,
    payload: Mapping[str, Any],
    key: str,
    element: Any = None,
    *,
    delay_seconds: float = 0,
) -> OutboxMessage:
    """Record a message in the caller's transaction; the same ``key`` twice keeps one message.

    ``element`` (any object with ``element_type`` and ``id``) links the message to the history
    of that element. The payload must be JSON: it is checked here, not at delivery time.
    """
    if not topic or not key:
        raise BusinessRuleError(_("An outbox message needs a topic and an idempotency key."))
    try:
        body = json.loads(json.dumps(dict(payload)))
    except (TypeError, ValueError) as exc:
        message = _("The outbox payload for “%(topic)s” is not JSON: %(error)s", topic=topic, error=exc)
        raise BusinessRuleError(message) from exc
    existing = _by_key(db, key)
    if existing is not None:
        return existing
    msg = OutboxMessage(
        topic=topic,
        payload=body,
        idempotency_key=key,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow() + timedelta(seconds=delay_seconds),
        element_type=getattr(element, "element_type", None) if element is not None else None,
        element_id=getattr(element, "id", None) if element is not None else None,
    )
    try:
        with db.begin_nested():
            db.add(msg)
    except IntegrityError:  # another transaction enqueued the same key first
        found = _by_key(db, key)
        if found is None:
            raise
        return found
    return msg


def _by_key(db: DbSession, key: str) -> OutboxMessage | None:
    return db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def enqueued(db: DbSession, key: str) -> bool:
    """Whether a message with this idempotency key exists, so a job can skip preparing (rendering,
    loading recipients) a message that :func:`enqueue` would not queue a second time."""
    return _by_key(db, key) is not None


def status_label(status: str) -> str:
    """The translated name users read for a message state (plugins' history tabs)."""
    return str(STATUS_LABELS[status])


def history(db: DbSession, element_type: str, element_id: int, limit: int = 50,
            before: datetime | None = None) -> list[OutboxMessage]:
    """Messages about one element, newest first (the element's integration/message history);
    with ``before``, those created at or before that moment (a timeline's next page)."""
    stmt = select(OutboxMessage).where(
        OutboxMessage.element_type == element_type, OutboxMessage.element_id == element_id
    )
    if before is not None:
        stmt = stmt.where(OutboxMessage.created_at <= before)
    return list(db.scalars(stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def _get(db: DbSession, message_id: int) -> OutboxMessage:
    # Locked and re-read: a worker may have claimed or delivered it since this session loaded it.
    msg = db.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
    if msg is None:
        raise NotFound(_("There is no outbox message #%(id)s.", id=message_id))
    return msg


def retry(db: DbSession, message_id: int) -> OutboxMessage:
    """Put a failed, dead or cancelled message back in the queue now, with a fresh attempt count."""
    msg = _get(db, message_id)
    if msg.status not in RETRYABLE:
        raise BusinessRuleError(
            _("Message #%(id)s cannot be retried: it is “%(state)s”.", id=msg.id, state=STATUS_LABELS[msg.status])
        )
    msg.status, msg.attempts, msg.next_attempt_at = "pending", 0, utcnow()
    return msg


def cancel(db: DbSession, message_id: int) -> OutboxMessage:
    """Give up on a message that was not delivered (it stays listed, as ``cancelled``)."""
    msg = _get(db, message_id)
    if msg.status not in CANCELLABLE:
        raise BusinessRuleError(
            _("Message #%(id)s cannot be cancelled: it is “%(state)s”.", id=msg.id, state=STATUS_LABELS[msg.status])
        )
    msg.status = "cancelled"
    return msg


# --- delivery -------------------------------------------------------------------------------


@dataclass
class TickReport:
    """What one worker pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    jobs: int = 0

    @property
    def delivered_or_tried(self) -> int:
        return self.sent + self.failed + self.dead

    def add(self, other: TickReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.jobs += other.jobs


def _due(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status.in_(DUE_STATUSES), OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now),  # lease expired
    )


@dataclass(frozen=True)
class Claimed:
    """A message this worker holds the lease of: everything delivery needs, read at claim time."""

    id: int
    topic: str
    payload: dict[str, Any]
    key: str
    attempts: int
    lease_until: datetime


def claim(db: DbSession, batch: int, policy: DeliveryPolicy, now: datetime | None = None) -> list[Claimed]:
    """Claim up to ``batch`` due messages in one short transaction, oldest due first."""
    now = now or utcnow()
    with unit_of_work():
        pick = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.next_attempt_at).limit(batch)
        if db.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = list(db.scalars(pick))
        if not ids:
            return []
        claimed = db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(now))
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + timedelta(seconds=policy.lease_seconds),
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.topic,
                OutboxMessage.payload,
                OutboxMessage.idempotency_key,
                OutboxMessage.attempts,
            )
            .execution_options(synchronize_session=False)
        )
        lease_until = now + timedelta(seconds=policy.lease_seconds)
        return sorted((Claimed(*row, lease_until=lease_until) for row in claimed), key=lambda c: c.id)


def deliver(db: DbSession, msg: Claimed, handlers: Mapping[str, Any], policy: DeliveryPolicy) -> str:
    """Deliver one claimed message and record the outcome; returns the new status.

    The handler runs outside any transaction, so no row stays locked while a remote system is
    slow. Only a row still in ``sending`` is updated (an administrator may have cancelled it).
    """
    if utcnow() >= msg.lease_until:  # a slow batch outlived its lease: another worker may own it now
        return "expired"
    message_id, topic, payload, key, attempts = msg.id, msg.topic, msg.payload, msg.key, msg.attempts
    handler = handlers.get(topic)
    error = ""
    try:
        if handler is None:
            raise LookupError(f"no handler is registered for topic {topic!r} (plugin disabled?)")
        handler(dict(payload), key)
    except Exception as exc:  # noqa: BLE001 - any failure of a remote system is retried
        error = f"{exc.__class__.__name__}: {exc}"[:MAX_ERROR_CHARS]
        log.warning("outbox message %s (%s) attempt %s failed: %s", message_id, topic, attempts, error)
    now = utcnow()
    if not error:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": ""}
    elif attempts >= policy.max_attempts:
        values = {"status": "dead", "last_error": error}
    else:
        retry_at = now + timedelta(seconds=policy.backoff(attempts))
        values = {"status": "failed", "last_error": error, "next_attempt_at": retry_at}
    with unit_of_work():
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return values["status"]


def process_batch(batch: int = 50, policy: DeliveryPolicy | None = None) -> TickReport:
    """Claim and deliver one batch in the current app context (one worker pass)."""
    state = crm_state()
    policy = policy or DeliveryPolicy.from_settings(state.settings.get("core", {}))
    handlers = state.outbox_handlers()
    db = session()
    report = TickReport()
    for msg in claim(db, batch, policy):
        outcome = deliver(db, msg, handlers, policy)
        if outcome in ("sent", "failed", "dead"):
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


# --- the worker -----------------------------------------------------------------------------


@dataclass
class Worker:
    """``crm worker``: delivers the outbox and runs the periodic jobs of the enabled plugins.

    ``concurrency`` threads claim and deliver in parallel, each in its own app context and
    database session (safe on PostgreSQL thanks to SKIP LOCKED; use 1 on SQLite).
    Periodic jobs run in this process only, on the schedule of each job; several worker
    processes each run them, so jobs must be idempotent (outbox keys make that easy).
    """

    app: Flask
    batch: int = 50
    concurrency: int = 1
    poll_seconds: float = 1.0
    policy: DeliveryPolicy | None = None
    last_runs: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def run_jobs(self, now: float | None = None) -> int:
        """Run each periodic job whose interval has passed since its last run here."""
        now = time.monotonic() if now is None else now
        ran = 0
        with self.app.app_context():
            state = self.app.extensions["crm"]
            for plugin, job in collect(state.pm, "crm_register_periodic_jobs"):
                last = self.last_runs.get(job.name)
                if last is not None and now - last < job.every_seconds:
                    continue
                self.last_runs[job.name] = now
                try:
                    job.run()
                    ran += 1
                except Exception:  # one failing job must not stop delivery
                    log.exception("periodic job %s of %s failed", job.name, plugin)
                    session().rollback()
        return ran

    def _deliver_loop(self, stop: threading.Event | None, report: TickReport, errors: list[BaseException]) -> None:
        """One delivery thread. ``stop=None``: a single batch; otherwise loop, surviving outages."""
        with self.app.app_context():
            while True:
                try:
                    part = process_batch(self.batch, self.policy)
                except Exception as exc:
                    session().rollback()
                    if stop is None:
                        errors.append(exc)
                        return
                    log.exception("outbox delivery pass failed; retrying in %s s", self.poll_seconds)
                    part = TickReport()
                with self._lock:
                    report.add(part)
                if stop is None:
                    return
                if part.delivered_or_tried == 0 and stop.wait(self.poll_seconds):
                    return
                if stop.is_set():
                    return

    def _run_threads(self, stop: threading.Event | None) -> TickReport:
        report, errors = TickReport(), []
        threads = [
            threading.Thread(target=self._deliver_loop, args=(stop, report, errors), name=f"crm-worker-{i}")
            for i in range(max(self.concurrency, 1))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return report

    def run_once(self) -> TickReport:
        """One pass: due jobs, then each thread claims and delivers one batch."""
        jobs = self.run_jobs()
        report = self._run_threads(None)
        report.jobs = jobs
        return report

    def run_forever(self, stop: threading.Event) -> None:
        """Deliver until ``stop`` is set; periodic jobs are checked every poll interval."""
        jobs = threading.Thread(target=self._jobs_loop, args=(stop,), name="crm-worker-jobs")
        jobs.start()
        self._run_threads(stop)
        jobs.join()

    def _jobs_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.run_jobs()
            stop.wait(self.poll_seconds)

