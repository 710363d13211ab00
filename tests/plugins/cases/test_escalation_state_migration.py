"""Migration d4e7a1f9c2b6 moves each case's escalation step out of the wide case row into
``cases_escalation_state`` and carries it over (with the inbox of that step); the downgrade
puts it back. Runs on the test backend (SQLite or PostgreSQL) in a committed scratch database."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from crm_core.app import create_app
from crm_core.migrate import alembic_config, upgrade
from crm_core.models.auth import Group, User
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from plugins.sales.models import Account

BEFORE, AFTER = "c8d2f5a7e1b3", "d4e7a1f9c2b6"
WHEN = datetime(2026, 1, 15, 10, tzinfo=UTC)


def seed(engine) -> tuple[int, int, list[int]]:
    """Users and an account through the models (their branches are at head), three cases at
    steps 0, 1 and 2 and their escalation rows as the previous revision stored them."""
    with Session(engine) as db, db.begin():
        group = Group(name="Coordination")
        db.add(group)
        db.flush()
        boss = User(username="boss", full_name="Boss", password_hash="", group_id=group.id)
        db.add(boss)
        db.flush()
        account = Account(code="A1", name="Hoteles Sol", kind="sale", owner_id=boss.id, creator_id=boss.id)
        db.add(account)
        db.flush()
        group_id, user, account_id = group.id, boss.id, account.id
    with engine.begin() as conn:
        for n, step in enumerate((0, 1, 2)):
            conn.execute(text(
                "INSERT INTO cases_case (uid, owner_id, creator_id, created_at, updated_at, version, number, "
                "account_id, subject, description, product, symptom, origin, type, priority, status, resolution, "
                "agreed_by, agreed_via, cancel_reason, escalation_step) VALUES (:uid, :u, :u, :at, :at, 1, :number, "
                ":a, 'Claim', '', '', '', 'phone', 'billing', 'normal', 'open', '', '', '', '', :step)"),
                {"uid": f"c{n}", "u": user, "number": f"C-M-{n}", "a": account_id, "step": step, "at": WHEN})
        ids = list(conn.scalars(text("SELECT id FROM cases_case ORDER BY number")))
        for step, target in ((1, {"g": group_id, "u": None}), (2, {"g": None, "u": user})):
            conn.execute(text("INSERT INTO cases_escalation (case_id, step, rule, group_id, user_id, escalated_at) "
                              "VALUES (:c, :s, 'billing///', :g, :u, :at)"), {"c": ids[2], "s": step, "at": WHEN, **target})
        conn.execute(text("INSERT INTO cases_escalation (case_id, step, rule, group_id, user_id, escalated_at) "
                          "VALUES (:c, 1, 'billing///', :g, NULL, :at)"), {"c": ids[1], "g": group_id, "at": WHEN})
    return group_id, user, ids


def test_the_step_and_inbox_of_each_case_are_carried_over_and_back(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        app = create_app(base_settings(url, CRM_PLUGINS="sales,cases"))
        cfg = alembic_config(app)
        engine = app.extensions["crm_db"].engine
        try:
            upgrade(app)  # every branch at head, then the cases branch back before the move
            command.downgrade(cfg, BEFORE)
            with app.app_context():  # the account's code check reads the app's registry
                group, user, ids = seed(engine)
            command.upgrade(cfg, AFTER)
            assert "escalation_step" not in {c["name"] for c in inspect(engine).get_columns("cases_case")}
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT case_id, step, group_id, user_id FROM cases_escalation_state "
                                         "ORDER BY case_id")).all()
            assert [tuple(r) for r in rows] == [(ids[1], 1, group, None), (ids[2], 2, None, user)]
            command.downgrade(cfg, BEFORE)
            with engine.connect() as conn:
                steps = conn.execute(text("SELECT id, escalation_step FROM cases_case ORDER BY id")).all()
            assert [tuple(r) for r in steps] == [(ids[0], 0), (ids[1], 1), (ids[2], 2)]
            assert "cases_escalation_state" not in inspect(engine).get_table_names()
        finally:
            engine.dispose()
