"""Inbox screens and API at scale (EXT-12): median and p95 of the inbox pages over N items.

    .venv/bin/python -m bench.inbox_bench [--database-url URL] [--items 1000000] [--repeat 50]

Without ``--database-url`` it runs on PostgreSQL (``CRM_TEST_DATABASE_URL`` or the test kit's
default server) in a scratch database dropped afterwards. Seeds 20 owners with 10,000 benchmark
contacts each and N inbox items about them: half sent to the owners (open, in their own inboxes),
half to one group and not taken (a crowded group inbox), through SQLAlchemy Core batches. Then
times real requests through the Flask test client: My inbox (page 1, sorted by type, page 100),
Group inbox page 1, the API lists, and the home panel.
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
from sqlalchemy import insert, select, text

from bench import model
from bench.run import StatementCounter, measure, request
from bench.seed import ensure_owners, seed
from crm_core.app import create_app
from crm_core.db import Base, unit_of_work
from crm_core.models.auth import Group, User
from crm_core.security.passwords import hash_password
from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available
from plugins.inboxes.models import InboxItem

CONTACTS_PER_OWNER = 10_000
BATCH = 10_000
ACTIONS = ("review", "call_back", "approve", "resolve", "follow_up")


def build_app(url: str) -> Any:
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": "bench,inboxes",
                      "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False},
                     extra_plugins={"bench": model})
    app.test_client_class = FlaskLoginClient
    return app


def seed_items(engine: Any, items: int, owners: list[int], group_id: int) -> None:
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


def run(url: str, items: int, repeat: int) -> None:
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
    with app.app_context():
        user = app.extensions["crm_db"].factory().get(User, owners[0])
        browser = app.test_client(user=user)
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
            ("home page (inbox panel counts)", request(browser, "/")),
        ]
        mine = items // 2 // len(owners)
        print(f"database: {engine.dialect.name}, {items:,} inbox items ({mine:,} open in the user's inbox, "
              f"{items - items // 2:,} untaken in the group's); seeding took {seconds:.1f} s")
        print(f"{'request':45} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} {'in SQL ms':>10}")
        for label, call in cases:
            median, p95, statements, sql_ms = measure(call, counter, repeat)
            print(f"{label:45} {median:10.2f} {p95:8.2f} {statements:8d} {sql_ms:10.2f}")
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.items, args.repeat)
        return
    server = os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG)
    reason = pg_available(server)
    if reason:
        sys.exit(f"skipped: {reason}")
    name = f"crm_inbox_bench_{uuid.uuid4().hex[:8]}"
    url = create_pg_database(server, name)
    try:
        run(url, args.items, args.repeat)
    finally:
        drop_pg_database(server, name)


if __name__ == "__main__":
    main()
