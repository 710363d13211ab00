"""Bulk actions on a large selection (issue 17 leftovers, CORE-08): N leads of the real sales
session deleted or reassigned, as a background job (chunks committed with their counters) and,
for comparison, in one request's transaction as before jobs existed.

    .venv/bin/python -m bench.bulk_job_bench [--database-url URL] [--records 10000] [--runs 3] [--chunk 200]

Without ``--database-url`` it runs on PostgreSQL (``CRM_TEST_DATABASE_URL`` or the test kit's
default server) in a scratch database dropped afterwards, with the sales plugin. Each round seeds
N fresh leads of one executive (``insert_elements``: COPY and the audit rows), then times one
mode — ``job``: :func:`crm_core.services.bulk_jobs.queue` and ``run`` (what the background thread
does: per chunk the records read through the ownership rules, one savepoint per record through
the service a single edit uses — audit, hooks — then the commit with the counters); ``request``:
:func:`crm_core.services.bulk_actions.run` over all N records in one transaction (the path a
selection under ``CRM_BULK_JOB_THRESHOLD`` takes). The actions: ``delete`` and ``owner`` (the
leads given to another executive), by an administrator. Prints median and p95 seconds and
records per second per action and mode, the load average and the machine's limits measured in the
same run (bench/limits.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from typing import Any

from sqlalchemy import select, text

from bench import limits
from crm_core.app import create_app
from crm_core.db import session, unit_of_work
from crm_core.extensions import crm_state
from crm_core.models.auth import Group, User
from crm_core.security.access import load_access
from crm_core.services import bulk_actions, bulk_jobs
from crm_core.services.bulk_elements import insert_elements
from plugins.sales.models import Lead


def build_app(url: str, chunk: int) -> Any:
    return create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "sales",
                       "CRM_SECRET_KEY": "benchmark-only-secret-key", "CRM_BULK_CHUNK_RECORDS": chunk,
                       "CRM_BULK_INLINE": True})


def users() -> tuple[User, User, User]:
    """An administrator (who runs the actions) and two executives (owners before and after)."""
    with unit_of_work() as db:
        group = db.scalar(select(Group).where(Group.name == "Executives"))
        made = []
        for username, admin in (("bench_admin", True), ("bench_from", False), ("bench_to", False)):
            user = db.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, full_name=username, password_hash="", group_id=group.id,
                            is_admin=admin)
                db.add(user)
            made.append(user)
    return made[0], made[1], made[2]


def seed(owner_id: int, records: int) -> list[int]:
    with unit_of_work() as db:
        rows = [{"owner_id": owner_id, "name": f"Bench lead {i}", "company": "Bench SL", "kind": "sale"}
                for i in range(records)]
        ids = insert_elements(db, Lead, rows)
    with unit_of_work() as db:
        db.execute(text("ANALYZE sales_lead"))
    return ids


def clear() -> None:
    with unit_of_work() as db:
        db.execute(text("DELETE FROM crm_audit WHERE element_type = :t"), {"t": Lead.__element_type__})
        db.execute(text("DELETE FROM sales_lead"))


def one_round(mode: str, action: str, admin: User, target: User, ids: list[int]) -> float:
    sdef = crm_state().registry.sdef("leads")
    db = session()
    access = load_access(db, db.get(User, admin.id), crm_state().row_filters)
    value = "" if action == "delete" else str(target.id)
    started = time.perf_counter()
    if mode == "job":
        job = bulk_jobs.queue(sdef, access, action, value, ids)
        bulk_jobs.run(job.id)
        assert db.get(type(job), job.id).done == len(ids), "every record should be done"
    else:
        with unit_of_work() as db:
            records, unseen = bulk_actions.select_ids(db, sdef, access, ids)
            outcomes = bulk_actions.run(db, sdef, access, action, records, value, unseen)
        assert all(o.done for o in outcomes), "every record should be done"
    return time.perf_counter() - started


def quantiles(values: list[float]) -> tuple[float, float]:
    """(median, p95 nearest rank) of a few rounds."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(url: str, records: int, runs: int, chunk: int) -> None:
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade

    app = build_app(url, chunk)
    engine = app.extensions["crm_db"].engine
    upgrade(app)
    timings: dict[tuple[str, str], list[float]] = {}
    with app.test_request_context():
        with unit_of_work() as db:
            ensure_groups(db, app.extensions["crm"].registry)
        admin, owner, target = users()
        for _ in range(runs):
            for action in ("delete", "owner"):
                for mode in ("job", "request"):
                    clear()
                    ids = seed(owner.id, records)
                    timings.setdefault((action, mode), []).append(one_round(mode, action, admin, target, ids))
        clear()
    limits.report(limits.measure(engine, "crm_user", admin.id, repeat=100))
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"database: {engine.dialect.name}, {records:,} leads per round, {runs} runs, chunk {chunk}, "
          f"load average {load}")
    print(f"{'action':10} {'mode':8} {'median s':>10} {'p95 s':>8} {'records/s':>10}")
    for (action, mode), values in timings.items():
        median, p95 = quantiles(values)
        print(f"{action:10} {mode:8} {median:10.2f} {p95:8.2f} {records / median:10,.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_job_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=200, help="CRM_BULK_CHUNK_RECORDS")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.records, args.runs, args.chunk)
        return
    from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available

    server = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
    reason = pg_available(server)
    if reason:
        sys.exit(f"skipped: {reason}")
    name = f"crm_bulk_job_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(server, name)
    try:
        run(url, args.records, args.runs, args.chunk)
    finally:
        drop_pg_database(server, name)


if __name__ == "__main__":
    main()
