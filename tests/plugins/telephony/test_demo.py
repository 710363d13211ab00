"""``crm demo`` with telephony: calls for every demo user (answered, missed, outbound), made once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.demo import make_demo_data
from plugins.telephony.demo import PLAN
from plugins.telephony.models import Call

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])


def test_demo_calls_for_each_user_once(db, users):
    people = {name: user for name, user in users.items() if not user.is_admin}
    make_demo_data(db, users)
    make_demo_data(db, users)  # repeatable
    per_owner = dict(db.execute(select(Call.owner_id, func.count()).group_by(Call.owner_id)).all())
    assert per_owner == {user.id: len(PLAN) for user in people.values()}
    missed = db.scalar(select(func.count()).select_from(Call).where(Call.result == "missed"))
    assert missed == len(people)
    assert all(c.number_e164.startswith("+") for c in db.scalars(select(Call)))
