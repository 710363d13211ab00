"""Inbox and case grids at scale (EXT-12, issue 14): median and p95 of the inbox pages over N
items and of the cases grid over M cases, with the machine's limits measured in the same run.

    .venv/bin/python -m bench.inbox_bench [--database-url URL] [--items 1000000] [--cases 1000000] [--repeat 50]

Without ``--database-url`` it runs on PostgreSQL (``CRM_TEST_DATABASE_URL`` or the test kit's
default server) in a scratch database dropped afterwards; with it, the database is kept and a
later run reuses what is already seeded. Seeds 20 owners with 10,000 benchmark contacts each and
N inbox items about them: half sent to the owners (open, in their own inboxes), half to one group
and not taken (a crowded group inbox), through SQLAlchemy Core batches; and M cases of the 20
owners (``generate_series``: every owner has the same mix of states — 30 % worked on —, types
and priorities, a fifth in a group queue, due times a week after creation).

Then times real requests through the Flask test client: My inbox (page 1, sorted by type, page
100), Group inbox, the API lists, the home panel, and the cases grid as an executive (own cases)
and as a leader (all cases) — default order, status, text, the overdue filter, a deep page. Per
request: median and p95 wall ms, SQL statements, median ms in SQL, and the median CPU ms of this
process. See ``bench/limits.py`` for the machine's limits printed first.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_login import FlaskLoginClient
from sqlalchemy import func, insert, select, text

from bench import limits, model
from bench.run import StatementCounter, measure, request
from bench.seed import ensure_leader, ensure_owners, seed
from crm_core.app import create_app
from crm_core.db import Base, unit_of_work
from crm_core.models.auth import Group, User
from crm_core.security.passwords import hash_password
from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available
from plugins.inboxes.models import InboxItem
from plugins.sales.models import Account

CONTACTS_PER_OWNER = 10_000
BATCH = 10_000
ACTIONS = ("review", "call_back", "approve", "resolve", "follow_up")


def build_app(url: str) -> Any:
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "bench,sales,inboxes,cases",
                      "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False},
                     extra_plugins={"bench": model})
    app.test_client_class = FlaskLoginClient
    return app


def seed_items(engine: Any, items: int, owners: list[int], group_id: int) -> None:
    with engine.connect() as conn:
        if (conn.scalar(select(func.count()).select_from(InboxItem)) or 0) >= items:
            return  # seeded by an earlier run
    rng = random.Random(12)
    with engine.connect() as conn:
        contact_ids = {o: list(conn.scalars(select(model.BenchContact.id).where(model.BenchContact.owner_id == o)))
                       for o in owners}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for n in range(items):
            owner = owners[n % len(owners)]
            to_group = n % 2 == 1
            rows.append({
                "session": model.SESSION, "element_type": model.BenchContact.__element_type__,
                "element_id": rng.choice(contact_ids[owner]), "group_id": group_id if to_group else None,
                "user_id": None if to_group else owner, "sender_id": owners[(n + 1) % len(owners)],
                "requested_action": ACTIONS[n % len(ACTIONS)], "action_text": "", "note": f"Request {n}",
                "state": "open", "received_at": start + timedelta(seconds=n), "version": 1,
            })
            if len(rows) == BATCH:
                conn.execute(insert(InboxItem), rows)
                rows.clear()
        if rows:
            conn.execute(insert(InboxItem), rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE inbox_item"))
        else:
            conn.execute(text("ANALYZE"))


SUBJECTS = ("Factura duplicada", "Router sin conexión", "Cobro indebido", "Alta de línea", "Portabilidad",
            "Avería de fibra", "Cambio de tarifa")


def seed_cases(engine: Any, cases: int, owners: list[int], group_id: int) -> float:
    """Top the cases table up to ``cases`` rows (PostgreSQL ``generate_series``); seconds spent."""
    with engine.connect() as conn:
        have = conn.scalar(text("SELECT count(*) FROM cases_case")) or 0
    if have >= cases:
        return 0.0
    started = datetime.now(UTC)
    with engine.begin() as conn:
        accounts = []
        for owner in owners:
            found = conn.scalar(text("SELECT id FROM sales_account WHERE code = :c"), {"c": f"BENCH-{owner}"})
            if found is None:
                found = conn.scalar(insert(Account).values(
                    uid=uuid.uuid4().hex, owner_id=owner, creator_id=owner, kind="sale", code=f"BENCH-{owner}",
                    name=f"Bench customer {owner}").returning(Account.id))
            accounts.append(found)
        subjects = "ARRAY[" + ",".join(f"'{s}'" for s in SUBJECTS) + "]"
        conn.execute(text(f"""
            INSERT INTO cases_case (uid, owner_id, creator_id, created_at, updated_at, version, number,
                account_id, subject, description, product, symptom, origin, type, priority, status,
                resolution, agreed_by, agreed_via, cancel_reason, group_id, due_at, resolved_at)
            SELECT md5('case' || n::text), o.owner, o.owner, c.created, c.created, 1, 'C-B-' || n,
                   o.account, ({subjects})[1 + n % {len(SUBJECTS)}] || ' ' || n, '', 'Fibra ' || (n % 5), '',
                   'phone', (ARRAY['billing','sales','defect','complaint'])[1 + (n / 20) % 4],
                   (ARRAY['low','normal','normal','high','urgent'])[1 + (n / 7) % 5], st.status, '', '', '', '',
                   CASE WHEN (n / 20) % 5 = 0 THEN CAST(:g AS integer) END, c.created + interval '7 days',
                   CASE WHEN st.status IN ('resolved', 'closed') THEN c.created + (n % 200) * interval '1 hour' END
            FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS n
            CROSS JOIN LATERAL (SELECT (CAST(:owners AS integer[]))[1 + n % {len(owners)}] AS owner,
                                       (CAST(:accounts AS integer[]))[1 + n % {len(owners)}] AS account) AS o
            CROSS JOIN LATERAL (SELECT timestamptz '2026-11-30 12:00+00' - (n % 525600) * interval '1 minute'
                                       AS created) AS c
            CROSS JOIN LATERAL (SELECT (ARRAY['gathering','open','open','resolved','closed','closed','closed',
                                              'closed','closed','cancelled'])[1 + (n / 20) % 10] AS status) AS st
        """), {"start": have + 1, "stop": cases, "owners": owners, "accounts": accounts, "g": group_id})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE cases_case"))
    return (datetime.now(UTC) - started).total_seconds()


def run(url: str, items: int, repeat: int, case_rows: int = 1_000_000) -> None:
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade

    app = build_app(url)
    engine = app.extensions["crm_db"].engine
    upgrade(app)
    Base.metadata.create_all(engine, tables=[model.BenchContact.__table__])
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    owners = ensure_owners(engine, hash_password("bench-password-1"))
    seed(engine, CONTACTS_PER_OWNER * len(owners), owners)
    model.create_indexes(engine)
    with app.app_context(), unit_of_work() as db:
        group = db.scalar(select(Group).where(Group.name == "Executives"))
        user = db.get(User, owners[0])
        group_id = group.id
        if user.group_id != group_id:
            user.group_id = group_id
    started = datetime.now(UTC)
    seed_items(engine, items, owners, group_id)
    seconds = (datetime.now(UTC) - started).total_seconds()
    leader_id = ensure_leader(engine, hash_password("bench-password-1"))
    case_seconds = seed_cases(engine, case_rows, owners, group_id)
    with app.app_context():
        user = app.extensions["crm_db"].factory().get(User, owners[0])
        leader_user = app.extensions["crm_db"].factory().get(User, leader_id)
        browser = app.test_client(user=user)
        leader = app.test_client(user=leader_user)
        with engine.connect() as conn:
            some_item = conn.scalar(select(InboxItem.id).limit(1))
        counter = StatementCounter()
        counter.listen(engine)
        cases = [
            ("My inbox, page 1 (newest first)", request(browser, "/inbox/mine")),
            ("My inbox, sorted by type, page 1", request(browser, "/inbox/mine?sort=type")),
            ("My inbox, page 100", request(browser, "/inbox/mine?page=100")),
            ("Group inbox, page 1", request(browser, "/inbox/group")),
            ("Group inbox, sorted by sender, page 1", request(browser, "/inbox/group?sort=-sender")),
            ("API my inbox, page 1", request(browser, "/api/v1/inboxes/mine")),
            ("API group inbox, page 1", request(browser, "/api/v1/inboxes/group")),
            ("home page (inbox and case panels)", request(browser, "/")),
            ("Cases grid: own, default order", request(browser, "/s/cases")),
            ("Cases grid: own + status open", request(browser, "/s/cases?status=open")),
            ("Cases grid: own + text", request(browser, "/s/cases?q=router")),
            ("Cases grid: own + overdue", request(browser, "/s/cases?only=overdue")),
            ("Cases grid: own, page 100", request(browser, "/s/cases?page=100")),
            ("Cases grid: all (leader), default order", request(leader, "/s/cases?all=1")),
            ("Cases grid: all (leader) + status open", request(leader, "/s/cases?all=1&status=open")),
            ("Cases grid: all (leader) + overdue", request(leader, "/s/cases?all=1&only=overdue")),
            ("Cases API list: own", request(browser, "/api/v1/cases")),
        ]
        mine = items // 2 // len(owners)
        print(f"database: {engine.dialect.name}, {items:,} inbox items ({mine:,} open in the user's inbox, "
              f"{items - items // 2:,} untaken in the group's); seeding took {seconds:.1f} s")
        print(f"{case_rows:,} cases of 20 owners ({case_rows // 20:,} each); seeding took {case_seconds:.1f} s")
        limits.report(limits.measure(engine, "inbox_item", some_item, browser))
        print(f"{'request':45} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} {'in SQL ms':>10} {'CPU ms':>8}")
        for label, call in cases:
            median, p95, statements, sql_ms = measure(call, counter, repeat)
            cpu = limits.cpu_ms(call, max(10, repeat // 2))
            print(f"{label:45} {median:10.2f} {p95:8.2f} {statements:8d} {sql_ms:10.2f} {cpu:8.2f}")
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.items, args.repeat, args.cases)
        return
    server = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
    reason = pg_available(server)
    if reason:
        sys.exit(f"skipped: {reason}")
    name = f"crm_inbox_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(server, name)
    try:
        run(url, args.items, args.repeat, args.cases)
    finally:
        drop_pg_database(server, name)


if __name__ == "__main__":
    main()
