"""The loyalty plugin as a partner tests it: only through the CRM test kit (``crm_core.testing``)
and the HTTP surface, with sales enabled next to it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crm_loyalty.models import PointsEntry
from crm_loyalty.services import (
    SALES_ACCOUNTS,
    WELCOME_BONUS,
    WELCOME_REASON,
    balance,
    give_welcome_bonuses,
    points_for,
)
from sqlalchemy import select

from crm_core.demo import make_demo_data

pytestmark = pytest.mark.crm(plugins=["sales", "loyalty"])


def _won_deal(client, amount: str) -> dict:  # type: ignore[no-untyped-def]
    account = client.post("/api/v1/accounts", json={"code": "L-001", "name": "Levante"}).json
    opp = client.post("/api/v1/opportunities", json={"name": "Renewal", "account_id": account["id"],
                                                     "amount": amount}).json
    response = client.post(f"/api/v1/opportunities/{opp['id']}/actions/close_won",
                           json={"reason": "signed", "account_code": "L-001"})
    assert response.status_code == 200, response.json
    return account


def test_points_round_down_to_whole_points():
    assert [points_for(Decimal(a)) for a in ("0", "9.99", "10", "1234.50")] == [0, 0, 1, 123]
    assert points_for(None) == 0 and points_for(Decimal("-50")) == 0


def test_winning_an_opportunity_credits_its_account(client_for, db):
    ana = client_for("ana")
    account = _won_deal(ana, "1234.50")
    assert balance(db, account["id"]) == 123
    listed = ana.get("/api/v1/loyalty_points").json
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert [(r["account_id"], r["points"], r["reason"]) for r in rows] == [(account["id"], 123, "Renewal")]


def test_bob_does_not_see_anas_points(client_for):
    _won_deal(client_for("ana"), "500")
    listed = client_for("bob").get("/api/v1/loyalty_points").json
    assert (listed["items"] if isinstance(listed, dict) else listed) == []


def test_a_manual_adjustment_needs_an_account_and_whole_points(client_for, db):
    ana = client_for("ana")
    response = ana.post("/api/v1/loyalty_points", json={"points": "many"})
    assert response.status_code == 400
    assert {"account_id", "points"} <= set(response.json["error"]["fields"])


def test_the_screens_speak_spanish(client_for, users, db):
    users["ana"].language = "es"
    db.flush()
    page = client_for("ana").get("/s/loyalty_points").get_data(as_text=True)
    assert "Puntos de fidelidad" in page


def test_demo_data_gives_every_account_a_welcome_bonus_once(app_ctx, db, users):
    make_demo_data(db, users)
    accounts = db.execute(select(SALES_ACCOUNTS.c.id, SALES_ACCOUNTS.c.owner_id)).all()
    assert accounts, "the sales demo data ran first (loyalty requires sales)"
    for account_id, owner_id in accounts:
        entries = db.scalars(select(PointsEntry).where(PointsEntry.account_id == account_id,
                                                      PointsEntry.reason == WELCOME_REASON)).all()
        assert [(e.points, e.owner_id) for e in entries] == [(WELCOME_BONUS, owner_id)]
    assert give_welcome_bonuses(db) == 0  # repeatable: nothing twice
