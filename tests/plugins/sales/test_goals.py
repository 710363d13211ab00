"""Goals per user and team and month (issue 17 item 7, EXT-07): a leader sets a month's goals on
Sales → Goals (all or nothing, audited), the dashboard's "Won this month" is measured against
them, the client's settings stay the default, executives only read their own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm_core.models.audit import AuditEntry
from plugins.sales import goals, kpis
from plugins.sales.models import SalesGoal
from tests.plugins.sales.test_kpis import GOALS

pytestmark = GOALS  # customer "goals": team 10,000; ana 4,000, bob 3,000 a month


def _month() -> str:
    return f"{date.today():%Y-%m}"


def test_a_leader_sets_the_months_goals_and_the_dashboard_uses_them(client_for, db, users, access_for):
    leader = client_for("leader")
    page = leader.get("/sales/goals").get_data(as_text=True)
    assert 'id="goals-form"' in page and f'name="user:{users["ana"].id}" inputmode="decimal" value="4000.00"' in page
    saved = leader.post("/sales/goals", data={"month": _month(), "team": "30000",
                                              f"user:{users['ana'].id}": "7 500.50"})
    assert saved.status_code == 302
    stored = {g.holder: g.amount for g in db.scalars(select(SalesGoal))}
    assert stored == {"team": Decimal("30000.00"), f"user:{users['ana'].id}": Decimal("7500.50")}
    assert db.scalar(select(AuditEntry).where(AuditEntry.element_type == "sales_goal")) is not None
    figures = {k.name: k for k in kpis.kpis(db, access_for("ana"), users["ana"])}
    assert figures["won_month"].goal == Decimal("7500.50")
    team = [k for k in kpis.kpis(db, access_for("leader"), users["leader"]) if k.scope == "team"]
    assert next(k for k in team if k.name == "won_month").goal == Decimal("30000.00")


def test_a_month_without_goals_uses_the_settings(db, users):
    month = goals.for_month(db, date(2030, 1, 1))
    assert month.team == Decimal("10000") and month.users == {users["ana"].id: Decimal("4000"), users["bob"].id: Decimal("3000")}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("team", "lots", "is not an amount"),
    ("team", "-5", "between 0 and"),
    ("team", "NaN", "between 0 and"),
    ("user:999999", "10", "Unknown team member"),
    ("month", "2026-13", "is not a month"),
])
def test_bad_goals_are_refused_and_change_nothing(client_for, db, field, value, message):
    data = {"month": _month(), "team": "1000", field: value}
    response = client_for("leader").post("/sales/goals", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.scalars(select(SalesGoal)).all() == []


def test_executives_read_their_own_goal_and_cannot_set_any(client_for, users, db):
    ana = client_for("ana")
    page = ana.get("/sales/goals").get_data(as_text=True)
    assert 'id="goals-save"' not in page and "4,000.00" in page and "Bob" not in page
    assert ana.post("/sales/goals", data={"month": _month(), "team": "1"}).status_code == 403
    assert db.scalars(select(SalesGoal)).all() == []
