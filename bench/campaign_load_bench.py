"""A Banco BP campaign load (SAL-09, issue 16): the bank's file of pre-approved clients — 100,000
rows by default — loaded into a campaign through the generic import (the opportunities
session, *import the valid lines*, chunks of 1,000) with the bank's assignment rule giving the
opportunities to 20 executives, then the same file loaded again (every line a duplicate of its
external reference: nothing created).

    .venv/bin/python -m bench.campaign_load_bench [--rows 100000] [--rule by_branch|round_robin]

A scratch SQLite file (PostgreSQL when ``CRM_TEST_DATABASE_URL`` names a server), dropped
afterwards; the clients (accounts) are seeded by bulk insert first. Measured in the same run,
the machine's own limit: the bare bulk insert of as many opportunity rows (no validation, no
events, no audit), so the load is also printed as a ratio to it. Prints the load's and the
re-load's seconds, rows per second, and the chunk times' median and p95.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import Any

from sqlalchemy import delete, func, select

from bench.seed import ensure_leader, ensure_owners
from crm_core.app import create_app
from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.migrate import upgrade
from crm_core.models.auth import User
from crm_core.security.access import load_access
from crm_core.services import bulk
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from crm_core.toolkit import ImportSpec, create_element, run_import
from plugins.sales.models import Account, Opportunity

CITIES = ("Guayaquil", "Quito", "Cuenca", "Manta", "Loja")
BATCH = 10_000


def _seed_accounts(app: Any, rows: int, owner: int) -> None:
    with app.app_context():
        plan = bulk.plan_for(Account)
        for start in range(0, rows, BATCH):
            with unit_of_work() as db:
                records = [plan.complete({"owner_id": owner, "creator_id": owner, "kind": "sale", "code": f"{n:010d}",
                                          "name": f"Cliente {n}", "city": CITIES[n % len(CITIES)]})
                           for n in range(start, min(rows, start + BATCH))]
                bulk.insert_rows(db, plan, records)


def _file(rows: int) -> str:
    lines = ["NUM_PREAPROBACION;IDENTIFICACION;PRODUCTO;MONTO;CAMPANA"]
    lines += [f"PA-{n:07d};{n:010d};Crédito preaprobado;{1000 + n % 9000}.00;PRE-BENCH" for n in range(rows)]
    return "\n".join(lines) + "\n"


def _floor(app: Any, rows: int, owner: int, account_ids: list[int], campaign_id: int) -> float:
    """The bare bulk insert of ``rows`` opportunities, deleted again."""
    with app.app_context():
        plan = bulk.plan_for(Opportunity)
        started = time.perf_counter()
        for start in range(0, rows, BATCH):
            with unit_of_work() as db:
                bulk.insert_rows(db, plan, [plan.complete({
                    "owner_id": owner, "creator_id": owner, "kind": "sale", "name": "Crédito preaprobado",
                    "account_id": account_ids[n], "campaign_id": campaign_id, "amount": 1000,
                    "external_ref": f"FLOOR-{n}"}) for n in range(start, min(rows, start + BATCH))])
        seconds = time.perf_counter() - started
        with unit_of_work() as db:
            db.execute(delete(Opportunity))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rule", choices=("by_branch", "round_robin"), default="by_branch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(tmp) as url:
        app = create_app(base_settings(url, CRM_CUSTOMER="banco_bp"))
        upgrade(app)
        state = app.extensions["crm"]
        with app.app_context(), unit_of_work() as db:
            ensure_groups(db, state.registry)
        owners = ensure_owners(app.extensions["crm_db"].engine, "x")
        leader_id = ensure_leader(app.extensions["crm_db"].engine, "x")
        with app.app_context():
            db = app.extensions["crm_db"].factory()
            usernames = list(db.scalars(select(User.username).where(User.id.in_(owners)).order_by(User.id)))
            db.close()
        branches = {city: usernames[i * 4:(i + 1) * 4] for i, city in enumerate(CITIES[:-1])}
        state.settings["sales"]["assignment"] = {"rule": args.rule, "group": "Executives", "branches": branches}
        started = time.perf_counter()
        _seed_accounts(app, args.rows, leader_id)
        print(f"seeded {args.rows:,} clients in {time.perf_counter() - started:.1f} s")
        with app.test_request_context():
            with unit_of_work() as db:
                leader = db.get(User, leader_id)
                access = load_access(db, leader, state.row_filters)
                campaign = create_element(db, state.registry.sdef("campaigns"), access,
                                          {"code": "PRE-BENCH", "name": "Preaprobados"})
                account_ids = list(db.scalars(select(Account.id).order_by(Account.id)))
            floor = _floor(app, args.rows, leader_id, account_ids, campaign.id)
            text = _file(args.rows)
            spec = ImportSpec(columns=("external_ref", "account_code", "name", "amount", "campaign_code"),
                              mode="valid", on_duplicate="skip")
            sdef = state.registry.sdef("opportunities")
            marks: list[float] = []
            started = time.perf_counter()
            result = run_import(sdef, access, text, spec, on_chunk=lambda _r: marks.append(time.perf_counter()))
            load = time.perf_counter() - started
            chunks = [(b - a) * 1000 for a, b in zip([started, *marks], marks, strict=False)]
            started = time.perf_counter()
            again = run_import(sdef, access, text, spec)
            reload = time.perf_counter() - started
            with unit_of_work() as db:
                per_owner = dict(db.execute(select(Opportunity.owner_id, func.count())
                                            .group_by(Opportunity.owner_id)).all())
        assert result.created == args.rows and result.failed == 0, (result.created, result.errors[:3])
        assert again.created == 0 and again.skipped == args.rows
        p95 = statistics.quantiles(chunks, n=20)[-1]
        print(f"floor: bare bulk insert of {args.rows:,} opportunities {floor:.1f} s")
        print(f"load ({args.rule}): {load:.1f} s, {args.rows / load:,.0f} rows/s, {load / floor:.1f}x the floor; "
              f"chunk of 1,000 median {statistics.median(chunks):.0f} ms p95 {p95:.0f} ms")
        print(f"re-load of the same file: {reload:.1f} s, created {again.created}, skipped {again.skipped:,}")
        print(f"owners: {len(per_owner)} executives, {min(per_owner.values()):,}..{max(per_owner.values()):,} each")


if __name__ == "__main__":
    main()
