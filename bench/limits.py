"""The machine's own limits, measured in the same run as a benchmark's figures (docs/performance.md).

A shared 2-core host moves by a factor of several between runs, so each benchmark prints, next to
its figures, what the same process and database manage at best at that moment:

* ``SELECT 1`` — one database round trip through the app's engine (driver, pool, server);
* ``pk read`` — one primary-key read of a row of the measured table (index + heap, no planning
  of anything the app adds);
* ``empty request`` — one signed-in request through the whole web stack (WSGI, session cookie,
  user load, permissions) to a path that answers 404 without touching a business table.

The figures' ratios to these floors are steadier than the absolute times, and so is
:func:`cpu_ms`, the CPU time this process spends per call (``time.process_time``): when other
processes take the cores, the wall time of a request grows but its CPU time hardly moves. With
the database's own execution time (``EXPLAIN ANALYZE``) it tells what a request costs on a host
that is not shared.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text


@contextmanager
def scratch_pg() -> Iterator[str | None]:
    """A new PostgreSQL database for one benchmark run (``CRM_TEST_DATABASE_URL``'s server, else
    the local one), dropped afterwards; ``None`` after printing why when no server answers."""
    from crm_core.testing.database import DEFAULT_PG, create_pg_database, drop_pg_database, pg_available

    base = os.environ.get("CRM_TEST_DATABASE_URL", "")
    base = base if base.startswith("postgresql") else DEFAULT_PG
    reason = pg_available(base)
    if reason:
        print(f"skipped: {reason}")
        yield None
        return
    name = f"crm_bench_{uuid.uuid4().hex[:10]}"
    url = create_pg_database(base, name)
    try:
        yield url
    finally:
        drop_pg_database(base, name)


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median ms, p95 ms) of ``repeat`` calls after three warm-up calls."""
    for _ in range(3):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20, method="inclusive")[-1]


def cpu_ms(call: Callable[[], Any], repeat: int) -> float:
    """Median CPU milliseconds of this process per call (Python's share of the work, however
    busy the host)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.process_time()
        call()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def measure(engine: Any, table: str, row_id: int, client: Any = None,
            repeat: int = 200) -> dict[str, tuple[float, ...]]:
    """The floors: ``{"SELECT 1": (median, p95), "pk read": …, "empty request": …}`` in ms."""
    found: dict[str, tuple[float, ...]] = {}
    with engine.connect() as conn:
        found["SELECT 1"] = timed(lambda: conn.execute(text("SELECT 1")).scalar(), repeat)
        pk = text(f"SELECT * FROM {table} WHERE id = :id")  # the bench's own table name
        found["pk read"] = timed(lambda: conn.execute(pk, {"id": row_id}).first(), repeat)
    if client is not None:
        def empty() -> None:
            response = client.get("/bench-floor-no-such-page")
            if response.status_code != 404:
                raise SystemExit(f"the floor request answered {response.status_code}")

        found["empty request"] = (*timed(empty, repeat), cpu_ms(empty, repeat))
    return found


def report(found: dict[str, tuple[float, ...]]) -> None:
    print(f"{'machine limits (same run)':45} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
    for label, figures in found.items():
        cpu = f"{figures[2]:8.2f}" if len(figures) > 2 else f"{'':8}"
        print(f"{label:45} {figures[0]:10.2f} {figures[1]:8.2f} {cpu}")
