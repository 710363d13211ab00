"""The performance benchmark (NF-01): ``.venv/bin/python -m bench [--database-url URL] [--rows N]``.

Seeds N contacts for 20 owners (once; later runs top up), then times real requests through the
Flask test client — the grid, the API list with the same filters, the detail page and API read —
and prints median and p95 in milliseconds plus the SQL statements each request runs and the
median time spent executing them (``before/after_cursor_execute`` listeners); then imports
files into the real sales sessions (leads, contacts, opportunities, with their plugins' hooks)
against a bare COPY of the same rows measured in the same run (bench/real_import.py), and writes
every figure to a JSON file. ``--import-sessions bench_contacts`` times the synthetic session's
import instead (bench/import_bench.py). See docs/performance.md for the figures and indexes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import event, select

from bench import import_bench, limits, model, real_import
from bench.seed import ensure_leader, ensure_owners, seed
from crm_core.app import create_app
from crm_core.db import Base, unit_of_work
from crm_core.db import session as db_session
from crm_core.events import handles
from crm_core.testing import make_plugin

SQLITE_DEFAULT = "sqlite:////tmp/crm-bench.sqlite3"
DEFAULT_ROWS = {"sqlite": 200_000, "postgresql": 1_000_000}


class StatementCounter:
    """Counts SQL statements sent to the database (to prove no N+1 and no COUNT per page) and
    the time spent executing them (to tell the database's share of a request from Python's).

    SQLite's explicit ``BEGIN`` (see crm_core/db.py) is a transaction marker, not a query, and
    psycopg sends its own without a cursor, so it is not counted on either database.
    """

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started = 0.0

    def before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.count += 1
        self._started = time.perf_counter()

    def after(self, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started

    def listen(self, engine: Any, on: bool = True) -> None:
        change = event.listen if on else event.remove
        change(engine, "before_cursor_execute", self.before)
        change(engine, "after_cursor_execute", self.after)


def build_app(url: str, listener: bool = False) -> Flask:
    """The app with only the benchmark session; ``listener`` adds a plugin that implements
    ``crm_element_created`` (doing nothing), to measure what listening costs an import."""
    plugins = {"bench": model}
    if listener:
        plugins["bench_listener"] = make_plugin("bench_listener", crm_element_created=_listen)
    app = create_app(
        {
            "CRM_ENV": "development",
            "CRM_DATABASE_URL": url,
            "CRM_PLUGINS": ",".join(plugins),
            "CRM_SECRET_KEY": "benchmark-only-secret-key",
            "WTF_CSRF_ENABLED": False,
        },
        extra_plugins=plugins,
    )
    app.test_client_class = FlaskLoginClient
    return app


@handles(every_session=True)
def _listen(element: Any) -> None:
    """A ``crm_element_created`` implementation that only receives the element."""


def prepare(app: Flask, rows: int) -> tuple[Any, str, int, float, Any]:
    """Migrate, create the bench table and indexes, seed; returns (owner01, their API token, one of
    their ids, seconds spent seeding, leader01)."""
    from crm_core.api.auth import create_token
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password

    engine = app.extensions["crm_db"].engine
    upgrade(app)
    Base.metadata.create_all(engine, tables=[model.BenchContact.__table__])
    with app.app_context(), unit_of_work() as db:
        ensure_groups(db, app.extensions["crm"].registry)
    password = hash_password("bench-password-1")
    owners = ensure_owners(engine, password)
    leader_id = ensure_leader(engine, password)
    started = time.perf_counter()
    inserted = seed(engine, rows, owners)
    model.create_indexes(engine)
    seconds = time.perf_counter() - started if inserted else 0.0
    with app.app_context():
        with unit_of_work() as db:
            user, leader = db.get(User, owners[0]), db.get(User, leader_id)
            _token, secret = create_token(db, user, "benchmark")
        own_id = db_session().scalar(
            select(model.BenchContact.id).where(model.BenchContact.owner_id == user.id).limit(1)
        )
    return user, secret, own_id, seconds, leader


def measure(call: Callable[[], Any], counter: StatementCounter, repeat: int) -> tuple[float, float, int, float]:
    """(median ms, p95 ms, SQL statements of one call, median ms in SQL) over ``repeat`` calls
    after a warm-up."""
    for _ in range(3):
        call()
    timings, in_sql = [], []
    for _ in range(repeat):
        counter.count, counter.seconds = 0, 0.0
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
        in_sql.append(counter.seconds * 1000)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[-1]
    return statistics.median(timings), p95, counter.count, statistics.median(in_sql)


def request(client: Any, url: str, **kwargs: Any) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url, **kwargs)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
        return response

    return call


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=SQLITE_DEFAULT, help=f"default {SQLITE_DEFAULT}")
    parser.add_argument("--rows", type=int, help="contacts to seed (default 200,000 SQLite, 1,000,000 PostgreSQL)")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per figure (default 50)")
    parser.add_argument("--q", default="martin", help="text filter word (default: martin)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the timed import (0: none)")
    parser.add_argument("--import-runs", type=int, default=3, help="imports per mode (default 3; median shown)")
    parser.add_argument("--import-sessions", default=",".join(real_import.SESSIONS),
                        help="real sessions to import into (default leads,contacts,opportunities); "
                             "bench_contacts: the synthetic session")
    parser.add_argument("--table-rows", type=int,
                        help="rows each real session's table holds before the import (default: as --rows)")
    parser.add_argument("--modes", default="all,valid", help="import modes (default all,valid)")
    parser.add_argument("--no-grid", action="store_true", help="skip the grid/API timings")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of grid/API timings, with a new ANALYZE before each round after the "
                             "first, so a plan that depends on the statistics' sample shows (default 3)")
    parser.add_argument("--json", default="bench/results/latest.json",
                        help="result file (default bench/results/latest.json; bench/results/ is not committed)")
    parser.add_argument("--import-profile", type=Path, default=None,
                        help="cProfile (CPU clock) of each real session's first import to DIR/<session>-<mode>.prof")
    parser.add_argument("--listener", action="store_true", help="add a plugin listening to crm_element_created")
    args = parser.parse_args(argv)

    real_import.PROFILE_DIR = args.import_profile
    app = build_app(args.database_url, args.listener)
    engine = app.extensions["crm_db"].engine
    rows = args.rows or DEFAULT_ROWS.get(engine.dialect.name, 200_000)
    results: dict[str, Any] = {"database": engine.dialect.name, "machine": machine(), "grid": [], "imports": []}
    user = None
    if not args.no_grid or args.import_sessions == model.SESSION:
        user, secret, own_id, seed_seconds, leader_user = prepare(app, rows)
    if not args.no_grid:
        results["grid"] = time_grid(app, args, rows, user, secret, own_id, seed_seconds, leader_user)
    if args.import_rows and args.import_sessions == model.SESSION:
        time_imports(app, user, args.import_rows, args.import_runs)
    elif args.import_rows:
        sessions = tuple(s.strip() for s in args.import_sessions.split(",") if s.strip())
        modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
        results["imports"] = time_real_imports(args.database_url, sessions, args.table_rows or rows,
                                               args.import_rows, args.import_runs, modes)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    print(f"\nresults written to {args.json}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def time_grid(app: Flask, args: argparse.Namespace, rows: int, user: Any, secret: str, own_id: int,
              seed_seconds: float, leader_user: Any) -> list[dict[str, Any]]:
    """The grid, API and detail timings on the synthetic session; printed and returned."""
    engine = app.extensions["crm_db"].engine
    counter = StatementCounter()
    counter.listen(engine)

    s = model.SESSION
    q = args.q
    filters = f"status=active&q={q}&sort=name&per_page=50"
    deep = "status=active&sort=name&per_page=50&page=100"
    browser = app.test_client(user=user)
    leader = app.test_client(user=leader_user)
    api = app.test_client()
    bearer = {"headers": {"Authorization": f"Bearer {secret}"}}
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("grid: own, default sort, page 1", request(browser, f"/s/{s}?per_page=50")),
        ("grid: own+text, page 1", request(browser, f"/s/{s}?q={q}&per_page=50")),
        ("grid: own+status+text+sort, page 1", request(browser, f"/s/{s}?{filters}")),
        ("grid: own+status+text, sort -company", request(browser, f"/s/{s}?status=active&q={q}&sort=-company")),
        ("grid: own+status+sort, page 100", request(browser, f"/s/{s}?{deep}")),
        ("grid: all (leader)+status+text+sort", request(leader, f"/s/{s}?all=1&{filters}")),
        ("grid: all (leader)+text, sort -company", request(leader, f"/s/{s}?all=1&q={q}&sort=-company")),
        ("grid: all (leader)+status+sort, page 100", request(leader, f"/s/{s}?all=1&{deep}")),
        ("API list: own+status+text+sort, page 1", request(api, f"/api/v1/{s}?{filters}", **bearer)),
        ("API list: own+status+sort, page 100", request(api, f"/api/v1/{s}?{deep}", **bearer)),
        ("API read", request(api, f"/api/v1/{s}/{own_id}", **bearer)),
    ]
    cases.append(("detail page", request(browser, f"/s/{s}/{own_id}")))
    cases += [
        ("board: own, open records", request(browser, f"/s/{s}/board")),
        ("board: all (leader), open records", request(leader, f"/s/{s}/board?all=1")),
        ("board: next cards of a column", request(browser, f"/s/{s}/board/column?stage=active&page=2")),
        ("global search: own", request(browser, f"/search?q={q}")),
        ("global search: all (leader)", request(leader, f"/search?q={q}")),
    ]

    print(
        f"database: {engine.dialect.name}, {rows:,} contacts, 20 owners; seeding took {seed_seconds:.1f} s"
        if seed_seconds
        else f"database: {engine.dialect.name}, {rows:,} contacts, 20 owners (already seeded)"
    )
    out = []
    for round_no in range(1, args.rounds + 1):
        if round_no > 1:
            # New planner statistics from a new random sample: a plan that depends on the sample
            # (issue 13, target 5) shows as a figure that moves between rounds.
            analyze_table(engine, model.BenchContact.__tablename__)
        print(f"round {round_no} of {args.rounds}" + (" (after a new ANALYZE)" if round_no > 1 else ""))
        # The machine's limits at this moment (issue 13: targets are read against them)
        counter.listen(engine, on=False)
        floors = limits.measure(engine, model.BenchContact.__tablename__, own_id, browser, repeat=args.repeat)
        counter.listen(engine)
        limits.report(floors)
        empty = floors["empty request"][0]
        out.append({"request": "limits", "round": round_no, **{k: list(v) for k, v in floors.items()}})
        print(f"{'request':45} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} {'in SQL ms':>10} {'× empty':>8}")
        for label, call in cases:
            median, p95, statements, sql_ms = measure(call, counter, args.repeat)
            print(f"{label:45} {median:10.2f} {p95:8.2f} {statements:8d} {sql_ms:10.2f} {median / empty:8.1f}")
            out.append({"request": label, "round": round_no, "median_ms": median, "p95_ms": p95,
                        "statements": statements, "sql_ms": sql_ms, "median_over_empty": median / empty})
    counter.listen(engine, on=False)
    return out


def analyze_table(engine: Any, table: str) -> None:
    """``ANALYZE`` one table (the bench's own table name): fresh statistics from a new sample."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"ANALYZE {table}")


def time_real_imports(url: str, sessions: tuple[str, ...], table_rows: int, import_rows: int, runs: int,
                      modes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each real session: top its table up, then floor and imports in the same run (bench/real_import.py)."""
    from crm_core.security.passwords import hash_password

    app = real_import.build_real_app(url)
    user, accounts = real_import.prepare(app, hash_password("bench-password-1"))
    counter = StatementCounter()
    counter.listen(app.extensions["crm_db"].engine)
    out = []
    for name in sessions:
        seeded = real_import.top_up(app, name, table_rows, accounts)
        if seeded:
            print(f"\n{name}: table topped up to {table_rows:,} rows in {seeded:.0f} s")
        else:
            real_import.analyze(app)  # statistics for indexes a migration has just added
        load_before = os.getloadavg()
        found = real_import.machine_limits(app, name)
        result = real_import.measure_session(app, name, user, accounts, table_rows, import_rows, runs, modes, counter)
        figures = real_import.report(result)
        limits.report(found)
        load = (load_before, os.getloadavg())
        print(f"load average (1, 5, 15 min) before {load[0][0]:.2f} {load[0][1]:.2f} {load[0][2]:.2f}, "
              f"after {load[1][0]:.2f} {load[1][1]:.2f} {load[1][2]:.2f}")
        out.append(figures | {"limits_ms": found, "load_average": load})
    counter.listen(app.extensions["crm_db"].engine, on=False)
    return out


def time_imports(app: Flask, user: Any, rows: int, runs: int) -> None:
    """Median of ``runs`` imports of ``rows`` rows in each mode (see bench/import_bench.py)."""
    data = import_bench.make_file(rows)
    print(f"\nimport of {rows:,} rows ({len(data) / 1e6:.1f} MB, cp1252, key e-mail), background job, {runs} runs")
    print(f"{'mode':25} {'median rows/s':>14} {'runs rows/s':>26} {'peak RSS MB':>12}")
    for mode, label in (("all", "all-or-nothing"), ("valid", "import the valid rows")):
        figures = [import_bench.run_import(app, user, data, rows, mode) for _ in range(runs)]
        for f in figures:
            if f.state != "done" or f.created != rows:
                raise SystemExit(f"import {mode} ended {f.state} with {f.created} of {rows} rows created")
        peak, before = max(f.peak_mb for f in figures), min(f.before_mb for f in figures)
        _rates(label, [f.rate for f in figures], f"{peak:12.0f} ({before:.0f} before the job)")
    _rates("database alone (floor)", [rows / import_bench.database_floor(app, user, data) for _ in range(runs)])
    print("(floor: the same rows through the same bulk writer, already parsed, no validation/audit; rolled back)")


def _rates(label: str, rates: list[float], extra: str = "") -> None:
    runs = " / ".join(f"{r:,.0f}" for r in sorted(rates))
    print(f"{label:25} {statistics.median(rates):14,.0f} {runs:>26} {extra}")
