"""The Python share of the grid pages and API lists (issue 13 target 6, issue 14's grids).

    .venv/bin/python -m bench.page_cpu [--database-url URL] [--rows 20000] [--repeat 60]
    .venv/bin/python -m bench.page_cpu --profile /s/leads    # cProfile of that page, CPU time
    .venv/bin/python -m bench.page_cpu --profile floor       # ... of the empty request (a 404)

Real requests through the Flask test client as ``owner01`` (an Executive) with the plugins a
sales and customer-care installation enables (``sales``, ``activities``, ``inboxes``, ``cases``
and the benchmark session the inbox items point at): the 50-row grid page of leads, contacts,
opportunities, accounts and cases, My inbox, and the API lists of the same sessions. For each it
prints the median and p95 **CPU time of this process** per request (``time.process_time``: the
Python share, which a busy shared host hardly moves), the wall median and p95, and the SQL
statements of one request; first the machine's limits of the same run (``bench/limits.py``),
including the *empty request* (the floor every page pays: WSGI, session, user, permissions).

The data only has to fill a 50-row page: the query of every page takes 0.05–1.5 ms at 1M rows
(docs/performance.md) and its plan is the business of ``python -m bench`` and
``bench.inbox_bench``; here the table size moves the CPU figures by nothing measurable.
Without ``--database-url`` it runs on a scratch PostgreSQL database dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_login import FlaskLoginClient
from sqlalchemy import select

from bench import inbox_bench, limits, model, real_import
from bench.run import StatementCounter, request
from bench.seed import ensure_owners, seed
from crm_core.app import create_app
from crm_core.db import Base, unit_of_work
from crm_core.models.auth import Group, User
from crm_core.security.passwords import hash_password

PLUGINS = "bench,sales,activities,inboxes,cases"
GRIDS = ("leads", "contacts", "opportunities", "accounts", "cases")
#: The empty request: a signed-in 404, the floor every page pays (``bench/limits.py``).
FLOOR = "/bench-floor-no-such-page"


def build_app(url: str) -> Any:
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": PLUGINS,
                      "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False},
                     extra_plugins={"bench": model})
    app.test_client_class = FlaskLoginClient
    return app


def prepare(app: Any, rows: int) -> tuple[User, int]:
    """Migrate and seed (once: a kept database is reused); (owner01, one inbox item id)."""
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade

    upgrade(app)
    engine = app.extensions["crm_db"].engine
    Base.metadata.create_all(engine, tables=[model.BenchContact.__table__])
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    password = hash_password("bench-password-1")
    owners = ensure_owners(engine, password)
    seed(engine, 500 * len(owners), owners)
    model.create_indexes(engine)
    with app.app_context():
        user, accounts = real_import.prepare(app, password)
        for name in ("leads", "contacts", "opportunities"):
            real_import.top_up(app, name, rows, accounts)
        with unit_of_work() as db:
            group = db.scalar(select(Group).where(Group.name == "Executives"))
            owner = db.get(User, owners[0])
            if owner.group_id != group.id:
                owner.group_id = group.id
            group_id = group.id
    inbox_bench.seed_items(engine, rows, owners, group_id)
    if engine.dialect.name == "postgresql":
        inbox_bench.seed_cases(engine, rows, owners, group_id)
    real_import.analyze(app)
    with app.app_context():
        user = app.extensions["crm_db"].factory().get(User, owners[0])
        from plugins.inboxes.models import InboxItem

        with engine.connect() as conn:
            item = conn.scalar(select(InboxItem.id).limit(1))
    return user, item


def pages(browser: Any) -> list[tuple[str, Callable[[], Any]]]:
    found = [(f"grid: {name}", request(browser, f"/s/{name}?per_page=50")) for name in GRIDS]
    found.append(("grid: my inbox", request(browser, "/inbox/mine")))
    found += [(f"API list: {name}", request(browser, f"/api/v1/{name}?per_page=50")) for name in GRIDS]
    found.append(("API list: my inbox", request(browser, "/api/v1/inboxes/mine")))
    return found


def cpu_and_wall(call: Callable[[], Any], counter: StatementCounter, repeat: int) -> dict[str, float]:
    """CPU and wall median/p95 in ms over ``repeat`` calls after three warm-up calls, and the
    SQL statements of one call."""
    for _ in range(3):
        call()
    cpu, wall = [], []
    for _ in range(repeat):
        counter.count = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20, method="inclusive")[-1]

    return {"cpu_median": statistics.median(cpu), "cpu_p95": p95(cpu), "wall_median": statistics.median(wall),
            "wall_p95": p95(wall), "statements": counter.count, "calls": python_calls(call)}


def python_calls(call: Callable[[], Any]) -> int:
    """Python function calls of one request (``cProfile``'s count): the same on a busy host as
    on a quiet one, so it compares two versions of the code where CPU times cannot."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    call()
    profiler.disable()
    return int(pstats.Stats(profiler).total_calls)  # type: ignore[attr-defined]


def profile(call: Callable[[], Any], repeat: int, limit: int = 45, out: str | None = None) -> None:
    """cProfile of ``repeat`` calls on CPU time, sorted by own time then cumulative time; the raw
    statistics also go to ``out`` (``pstats`` format) when given."""
    for _ in range(3):
        call()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    if out:
        profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def run(url: str, rows: int, repeat: int, profile_path: str | None, out: str | None, only: str = "") -> None:
    app = build_app(url)
    engine = app.extensions["crm_db"].engine
    user, item = prepare(app, rows)
    with app.app_context():
        browser = app.test_client(user=user)
        if profile_path == "floor":
            profile(lambda: browser.get(FLOOR), repeat, out=out)
            return
        if profile_path:
            profile(request(browser, profile_path), repeat, out=out)
            return
        found = limits.measure(engine, "inbox_item", item, browser, repeat=repeat)
        print(f"database: {engine.dialect.name}, {rows:,} rows per table; load average {os.getloadavg()}")
        limits.report(found)
        floor_calls = python_calls(lambda: browser.get(FLOOR))
        print(f"empty request: {floor_calls:,} Python calls")
        counter = StatementCounter()
        counter.listen(engine)
        print(f"{'request (owner01, 50 rows)':32} {'CPU med':>8} {'CPU p95':>8} {'wall med':>9} "
              f"{'wall p95':>9} {'SQL':>4} {'calls':>7}")
        results = []
        for label, call in pages(browser):
            if only and only not in label:
                continue
            figures = cpu_and_wall(call, counter, repeat)
            print(f"{label:32} {figures['cpu_median']:8.2f} {figures['cpu_p95']:8.2f} {figures['wall_median']:9.2f} "
                  f"{figures['wall_p95']:9.2f} {figures['statements']:4d} {figures['calls']:7d}")
            results.append({"request": label, **figures})
        counter.listen(engine, on=False)
        print(f"load average after: {os.getloadavg()}")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps({"limits": found, "floor_calls": floor_calls, "pages": results,
                                         "load": os.getloadavg(), "machine": _machine()}, indent=1))
    engine.dispose()


def _machine() -> dict[str, Any]:
    from bench.run import machine

    return machine()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.page_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--rows", type=int, default=20_000, help="rows per table (default 20,000)")
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per figure (default 60)")
    parser.add_argument("--profile", metavar="PATH",
                        help="profile this page instead of timing every page ('floor': the empty request)")
    parser.add_argument("--only", default="", help="time only the requests whose label contains this")
    parser.add_argument("--json", help="also write the figures (with --profile: the pstats file) to this file")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.rows, args.repeat, args.profile, args.json, args.only)
        return
    with limits.scratch_pg() as url:
        if url is not None:
            run(url, args.rows, args.repeat, args.profile, args.json, args.only)


if __name__ == "__main__":
    main()
