"""An all-or-nothing import's progress is stored where every web process reads it: the job row,
written on a connection of its own while the import's transaction is still open (CORE-11).

Another web process is another engine: the probe below reads the job row and the leads table
through a second engine at each chunk, inside the import's transaction, on a committed database.
PostgreSQL only: SQLite has one writer at a time, the import itself (the per-process counters
serve there, see crm_core/importing/jobs.py).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import create_engine, func, select, text

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.events import handles
from crm_core.importing import jobs
from crm_core.models.auth import User
from crm_core.models.imports import ImportJob
from crm_core.testing import make_plugin
from crm_core.testing.database import create_pg_database, drop_pg_database
from crm_core.testing.plugin import base_settings
from tests.support.served import prepare_database

SEEN: list[tuple[int, int, int]] = []
OTHER: dict[str, Any] = {}


@handles(sessions=("leads",))
def _probe(sdef: Any, elements: list[Any], db: Any) -> None:
    """At each chunk, what another process sees: (job processed, job created, leads committed)."""
    with OTHER["engine"].connect() as conn:
        processed, created = conn.execute(text("SELECT processed, created FROM crm_import_job")).one()
        leads = conn.scalar(text("SELECT count(*) FROM sales_lead"))
    SEEN.append((processed, created, leads))


def test_all_or_nothing_progress_is_visible_to_another_engine_while_the_import_runs(pg_url):
    name = f"crm_progress_{uuid.uuid4().hex[:10]}"
    url = create_pg_database(pg_url, name)
    OTHER["engine"] = create_engine(url)
    SEEN.clear()
    try:
        prepare_database(url)
        probe = make_plugin("probe", crm_elements_created=_probe)
        app = create_app(base_settings(url, CRM_PLUGINS=("sales", "probe"), CRM_IMPORT_CHUNK_ROWS=2),
                         extra_plugins={"probe": probe})
        rows = "".join(f"Lead {i};lead{i}@progress.example\n" for i in range(6))
        with app.app_context():
            with unit_of_work() as db:
                ana = db.scalar(select(User).where(User.username == "ana"))
                job = ImportJob(session_name="leads", user_id=ana.id, data=f"Name;Email\n{rows}".encode(),
                                encoding="utf-8", separator=";", header=True, columns=["name", "email"],
                                mode="all", state="queued")
                db.add(job)
            jobs.run(job.id)
        assert SEEN == [(0, 0, 0), (2, 2, 0), (4, 4, 0)]  # counters committed, rows not yet
        with OTHER["engine"].connect() as conn:
            assert conn.execute(text("SELECT state, processed, created FROM crm_import_job")).one() == ("done", 6, 6)
            assert conn.scalar(select(func.count()).select_from(text("sales_lead"))) == 6
        app.extensions["crm_db"].engine.dispose()
    finally:
        OTHER.pop("engine").dispose()
        drop_pg_database(pg_url, name)


def test_a_progress_write_never_waits_for_a_transaction_holding_the_job_row(pg_url):
    """A caller that wraps the import in an outer transaction (the sweep's rolled-back tests did)
    holds the job row: publishing must skip, not wait for that transaction — which waits for it."""
    name = f"crm_progress_{uuid.uuid4().hex[:10]}"
    url = create_pg_database(pg_url, name)
    holder = create_engine(url)
    try:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_PLUGINS=("sales",)))
        with app.app_context():
            with unit_of_work() as db:
                ana = db.scalar(select(User).where(User.username == "ana"))
                job = ImportJob(session_name="leads", user_id=ana.id, columns=["name"], state="running")
                db.add(job)
            with holder.connect() as conn:
                conn.execute(text("UPDATE crm_import_job SET state = 'running'"))  # row held, not committed
                done = threading.Event()
                worker = threading.Thread(target=lambda: (_publish_in(app, job.id), done.set()), daemon=True)
                worker.start()
                assert done.wait(20), "publish waited for the transaction holding the job row"
                conn.rollback()
            jobs.publish(job.id, {"processed": 3})  # row free again: written
            with holder.connect() as conn:
                assert conn.scalar(text("SELECT processed FROM crm_import_job")) == 3
        app.extensions["crm_db"].engine.dispose()
    finally:
        holder.dispose()
        drop_pg_database(pg_url, name)


def _publish_in(app: Any, job_id: int) -> None:
    with app.app_context():
        jobs.publish(job_id, {"processed": 1})
