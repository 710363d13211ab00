"""``crm demo`` (issue 17 item 12): how long the demo company takes to make, plugin by plugin, on
a fresh SQLite file and on a scratch PostgreSQL database, and how long a second run (which adds
nothing) takes.

    .venv/bin/python -m bench.demo_bench [--runs 3] [--backend sqlite|postgresql|both]

Each run migrates a new database for every installed plugin, then times ``crm demo``'s work
(``crm_core.demo.load_demo``: the demo users, then each plugin's ``crm_demo_data`` in demo order)
in one transaction, then a second ``load_demo``. Prints median and p95 of the runs (with three
runs p95 is the slowest) in seconds, the wall time per plugin of the last run, and the machine's
limits measured in the same run (``bench/limits.py``) with the load average. ``CRM_TEST_DATABASE_URL``
names the PostgreSQL server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

from sqlalchemy import text

from bench import limits
from crm_core.app import create_app
from crm_core.migrate import upgrade
from crm_core.testing.plugin import base_settings


def _one_run(url: str) -> tuple[float, float, dict[str, float], Any]:
    import crm_core.demo as demo

    app = create_app(base_settings(url, CRM_PLUGINS=None))
    upgrade(app)
    per_plugin: dict[str, float] = {}
    caller = demo.demo_caller

    def timed_caller(pm: Any, name: str) -> Any:
        call = caller(pm, name)

        def run(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(**kwargs)
            finally:
                per_plugin[name] = per_plugin.get(name, 0.0) + time.perf_counter() - started

        return run

    demo.demo_caller = timed_caller
    try:
        with app.app_context():
            started = time.perf_counter()
            demo.load_demo()
            first = time.perf_counter() - started
            started = time.perf_counter()
            demo.load_demo()
            second = time.perf_counter() - started
    finally:
        demo.demo_caller = caller
    return first, second, per_plugin, app


def _bench(label: str, urls: Any, runs: int) -> None:
    firsts, seconds, last, floors = [], [], {}, {}
    for url in urls(runs):
        first, second, last, app = _one_run(url)
        firsts.append(first)
        seconds.append(second)
        engine = app.extensions["crm_db"].engine
        with engine.connect() as conn:
            row_id = conn.execute(text("SELECT min(id) FROM sales_lead")).scalar()
        floors = limits.measure(engine, "sales_lead", row_id, repeat=100)
        engine.dispose()
    print(f"\n{label}: crm demo on a fresh database, {runs} runs")
    for name, values in (("first run (writes the company)", firsts), ("second run (adds nothing)", seconds)):
        p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
        print(f"  {name:38} median {statistics.median(values):6.2f} s   p95 {p95:6.2f} s")
    print("  per plugin, last first run: " + ", ".join(f"{n} {t:.2f} s" for n, t in last.items()))
    limits.report(floors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}; cores: {os.cpu_count()}")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            def sqlite_urls(runs: int) -> Any:
                for n in range(runs):
                    yield f"sqlite:///{folder}/demo-{n}.sqlite3"

            _bench("SQLite", sqlite_urls, args.runs)
    if args.backend in ("postgresql", "both"):
        def pg_urls(runs: int) -> Any:
            for _ in range(runs):
                with limits.scratch_pg() as url:
                    if url is None:
                        return
                    yield url

        _bench("PostgreSQL", pg_urls, args.runs)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
