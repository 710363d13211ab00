"""Every sort and filter combination of the four sales grids, timed (issue 13 target 4).

    .venv/bin/python -m bench.sort_bench [--database-url URL] [--rows 1000000] [--repeat 20]

Fills leads, contacts, opportunities and accounts up to ``--rows`` rows each (once: a kept
database is topped up, not refilled), spread over 20 owners, then for each session, each sort
it offers (:func:`crm_core.services.queries.sortable`, both directions) and each filter
combination — none, a status every row has, a status no row has (the worst case: the index is
read to its end), a text word, status and word, each named filter — times the 50-row grid page
and the API list, as ``owner01`` (an Executive: their records) and as an administrator with
"all records". Prints median and p95 in ms, the median time spent in SQL ("in SQL": the
database's share, which a busy host moves less) and the SQL statements of one request; the targets
are p95 ≤ 15 ms (grid) and ≤ 10 ms (API), ≤ 4 statements per grid page. Without
``--database-url`` it runs on a scratch PostgreSQL database dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask_login import FlaskLoginClient
from sqlalchemy import select

from bench import limits, real_import
from bench.run import StatementCounter, machine, measure, request
from crm_core.app import create_app
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.security.passwords import hash_password
from crm_core.services.queries import sortable

SESSIONS = ("leads", "contacts", "opportunities", "accounts")
GRID_P95, API_P95, GRID_STATEMENTS = 15.0, 10.0, 4


def build_app(url: str) -> Any:
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": real_import.PLUGINS,
                      "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False})
    app.test_client_class = FlaskLoginClient
    return app


def prepare(app: Any, rows: int, sessions: tuple[str, ...] = SESSIONS) -> tuple[User, User]:
    """Migrate, owners, the administrator; top the timed sessions up to ``rows``; (owner01, admin)."""
    password = hash_password("bench-password-1")
    user, accounts = real_import.prepare(app, password)
    for name in sessions:
        seconds = real_import.top_up(app, name, rows, accounts)
        if seconds:
            print(f"seeded {name} up to {rows:,} rows in {seconds:.0f} s", flush=True)
    real_import.analyze(app)
    with app.app_context():
        db = app.extensions["crm_db"].factory()
        admin = db.scalar(select(User).where(User.username == "benchadmin"))
        return db.get(User, user.id), admin


def filters(sdef: Any, word: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, query arguments) of each filter combination of a session."""
    yield "no filter", {}
    if sdef.statuses:
        common, rare = sdef.statuses[0].code, sdef.statuses[-1].code
        yield f"status={common}", {"status": common}
        yield f"status={rare} (rare)", {"status": rare}
    if sdef.search:
        yield f"q={word}", {"q": word}
        if sdef.statuses:
            yield f"status+q={word}", {"status": sdef.statuses[0].code, "q": word}
    for named in sdef.named_filters:
        yield f"only={named.name}", {"only": named.name}


def _query(args: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in args.items())


def time_one(client: Any, counter: StatementCounter, repeat: int, name: str, spec: str, label: str, scope: str,
             args: dict[str, Any]) -> dict[str, Any]:
    """The grid page and the API list of one combination, printed as one line."""
    extra = {**args, "sort": spec, "per_page": 50, **({"all": 1} if scope == "all" else {})}
    grid = measure(request(client, f"/s/{name}?{_query(extra)}"), counter, repeat)
    api = measure(request(client, f"/api/v1/{name}?{_query(extra)}"), counter, repeat)
    flag = " !" if grid[1] > GRID_P95 or api[1] > API_P95 or grid[2] > GRID_STATEMENTS else ""
    print(f"{name:14} {spec:16} {label:26} {scope:5} {grid[0]:8.1f} {grid[1]:8.1f} {grid[3]:6.2f} {grid[2]:3d} "
          f"{api[0]:8.1f} {api[1]:8.1f} {api[3]:6.2f} {api[2]:3d}{flag}", flush=True)
    return {"session": name, "sort": spec, "filter": label, "scope": scope, "grid_median": grid[0],
            "grid_p95": grid[1], "grid_sql_median": grid[3], "grid_statements": grid[2], "api_median": api[0],
            "api_p95": api[1], "api_sql_median": api[3], "api_statements": api[2]}


def run(url: str, rows: int, repeat: int, word: str, out: str | None, sessions: tuple[str, ...] = SESSIONS,
        only: str = "") -> None:
    app = build_app(url)
    engine = app.extensions["crm_db"].engine
    owner, admin = prepare(app, rows, sessions)
    counter = StatementCounter()
    results: list[dict[str, Any]] = []
    with app.app_context():
        clients = {"mine": app.test_client(user=owner), "all": app.test_client(user=admin)}
        registry = crm_state().registry
        print(f"database: {engine.dialect.name}, {rows:,} rows per table; load average {os.getloadavg()}")
        print(f"{'session':14} {'sort':16} {'filter':26} {'scope':5} {'grid med':>8} {'grid p95':>8} {'in SQL':>6} "
              f"{'SQL':>3} {'API med':>8} {'API p95':>8} {'in SQL':>6} {'SQL':>3}")
        counter.listen(engine)
        for name in sessions:
            sdef = registry.sdef(name)
            for spec in [d for sort in sorted(sortable(sdef)) for d in (sort, f"-{sort}")]:
                for label, args in [(lb, a) for lb, a in filters(sdef, word) if only in lb]:
                    for scope, client in clients.items():
                        results.append(time_one(client, counter, repeat, name, spec, label, scope, args))
        counter.listen(engine, on=False)
        print(f"load average after: {os.getloadavg()}")
    over = [r for r in results if r["grid_p95"] > GRID_P95 or r["api_p95"] > API_P95]
    print(f"{len(results)} combinations, {len(over)} over the targets (marked !)")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps({"rows": rows, "results": results, "machine": machine(),
                                         "load": os.getloadavg()}, indent=1))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sort_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a scratch PostgreSQL database, dropped afterwards")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per table (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per figure (default 20)")
    parser.add_argument("--q", default="martin", help="text filter word (default: martin)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--sessions", default=",".join(SESSIONS), help="sessions to time (default: the four)")
    parser.add_argument("--only", default="", help="time only the filter combinations whose label contains this")
    args = parser.parse_args(argv)
    chosen = tuple(s for s in args.sessions.split(",") if s)
    if args.database_url:
        run(args.database_url, args.rows, args.repeat, args.q, args.json, chosen, args.only)
        return
    with limits.scratch_pg() as url:
        if url is not None:
            run(url, args.rows, args.repeat, args.q, args.json, chosen, args.only)


if __name__ == "__main__":
    main()
