"""SLA escalation at scale (CAS-02): one run of the escalation job over N open cases.

    .venv/bin/python -m bench.escalation_bench [--database-url URL] [--cases 1000000] [--due-share 0.05] [--runs 3]

Without ``--database-url`` it runs on PostgreSQL (``CRM_TEST_DATABASE_URL`` or the test kit's
default server) in a scratch database dropped afterwards. Seeds N working cases with
``generate_series`` (half billing claims, the rest spread over other types), of which
``--due-share`` were created long enough ago to be due for a ladder step (the demo client's
ladder: 7, 14 and 21 business days in Madrid) and the rest during the last few days. Each run
resets the cases' escalation and times ``escalation.run``: prints median and p95 seconds over the
runs, cases escalated, and the process's peak RSS (bounded: batches, never all rows in memory).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.models.auth import User
from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available
from plugins.cases import escalation
from plugins.cases.sla import build_policy
from plugins.sales.models import Account

NOW = datetime(2026, 6, 15, 10, tzinfo=UTC)  # a Monday, 12:00 in Madrid
SETTINGS = {
    "calendar": {"time_zone": "Europe/Madrid", "holidays": "ES", "holidays_subdivision": "MD"},
    "sla": [
        {"type": "billing", "resolution": "21d",
         "ladder": [{"after": "7d", "group": "Leaders"}, {"after": "14d", "user": "bench_manager"},
                    {"after": "21d", "user": "bench_superintendent"}]},
        {"type": "defect", "resolution": "5d", "ladder": [{"after": "3d", "group": "Leaders"}]},
    ],
}


def build_app(url: str) -> Any:
    return create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "sales,cases",
                       "CRM_SECRET_KEY": "benchmark-only-secret-key"})


def seed(engine: Any, cases: int, due_share: float) -> None:
    due = int(cases * due_share)
    with engine.begin() as conn:
        leaders = conn.scalar(text("SELECT id FROM crm_group WHERE name = 'Leaders'"))
        for username in ("bench_owner", "bench_manager", "bench_superintendent"):
            conn.execute(insert(User).values(username=username, full_name=username, password_hash="",
                                             group_id=leaders))
        owner = conn.scalar(select(User.id).where(User.username == "bench_owner"))
        account = conn.scalar(insert(Account).values(
            uid=str(uuid.uuid4()), owner_id=owner, creator_id=owner, kind="sale", code="BENCH", name="Bench customer",
        ).returning(Account.id))
        # Due cases: created 10 to 60 days before NOW (past one or more steps); the others in the
        # last 3 days (due for nothing yet). Types: half billing, a fifth defects, the rest sales.
        conn.execute(text(f"""
            INSERT INTO cases_case (uid, owner_id, creator_id, created_at, updated_at, version, number,
                account_id, subject, description, product, symptom, origin, type, priority, status,
                resolution, agreed_by, agreed_via, cancel_reason, escalation_step)
            SELECT md5(n::text), :o, :o,
                   CASE WHEN n <= {due} THEN :now - (10 + n % 50) * interval '1 day'
                        ELSE :now - (n % 4320) * interval '1 minute' END,
                   :now, 1, 'C-B-' || n, :a, 'Case ' || n, '', '', '', 'phone',
                   CASE WHEN n % 10 < 5 THEN 'billing' WHEN n % 10 < 7 THEN 'defect' ELSE 'sales' END,
                   'normal', CASE WHEN n % 2 = 0 THEN 'open' ELSE 'gathering' END, '', '', '', '', 0
            FROM generate_series(1, {cases}) AS n
        """), {"o": owner, "a": account, "now": NOW})
        conn.execute(text("ANALYZE cases_case"))


def reset(engine: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM cases_escalation"))
        conn.execute(text("DELETE FROM crm_audit WHERE action = 'escalate'"))
        conn.execute(text("UPDATE cases_case SET escalation_step = 0 WHERE escalation_step > 0"))
        conn.execute(text("ANALYZE cases_case"))


def run(url: str, cases: int, due_share: float, runs: int) -> None:
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade

    app = build_app(url)
    engine = app.extensions["crm_db"].engine
    upgrade(app)
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    started = time.perf_counter()
    seed(engine, cases, due_share)
    print(f"seeded {cases:,} working cases ({due_share:.0%} created 10-60 days ago) "
          f"in {time.perf_counter() - started:.1f} s")
    policy = build_policy(SETTINGS)
    timings, cpu, moved = [], [], 0
    with app.app_context():
        for _ in range(runs):
            reset(engine)
            started, started_cpu = time.perf_counter(), time.process_time()
            moved = escalation.run(now=NOW, policy=policy)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {engine.dialect.name}, {cases:,} working cases, {moved:,} escalated per run, {runs} runs")
    print(f"{'escalation run':20} {'median s':>10} {'p95 s':>8} {'cases/s':>10} {'peak RSS MB':>12} {'CPU s':>8}")
    median = statistics.median(timings)
    print(f"{'escalation.run':20} {median:10.2f} {p95:8.2f} {moved / median:10,.0f} {peak:12.0f} "
          f"{statistics.median(cpu):8.2f}")
    print("CPU s: this process only (Python and the driver); the rest of the wall time is the database's")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.escalation_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.cases, args.due_share, args.runs)
        return
    server = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
    reason = pg_available(server)
    if reason:
        sys.exit(f"skipped: {reason}")
    name = f"crm_escalation_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(server, name)
    try:
        run(url, args.cases, args.due_share, args.runs)
    finally:
        drop_pg_database(server, name)


if __name__ == "__main__":
    main()
