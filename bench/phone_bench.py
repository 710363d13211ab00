"""Caller lookup (TEL-01): find the client behind a phone number among 1,000,000 leads, accounts
and contacts, through ``crm_find_by_phone`` as the screen pop and the call records ask it, on
PostgreSQL.

    .venv/bin/python -m bench.phone_bench [--database-url URL] [--rows 1000000] [--repeat 500]

Without ``--database-url`` it runs in a scratch database (dropped afterwards); with it, the
database is kept and a later run reuses its rows. The app runs the plugins a call centre enables
(sales, activities, cases, inboxes, telephony), so the lookup is the real path: the plugin
manager's ``crm_find_by_phone`` across every enabled plugin (sales answers), with the number
parsed to E.164, the user's access loaded and one ``UNION ALL`` of index lookups. Seeds the three
tables with Spanish mobile numbers for 20 executives (bulk ``COPY``), then times the lookup for
an executive finding their own contact, account or lead, an unknown number (every session asked,
nothing found) and a leader who sees every record; then the whole screen-pop card
(``plugins.telephony.pop.build_card``: the lookup plus the caller's open records and last
activities) for information. Prints median and p95 in ms next to the machine's limits measured
in the same run (``bench/limits.py``); the target is p95 ≤ 5 ms (docs/telephony.md).
``CRM_TEST_DATABASE_URL`` names the server.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bench import limits
from bench.seed import prepare_app
from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.security.access import load_access
from crm_core.services import bulk
from crm_core.testing.plugin import base_settings
from plugins.sales.models import Account, Contact, Lead

#: Share of the rows per table: accounts, contacts, leads.
SHARES = (0.25, 0.40, 0.35)
BATCH = 20_000
#: The plugins of a call centre: the lookup is asked through all of them.
PLUGINS = "sales,activities,cases,inboxes,telephony"


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


def samples_from(app: Any) -> dict[str, list[tuple[str, int]]]:
    """Numbers to look up from rows already seeded (a kept database): every 997th row."""
    samples: dict[str, list[tuple[str, int]]] = {}
    with app.app_context(), unit_of_work() as db:
        for model in (Account, Contact, Lead):
            rows = db.execute(select(model.phone, model.owner_id).where(model.id % 997 == 0,
                                                                         model.phone_e164 != ""))
            samples[model.__tablename__] = [(phone, owner) for phone, owner in rows]
    return samples


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
            # A valid Spanish mobile outside the seeded range (6 00 000 000 – 6 00 999 999): parsed,
            # then every session is asked and nothing is found.
            assert ask(number=f"+34 69{rnd.randrange(10**7):07d}", user=users[owners[0]], db=db) is None

        cases = [
            ("executive: own contact", finder("sales_contact")),
            ("executive: own account", finder("sales_account")),
            ("executive: own lead", finder("sales_lead")),
            ("executive: unknown number", unknown),
            ("leader: anyone's lead", finder("sales_lead", as_leader=True)),
        ]
        def card(table: str) -> Callable[[], Any]:
            from plugins.telephony.pop import build_card

            def call() -> None:
                number, owner = rnd.choice(samples[table])
                with app.test_request_context("/"):
                    assert build_card(db, load_access(db, users[owner], crm_state().row_filters), number).who

            return call

        cases.append(("screen-pop card: own contact (lookup + related)", card("sales_contact")))
        contact_id = db.scalar(select(Contact.id).limit(1))
        limits.report(limits.measure(app.extensions["crm_db"].engine, "sales_contact", contact_id, repeat=repeat))
        print(f"{'caller lookup':48} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
        for label, call in cases:
            for _ in range(5):
                call()  # warm the plan caches (psycopg prepares a statement on its 5th run)
            median, p95 = limits.timed(call, repeat)
            print(f"{label:48} {median:10.2f} {p95:8.2f} {limits.cpu_ms(call, max(10, repeat // 2)):8.2f}")


def bench(db_url: str, rows: int, repeat: int) -> None:
    app = create_app(base_settings(db_url, CRM_PLUGINS=PLUGINS))
    owners, leader_id = prepare_app(app)
    engine = app.extensions["crm_db"].engine
    with app.app_context(), unit_of_work() as db:
        have = sum(db.scalar(select(func.count()).select_from(m)) or 0 for m in (Account, Contact, Lead))
    started = time.perf_counter()
    samples = seed(app, rows, owners) if have < rows else samples_from(app)
    seconds = time.perf_counter() - started
    print(f"PostgreSQL, {max(rows, have):,} leads/accounts/contacts, 20 owners, plugins {PLUGINS}; "
          f"seeding took {seconds:.0f} s")
    run(app, samples, owners, leader_id, repeat)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phone_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to keep (default: a scratch one)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="leads + accounts + contacts (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=500, help="timed lookups per figure (default 500)")
    args = parser.parse_args(argv)
    if args.database_url:
        bench(args.database_url, args.rows, args.repeat)
        return 0
    with limits.scratch_pg() as db_url:
        if db_url:
            bench(db_url, args.rows, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
