"""Sales changes in the central audit (CORE-15): a qualification is recorded as what it changed —
``status active → qualified`` under the action's name — once, with the records it created."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_core.models.audit import AuditEntry
from plugins.sales.models import Account, Lead, Opportunity

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


def _rows(db, element: object) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    stmt = select(AuditEntry).where(
        AuditEntry.element_type == element.__element_type__, AuditEntry.element_id == element.id
    )
    return list(db.scalars(stmt.order_by(AuditEntry.id)))


def test_qualify_records_the_status_change_once_under_the_action(create, action, db, users, client_for):
    lead = create("leads", "ana", name="Ferretería Ruiz", company="Ferretería Ruiz S.L.")
    action("leads", lead, "qualify", "ana", create_opportunity=True, opportunity_name="Tornillos")
    created, qualified = _rows(db, lead)
    assert (created.action, qualified.action, qualified.operation) == ("create", "qualify", "update")
    assert qualified.changes["status"] == ["active", "qualified"] and "create_opportunity" not in qualified.changes
    assert qualified.user_id == users["ana"].id
    account = db.scalar(select(Account))
    opportunity = db.scalar(select(Opportunity))
    for made in (account, opportunity):
        assert [(r.action, r.operation) for r in _rows(db, made)] == [("qualify", "create")]
    html = client_for("ana").get(f"/s/leads/{lead.id}?tab=history").get_data(as_text=True)
    line = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "Qualif" in r and "Status" in r)
    assert ">Active<" in line and ">Qualified<" in line
    assert db.get(Lead, lead.id).status == "qualified"


def test_close_won_records_each_change_once(create, action, db):
    lead = create("leads", "ana", name="Hotel Sol")
    action("leads", lead, "qualify", "ana", create_opportunity=True)
    opportunity = db.scalar(select(Opportunity))
    action("opportunities", opportunity, "close_won", "ana", reason="Price", account_code="C0777")
    won = [r for r in _rows(db, opportunity) if r.action == "close_won"]
    assert len(won) == 1 and won[0].changes["status"] == ["active", "won"]
    account = db.scalar(select(Account))
    activated = [r for r in _rows(db, account) if r.action == "close_won"]
    assert len(activated) == 1 and activated[0].changes["status"] == ["potential", "active"]
