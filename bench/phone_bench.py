"""Caller lookup (TEL-01): find the client behind a phone number among 1,000,000 leads, accounts
and contacts, through ``crm_find_by_phone`` as the screen pop asks it, on PostgreSQL.

    .venv/bin/python -m bench.phone_bench [--rows 1000000] [--repeat 500]

Runs in a scratch database (dropped afterwards) migrated with the sales plugin; seeds the three
tables with Spanish mobile numbers for 20 executives (bulk ``COPY``), then times the lookup —
number parsing to E.164, the user's access and the index lookups — for an executive finding
their own contact, their own lead (three sessions asked), an unknown number (every session
asked, nothing found), and a leader who sees every record. Prints median and p95 in ms; the
target is p95 ≤ 5 ms (docs/telephony.md). ``CRM_TEST_DATABASE_URL`` names the server.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bench.seed import ensure_leader, ensure_owners
from crm_core.app import create_app
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.extensions import crm_state
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.security.passwords import hash_password
from crm_core.services import bulk
from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available
from crm_core.testing.plugin import base_settings
from plugins.sales.models import Account, Contact, Lead

#: Share of the rows per table: accounts, contacts, leads.
SHARES = (0.25, 0.40, 0.35)
BATCH = 20_000


def _phone(n: int) -> tuple[str, str]:
    """A distinct Spanish mobile per row, typed with spaces; and its E.164 form."""
    digits = f"6{n:08d}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}", f"+34{digits}"


def seed(app: Any, rows: int, owners: list[int]) -> dict[str, list[tuple[str, int]]]:
    """Insert the rows; returns, per table, some (number, owner id) pairs to look up."""
    counts = [int(rows * share) for share in SHARES]
    counts[-1] = rows - sum(counts[:-1])
    samples: dict[str, list[tuple[str, int]]] = {}
    n = 0
    with app.app_context():
        for model, count in zip((Account, Contact, Lead), counts, strict=True):
            plan = bulk.plan_for(model)
            picked: list[tuple[str, int]] = []
            account_ids: list[int] = []
            for start in range(0, count, BATCH):
                with unit_of_work() as db:
                    if model is Contact and not account_ids:
                        account_ids = list(db.scalars(select(Account.id).limit(50_000)))
                    records = []
                    for i in range(start, min(count, start + BATCH)):
                        phone, e164 = _phone(n)
                        owner = owners[n % len(owners)]
                        values: dict[str, Any] = {"owner_id": owner, "creator_id": owner, "kind": "sale"}
                        values |= {"phone": phone, "phone_e164": e164}
                        if model is Account:
                            values |= {"code": f"B{n:08d}", "name": f"Company {n}"}
                        elif model is Contact:
                            values |= {"account_id": account_ids[i % len(account_ids)], "last_name": f"Person {n}"}
                        else:
                            values |= {"name": f"Prospect {n}"}
                        records.append(plan.complete(values))
                        if n % 997 == 0:
                            picked.append((phone, owner))
                        n += 1
                    bulk.insert_rows(db, plan, records)
            samples[model.__tablename__] = picked
    with app.extensions["crm_db"].engine.begin() as conn:
        for model in (Account, Contact, Lead):
            conn.exec_driver_sql(f"ANALYZE {model.__tablename__}")
    return samples


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def run(app: Any, samples: dict[str, list[tuple[str, int]]], owners: list[int], leader_id: int, repeat: int) -> None:
    rnd = random.Random(5)
    with app.app_context(), unit_of_work() as db:
        ask = crm_state().pm.hook.crm_find_by_phone
        users = {uid: db.get(User, uid) for uid in [*owners, leader_id]}

        def finder(table: str, as_leader: bool = False) -> Callable[[], Any]:
            def call() -> None:
                number, owner = rnd.choice(samples[table])
                user = users[leader_id if as_leader else owner]
                assert ask(number=number, user=user, db=db) is not None

            return call

        def unknown() -> None:
            assert ask(number=f"+34 7{rnd.randrange(10**8):08d}", user=users[owners[0]], db=db) is None

        cases = [
            ("executive: own contact", finder("sales_contact")),
            ("executive: own account", finder("sales_account")),
            ("executive: own lead", finder("sales_lead")),
            ("executive: unknown number", unknown),
            ("leader: anyone's lead", finder("sales_lead", as_leader=True)),
        ]
        print(f"{'caller lookup':42} {'median ms':>10} {'p95 ms':>8}")
        for label, call in cases:
            call()  # warm the plan caches
            median, p95 = measure(call, repeat)
            print(f"{label:42} {median:10.2f} {p95:8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phone_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="leads + accounts + contacts (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=500, help="timed lookups per figure (default 500)")
    args = parser.parse_args(argv)
    base = os.environ.get("CRM_TEST_DATABASE_URL", "")
    base = base if base.startswith("postgresql") else DEFAULT_PG
    reason = pg_available(base)
    if reason:
        print(f"skipped: {reason}")
        return 0
    name = f"crm_bench_{uuid.uuid4().hex[:10]}"
    db_url = create_pg_database(base, name)
    try:
        app = create_app(base_settings(db_url, CRM_PLUGINS="sales"))
        upgrade(app)
        with app.app_context(), unit_of_work() as db:
            ensure_groups(db, crm_state().registry)
        engine = app.extensions["crm_db"].engine
        password = hash_password("bench-password-1")
        owners, leader_id = ensure_owners(engine, password), ensure_leader(engine, password)
        started = time.perf_counter()
        samples = seed(app, args.rows, owners)
        seconds = time.perf_counter() - started
        print(f"PostgreSQL, {args.rows:,} leads/accounts/contacts, 20 owners; seeding took {seconds:.0f} s")
        run(app, samples, owners, leader_id, args.repeat)
        engine.dispose()
    finally:
        drop_pg_database(base, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
