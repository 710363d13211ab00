"""Two escalation workers at once on PostgreSQL never take a ladder step twice (CAS-02): each
batch locks its rows with ``FOR UPDATE SKIP LOCKED``, so the workers share the due cases and
every case gets exactly one row per step.

Needs real commits seen by two connections, so it uses its own committed scratch database
instead of the transactional ``db`` fixture.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from crm_core.app import create_app, crm_state
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import Group, User
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings
from plugins.cases import escalation
from plugins.cases.models import Case, CaseEscalation, CaseEscalationState
from plugins.sales.models import Account

CASES = 400
NOW = datetime(2026, 4, 14, 10, tzinfo=UTC)
CUSTOMERS = Path(__file__).parent / "customers"


def test_two_workers_at_once_escalate_each_case_once_on_postgresql(pg_url):
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(pg_url, name)
    try:
        app = create_app(base_settings(url, CRM_OVERRIDES_DIR=str(CUSTOMERS), CRM_CUSTOMER="telco_sla"))
        upgrade(app)
        with app.app_context(), unit_of_work() as s:
            groups = ensure_groups(s, crm_state().registry)
            for username in ("owner", "leader", "admin"):
                s.add(User(username=username, full_name=username, password_hash="", group_id=groups["Leaders"].id))
            s.flush()
            owner = s.scalar(select(User.id).where(User.username == "owner"))
            account = Account(code="A1", name="Hoteles Sol", kind="sale", owner_id=owner, creator_id=owner)
            s.add(account)
            s.flush()
            opened = NOW - timedelta(days=20)  # ~12 business days (Easter): past step 1 (7), not 2 (14)
            s.execute(insert(Case), [
                {"owner_id": owner, "creator_id": owner, "account_id": account.id, "subject": f"Claim {n}",
                 "type": "billing", "status": "open", "number": f"C-T-{n}", "created_at": opened,
                 "uid": uuid.uuid4().hex}
                for n in range(CASES)
            ])
        start = threading.Barrier(2)
        results: list[int] = []
        errors: list[BaseException] = []

        def work() -> None:
            with app.app_context():
                start.wait()
                try:
                    results.append(escalation.run(now=NOW, batch=25))
                except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                    errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert sum(results) == CASES
        with app.app_context(), unit_of_work() as s:
            leaders = s.scalar(select(Group.id).where(Group.name == "Leaders"))
            rows = s.execute(select(CaseEscalation.case_id, func.count()).group_by(CaseEscalation.case_id)).all()
            assert len(rows) == CASES and {n for _cid, n in rows} == {1}
            assert set(s.scalars(select(CaseEscalationState.group_id))) == {leaders}
            assert set(s.scalars(select(CaseEscalationState.step))) == {1}
            assert s.scalar(select(func.count()).select_from(CaseEscalationState)) == CASES
        with app.app_context():
            assert escalation.run(now=NOW) == 0
        app.extensions["crm_db"].engine.dispose()
    finally:
        drop_pg_database(pg_url, name)
