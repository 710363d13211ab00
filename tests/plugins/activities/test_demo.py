"""Demo activities: around today for ana, bob and leader, then a quarter of them, some linked, idempotent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from crm_core.app import crm_state
from plugins.activities import demo
from plugins.activities.models import Activity
from tests.plugins.activities.support import ACTIVITIES_ONLY

pytestmark = ACTIVITIES_ONLY


def test_demo_data_is_spread_around_today_linked_and_idempotent(db, users, add_sample):
    acme = add_sample("ana")
    crm_state().pm.hook.crm_demo_data(db=db, users=users)
    total = db.scalar(select(func.count()).select_from(Activity))
    plan = [str(uuid.uuid5(demo.DEMO_NAMESPACE, f"{u}-{n}")) for u in ("ana", "bob", "leader") for n in range(len(demo.PLAN))]
    assert db.scalar(select(func.count()).select_from(Activity).where(Activity.uid.in_(plan))) == len(plan)
    assert total > len(plan) * 10  # and the quarter around it (tests/plugins/sales/test_demo_company.py)
    anas = list(db.scalars(select(Activity).where(Activity.owner_id == users["ana"].id)))
    now = datetime.now(UTC)
    assert any(a.starts_at < now and a.status == "planned" for a in anas)
    assert any(a.starts_at > now for a in anas)
    assert any(a.session_name == "samples" and a.element_id == acme.id for a in anas)
    assert demo.load(db, users) == 0 and demo.load_quarter(db, users) == 0
    assert db.scalar(select(func.count()).select_from(Activity)) == total
