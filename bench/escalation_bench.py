"""SLA escalation at scale (CAS-02): one run of the escalation job over N open cases.

    .venv/bin/python -m bench.escalation_bench [--database-url URL] [--cases 1000000] [--due-share 0.05] [--runs 3]
                                              [--earlier-days 10]

Without ``--database-url`` it runs on PostgreSQL (``CRM_TEST_DATABASE_URL`` or the test kit's
default server) in a scratch database dropped afterwards, with the sales, inboxes and cases
plugins (each step hands its cases to the next inbox through the inboxes' bulk send). Seeds N
working cases with ``generate_series`` (half billing claims, the rest spread over other types),
of which ``--due-share`` were created long enough ago to be due for a ladder step (the demo
client's ladder: 7, 14 and 21 business days in Madrid) and the rest during the last few days.

Each round resets the escalation (state, history, audit rows, inbox items; vacuumed) and times
``escalation.run``, then times the **floor** of the same round: what the database needs at least
to store the same outcome — a bare ``UPDATE`` of as many rows of the narrow escalation state and a
bare ``INSERT … SELECT`` of as many inbox items (and an ``UPDATE`` of the items it closed), one
committed transaction. With ``--earlier-days D`` each round first runs the job, untimed, as of D
days before: the timed run then moves many cases up from a step they hold, closing their previous
step's inbox items (``crm_inbox_close_many``), as the job does day after day. Prints median and p95
of both over the rounds and their ratio, the cases escalated, the CPU seconds of this process, its
peak RSS (bounded: batches, never all rows in memory), the load average and the machine's limits
measured in the same run (bench/limits.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from bench import limits
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
    return create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "sales,inboxes,cases",
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
                resolution, agreed_by, agreed_via, cancel_reason)
            SELECT md5(n::text), :o, :o,
                   CASE WHEN n <= {due} THEN :now - (10 + n % 50) * interval '1 day'
                        ELSE :now - (n % 4320) * interval '1 minute' END,
                   :now, 1, 'C-B-' || n, :a, 'Case ' || n, '', '', '', 'phone',
                   CASE WHEN n % 10 < 5 THEN 'billing' WHEN n % 10 < 7 THEN 'defect' ELSE 'sales' END,
                   'normal', CASE WHEN n % 2 = 0 THEN 'open' ELSE 'gathering' END, '', '', '', ''
            FROM generate_series(1, {cases}) AS n
        """), {"o": owner, "a": account, "now": NOW})
        conn.execute(text("ANALYZE cases_case"))


def reset(engine: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM cases_escalation"))
        conn.execute(text("DELETE FROM cases_escalation_state"))
        conn.execute(text("DELETE FROM crm_audit WHERE action = 'escalate'"))
        conn.execute(text("DELETE FROM inbox_item"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("cases_escalation", "cases_escalation_state", "crm_audit", "inbox_item", "cases_case"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def floor(engine: Any) -> float:
    """Seconds the database needs at least for the outcome of the run just made: every state row
    it moved updated once, as many inbox items inserted and the items it closed updated, in one
    committed transaction (the inserted items then removed)."""
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("UPDATE cases_escalation_state SET step = step, escalated_at = escalated_at "
                          "WHERE escalated_at = :now"), {"now": NOW})
        conn.execute(text("UPDATE inbox_item SET closed_at = closed_at WHERE state = 'done'"))
        conn.execute(text("""
            INSERT INTO inbox_item (session, element_type, element_id, sender_id, group_id, user_id,
                                    requested_action, action_text, note, state, received_at, version)
            SELECT 'cases', 'floor', case_id, user_id_or_owner, group_id, user_id, 'resolve', '', '', 'open', now(), 1
            FROM (SELECT s.case_id, s.group_id, s.user_id, c.owner_id AS user_id_or_owner
                  FROM cases_escalation_state s JOIN cases_case c ON c.id = s.case_id
                  WHERE s.escalated_at = :now) AS moved
        """), {"now": NOW})
    took = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inbox_item WHERE element_type = 'floor'"))
    return took


def quantiles(values: list[float]) -> tuple[float, float]:
    """(median, p95 nearest rank) of a few rounds."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(url: str, cases: int, due_share: float, runs: int, earlier_days: float = 0) -> None:
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
    timings, floors, cpu, moved = [], [], [], 0
    with app.app_context():
        for _ in range(runs):
            reset(engine)
            if earlier_days:
                escalation.run(now=NOW - timedelta(days=earlier_days), policy=policy)
            started, started_cpu = time.perf_counter(), time.process_time()
            moved = escalation.run(now=NOW, policy=policy)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            floors.append(floor(engine))
    with engine.connect() as conn:
        some_case = conn.execute(text("SELECT min(id) FROM cases_case")).scalar()
        closed = conn.execute(text("SELECT count(*) FROM inbox_item WHERE state = 'done'")).scalar()
    limits.report(limits.measure(engine, "cases_case", some_case, repeat=100))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"database: {engine.dialect.name}, {cases:,} working cases, {moved:,} escalated per run "
          f"({closed:,} previous-step items closed; earlier run {earlier_days:g} days before), {runs} runs, "
          f"load average {load}")
    print(f"{'':24} {'median s':>10} {'p95 s':>8} {'cases/s':>10} {'peak RSS MB':>12} {'CPU s':>8}")
    median, p95 = quantiles(timings)
    print(f"{'escalation.run':24} {median:10.2f} {p95:8.2f} {moved / median:10,.0f} {peak:12.0f} "
          f"{statistics.median(cpu):8.2f}")
    floor_median, floor_p95 = quantiles(floors)
    print(f"{'floor (state + items)':24} {floor_median:10.2f} {floor_p95:8.2f} {moved / floor_median:10,.0f}")
    print(f"ratio run / floor (medians): {median / floor_median:.1f}")
    print("CPU s: this process only (Python and the driver); the rest of the wall time is the database's")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.escalation_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--earlier-days", type=float, default=0,
                        help="first an untimed run as of this many days before (cases then move up a step)")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.cases, args.due_share, args.runs, args.earlier_days)
        return
    server = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
    reason = pg_available(server)
    if reason:
        sys.exit(f"skipped: {reason}")
    name = f"crm_escalation_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(server, name)
    try:
        run(url, args.cases, args.due_share, args.runs, args.earlier_days)
    finally:
        drop_pg_database(server, name)


if __name__ == "__main__":
    main()
