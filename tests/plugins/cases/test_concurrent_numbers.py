"""Two users creating cases at the same moment on PostgreSQL never get the same number and
never fail, including the very first cases of a year, when the counter row does not exist yet
(CAS-01).

Needs real commits seen by two connections, so it uses its own committed scratch database
instead of the transactional ``db`` fixture.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from crm_core.app import create_app, crm_state
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.models.types import utcnow
from crm_core.security.access import load_access
from crm_core.services import elements
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings
from plugins.cases.models import Case
from plugins.sales.models import Account

PER_USER = 15


def test_concurrent_creations_get_distinct_consecutive_numbers_on_postgresql(pg_url):
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(pg_url, name)
    try:
        app = create_app(base_settings(url, CRM_PLUGINS="sales,cases"))
        upgrade(app)
        with app.app_context(), unit_of_work() as s:
            groups = ensure_groups(s, crm_state().registry)
            for username in ("u0", "u1"):
                user = User(username=username, full_name=username, password_hash="", group_id=groups["Leaders"].id)
                s.add(user)
                s.flush()
                s.add(Account(code=f"A-{username}", name=username, kind="sale", owner_id=user.id, creator_id=user.id))
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def create_all(username: str) -> None:
            with app.app_context():
                with unit_of_work() as s:
                    user = s.scalar(select(User).where(User.username == username))
                    account_id = s.scalar(select(Account.id).where(Account.owner_id == user.id))
                start.wait()
                sdef = crm_state().registry.sdef("cases")
                for n in range(PER_USER):
                    try:
                        with unit_of_work() as s:
                            access = load_access(s, s.get(User, user.id), crm_state().row_filters)
                            elements.create(
                                s, sdef, access, {"account_id": account_id, "subject": f"{n}", "type": "billing"}
                            )
                    except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                        errors.append(exc)

        threads = [threading.Thread(target=create_all, args=(u,)) for u in ("u0", "u1")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        with app.app_context(), unit_of_work() as s:
            numbers = sorted(s.scalars(select(Case.number)))
        year = utcnow().year
        assert numbers == [f"C-{year}-{n:06d}" for n in range(1, 2 * PER_USER + 1)]
        app.extensions["crm_db"].engine.dispose()
    finally:
        drop_pg_database(pg_url, name)
