"""Migration a6f2c9e4d8b3 moves each job's report out of the JSON column ``crm_import_job.errors``
into ``crm_import_line`` in its stored order, and drops the column; the downgrade puts it back.
Runs on the test backend (SQLite or PostgreSQL) in a committed scratch database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from crm_core.app import create_app
from crm_core.migrate import alembic_config, upgrade
from crm_core.models.auth import Group, User
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings

BEFORE, AFTER = "e7a3c5d9b2f4", "a6f2c9e4d8b3"
WHEN = datetime(2026, 1, 15, 10, tzinfo=UTC)
REPORT = [[2, "email", "Not a valid email address."], [2, "name", "Missing data for required field."],
          [5, "", "Skipped: duplicate of line 3 (same Email)."]]


def test_the_reports_are_carried_over_in_order_and_back(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        app = create_app(base_settings(url, CRM_PLUGINS=""))
        cfg = alembic_config(app)
        engine = app.extensions["crm_db"].engine
        try:
            upgrade(app)
            command.downgrade(cfg, BEFORE)
            with Session(engine) as db, db.begin():
                group = Group(name="G")
                db.add(group)
                db.flush()
                owner = User(username="u", full_name="U", password_hash="", group_id=group.id)
                db.add(owner)
                db.flush()
                user = owner.id
            with engine.begin() as conn:
                for report in (REPORT, [], None):
                    conn.execute(text(
                        "INSERT INTO crm_import_job (session, user_id, filename, encoding, separator, header, columns,"
                        " mode, on_duplicate, state, total, processed, created, updated, skipped, failed, errors,"
                        " written, message, created_at) VALUES ('leads', :u, 'f.csv', 'utf-8', ';', :t, '[]', 'all',"
                        " 'skip', 'done', 4, 4, 0, 0, 1, 1, :e, '[]', '', :at)"),
                        {"u": user, "t": True, "e": None if report is None else json.dumps(report), "at": WHEN})
                jobs = list(conn.scalars(text("SELECT id FROM crm_import_job ORDER BY id")))
            command.upgrade(cfg, AFTER)
            assert "errors" not in {c["name"] for c in inspect(engine).get_columns("crm_import_job")}
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT job_id, seq, line, field, reason, kind FROM crm_import_line "
                                         "ORDER BY job_id, seq")).all()
            assert [tuple(r) for r in rows] == [(jobs[0], n, *entry, None) for n, entry in enumerate(REPORT)]
            command.downgrade(cfg, BEFORE)
            with engine.connect() as conn:
                back = conn.execute(text("SELECT errors FROM crm_import_job ORDER BY id")).scalars().all()
            assert [json.loads(v) if isinstance(v, str) else v for v in back] == [REPORT, None, None]
            assert "crm_import_line" not in inspect(engine).get_table_names()
        finally:
            engine.dispose()
