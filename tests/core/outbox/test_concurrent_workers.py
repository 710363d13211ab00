"""Two workers on one PostgreSQL database deliver every message exactly once (SKIP LOCKED).

This needs real commits seen by two connections, so it uses its own committed scratch
database instead of the transactional ``db`` fixture (ERP-01: never lost, never doubled).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

from sqlalchemy import func, select

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.outbox import OutboxMessage
from crm_core.outbox import DeliveryPolicy, enqueue, process_batch
from crm_core.testing import make_plugin
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings

MESSAGES = 120


def test_two_workers_deliver_each_message_exactly_once_on_postgresql(pg_url):
    delivered: list[tuple[str, str]] = []
    lock = threading.Lock()

    def deliver(payload: dict, key: str) -> None:
        time.sleep(0.002)  # a remote call: gives the other worker time to claim concurrently
        with lock:
            delivered.append((threading.current_thread().name, key))

    plugin = make_plugin("skip_locked_test", crm_register_outbox_handlers=lambda: {"test.slow": deliver})
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(pg_url, name)
    try:
        app = create_app(base_settings(url, CRM_PLUGINS="skip_locked_test"), extra_plugins={"skip_locked_test": plugin})
        upgrade(app)
        with app.app_context(), unit_of_work() as s:
            for n in range(MESSAGES):
                enqueue(s, "test.slow", {"n": n}, f"skip-{n}")
        policy = DeliveryPolicy(lease_seconds=300)

        def work() -> None:
            with app.app_context():
                busy = True
                while busy:  # until a pass finds nothing to deliver
                    busy = process_batch(batch=5, policy=policy).delivered_or_tried

        threads = [threading.Thread(target=work, name=f"w{i}") for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        keys = Counter(key for _t, key in delivered)
        assert len(keys) == MESSAGES and max(keys.values()) == 1
        assert {t for t, _k in delivered} == {"w0", "w1"}  # both really worked
        with app.app_context(), unit_of_work() as s:
            assert s.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == MESSAGES
        app.extensions["crm_db"].engine.dispose()
    finally:
        drop_pg_database(pg_url, name)
