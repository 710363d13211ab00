"""Measure a large import on SQLite (CORE-11): rows per second and peak memory.

Runs the real path: an import job queued in the database and executed by the background
thread of :mod:`crm_core.importing.jobs` (own app context and session), polled like the
progress page does. Uses the test-only "samples" session, so no business plugin is needed.

    .venv/bin/python bench/import_bench.py [rows] [all|valid]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm_core.app import create_app
from crm_core.bootstrap import ensure_groups
from crm_core.db import Base, session, unit_of_work
from crm_core.importing import jobs
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.models.imports import ImportJob
from tests.support import sample


def make_file(rows: int) -> bytes:
    lines = ["Name;Company;Email;Amount;Due date"]
    lines += [
        f"Cliente {i};Compañía {i % 97};c{i}@example.test;{i % 1000},50;{1 + i % 28}/06/2026" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode("cp1252")


def main(rows: int, mode: str) -> None:
    tmp = tempfile.mkdtemp(prefix="crm-bench-")
    url = f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_IMPORT_INLINE": "--inline" in sys.argv},
        extra_plugins={"sample": sample},
    )
    upgrade(app)
    Base.metadata.create_all(app.extensions["crm_db"].engine)
    data = make_file(rows)
    with app.app_context():
        with unit_of_work() as db:
            groups = ensure_groups(db, app.extensions["crm"].registry)
            user = User(
                username="bench", full_name="Bench", email="b@x.test", password_hash="-",
                group_id=groups["Executives"].id,
            )
            db.add(user)
        with unit_of_work() as db:
            job = ImportJob(
                session="samples", user_id=user.id, filename="bench.csv", data=data, encoding="cp1252",
                separator=";", header=True, columns=["name", "company", "email", "amount", "due"],
                mode=mode, on_duplicate="skip", state="queued",
            )
            db.add(job)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        jobs.start(job.id)
        while True:
            time.sleep(0.1)
            session().rollback()  # end the read transaction: a new snapshot sees the job's commits
            session().expire_all()
            state = jobs.progress(session().get(ImportJob, job.id))
            if state["finished"]:
                break
        elapsed = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"rows={rows} mode={mode} file={len(data) / 1e6:.1f} MB state={state['state']} created={state['created']}")
    print(f"elapsed={elapsed:.1f} s  rate={rows / elapsed:,.0f} rows/s")
    print(f"peak RSS={rss_after / 1024:.0f} MB (before the job {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2] if len(sys.argv) > 2 else "all")
