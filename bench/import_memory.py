"""Peak memory of a real leads import at scale, against the file and the table size (issue 13
target 2, CORE-11, NF-01).

The issue's target: the import's peak resident memory stays ≤ 300 MB whatever the table size
(1M and 5M leads) and the file size (100k and 1M lines), on PostgreSQL, with the plugins the
real installation loads (``sales``, ``activities``). For each table size the leads table is
topped up by bulk ``COPY`` (:func:`bench.real_import.top_up`), then for each file size:

* a semicolon-separated Windows-1252 file of N unique leads is written and stored as a queued
  import job (as the upload does);
* the **floor**: the same rows, complete and bound, by one bare ``COPY`` into the same table,
  rolled back (:func:`bench.real_import.floor`);
* the **import**: a fresh Python process (``python -m bench.import_memory --child JOB``) that
  starts the app and runs the job (:func:`crm_core.importing.jobs.run`), and reports its peak
  resident memory (``VmHWM`` of ``/proc/self/status``) after starting the app and after the
  job, and the job's wall and CPU time. Not ``ru_maxrss``: on Linux a process started by
  ``fork`` + ``exec`` inherits its parent's high-water mark there (this parent holds the rows of
  the floor: 287 MB reported for a child that had used 171); ``os.wait4``'s figure is kept in
  the JSON file for comparison.

With ``--bad-lines`` every line of the file is refused instead (the job reads the
semicolon-separated file with a comma, as a wrong separator chosen on the form does): no floor,
no row written, and the per-line report holds one line per file line — the case where keeping
the report in memory grew with the file.

The imported rows are then deleted. Figures are printed and written to a JSON file with the
load average before and after each run::

    python -m bench.import_memory --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crm_wpmem \\
        --table-rows 1000000,5000000 --file-rows 100000,1000000
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text

from bench import real_import
from crm_core.db import session, unit_of_work
from crm_core.extensions import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.imports import ImportJob

SESSION = "leads"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/crm_wpmem"


def _child(url: str, job_id: int, profile: str = "") -> None:
    """Run one job in this fresh process; print what it cost as one JSON line. ``profile``: run it
    under ``cProfile`` and write the statistics to that file (wall and CPU then include the
    profiler's cost)."""
    from crm_core.importing import jobs

    app = real_import.build_real_app(url)
    with app.app_context():
        before, rss = peak_mb(), peak_mb("VmRSS")
        server = real_import.db_cpu(app)
        profiler = cProfile.Profile() if profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.runcall(jobs.run, job_id)
            profiler.dump_stats(profile)
        else:
            jobs.run(job_id)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # the server processes of this process's connections, still open in its pool (read by
        # the parent after this process ends they are gone, and the figure was 0)
        server = real_import.db_cpu(app) - server
        done = session().get(ImportJob, job_id)
        print(json.dumps({"before_mb": before, "rss_before_mb": rss, "peak_mb": peak_mb(), "seconds": seconds,
                          "cpu_seconds": cpu, "db_cpu_seconds": server, "state": done.state,
                          "created": done.created, "failed": done.failed}))


def peak_mb(field: str = "VmHWM") -> float:
    """This process's peak resident memory so far (``VmHWM``; ``VmRSS``: now), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _import(app: Any, url: str, user: Any, path: Path, rows: int, mode: str, profile: str = "",
            bad: bool = False) -> dict[str, Any]:
    """Queue the file as a job, run it in a child process, measure, remove what it wrote. ``bad``:
    the job reads the file with the wrong separator, so every line is refused."""
    columns = real_import.CASES[SESSION][1]
    with app.app_context():
        model = crm_state().registry.sdef(SESSION).model
        with unit_of_work() as db:
            last_id = db.scalar(select(func.max(model.id))) or 0
            job = ImportJob(session_name=SESSION, user_id=user.id, filename=path.name, data=path.read_bytes(),
                            encoding="cp1252", separator="," if bad else ";", header=True, columns=columns, mode=mode,
                            on_duplicate="skip", state="queued")
            db.add(job)
        job_id = job.id
    load_before = os.getloadavg()
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bench.import_memory", "--database-url", url,
                              "--child", str(job_id), "--profile", profile], stdout=subprocess.PIPE)
    assert child.stdout is not None
    out = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"the import process ended with {child.returncode}")
    figures = json.loads(out.decode().strip().splitlines()[-1])
    figures |= {"mode": mode, "rows": rows, "wait4_maxrss_mb": usage.ru_maxrss / 1024, "process_seconds": wall,
                "child_cpu_seconds": usage.ru_utime + usage.ru_stime,
                "load_before": load_before, "load_after": os.getloadavg()}
    expected = (0, rows) if bad else (rows, 0)
    if figures["state"] != "done" or (figures["created"], figures["failed"]) != expected:
        raise SystemExit(f"import ended {figures['state']} with {figures['created']} of {rows} rows created,"
                         f" {figures['failed']} refused")
    with app.app_context(), unit_of_work() as db:
        db.execute(delete(AuditEntry).where(AuditEntry.element_type == model.__element_type__,
                                            AuditEntry.element_id > last_id))
        for table, fk in real_import._referring(model.__table__):
            db.execute(delete(table).where(fk > last_id))
        db.execute(delete(model).where(model.id > last_id))
        db.execute(delete(ImportJob).where(ImportJob.id == job_id))
    real_import.vacuum(app, model.__tablename__)
    return figures


def grow(app: Any, table_rows: int) -> float:
    """PostgreSQL: grow the leads table to ``table_rows`` by copying its own rows inside the
    server (``INSERT … SELECT``, 1,000,000 rows a statement, a new ``uid`` and a distinct e-mail
    each, doubling while it is small), much faster than generating them in Python; seconds taken.
    SQLite and an empty table are left to :func:`bench.real_import.top_up`."""
    engine = app.extensions["crm_db"].engine
    if engine.dialect.name != "postgresql":
        return 0.0
    with app.app_context():
        table = crm_state().registry.sdef(SESSION).model.__table__
    names = [c.name for c in table.columns if c.name != "id"]
    values = [{"uid": "gen_random_uuid()::text", "email": "'g' || id || '.' || email"}.get(n, n) for n in names]
    started = time.perf_counter()
    with engine.connect() as conn:
        have = conn.scalar(text(f"SELECT count(*) FROM {table.name}"))
        low = conn.scalar(text(f"SELECT min(id) FROM {table.name}")) or 0
        if not have or have >= table_rows:
            return 0.0
        # The secondary indexes are built again after the copy: a trigram GIN and five covering
        # btrees maintained row by row let it run at ~4,000 rows/s on this machine.
        rebuild = list(conn.scalars(text(
            "SELECT i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = :t AND NOT x.indisprimary "
            "AND NOT x.indisunique"), {"t": table.name}))
        for definition in rebuild:
            conn.execute(text(f"DROP INDEX {definition.split(' INDEX ', 1)[1].split(' ON ', 1)[0]}"))
        conn.commit()
        while have < table_rows:
            n = min(table_rows - have, have, 1_000_000)
            conn.execute(text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} "
                              f"FROM {table.name} WHERE id >= :low ORDER BY id LIMIT :n"), {"low": low, "n": n})
            conn.commit()
            have += n
            print(f"(grown to {have:,} leads, {time.perf_counter() - started:.0f} s)", flush=True)
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for definition in rebuild:
            conn.execute(text(definition))
            conn.commit()
        print(f"({len(rebuild)} indexes built again, {time.perf_counter() - started:.0f} s)", flush=True)
    real_import.analyze(app)
    return time.perf_counter() - started


def _bad_line(table_rows: int, file_rows: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the all-bad-lines imports: no floor, lines refused per second."""
    rate = statistics.median(r["rows"] / r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    print(f"{table_rows:>10,} {file_rows:>10,} {runs[0]['mode']:>5} {'(bad)':>9} {rate:>9,.0f} {'':>6} {'':>9} "
          f"{'':>8} {'':>8} {'':>6} {peak:>8.0f} {min(r['before_mb'] for r in runs):>7.0f}", flush=True)
    return {"table_rows": table_rows, "file_rows": file_rows, "bad_lines": True, "lines_per_s_median": rate,
            "peak_rss_mb": peak, "runs": runs}


def _line(table_rows: int, file_rows: int, floor: Any, runs: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [r["rows"] / r["seconds"] for r in runs]
    cpu = [(r["cpu_seconds"] + r["db_cpu_seconds"]) * 1000 / r["rows"] for r in runs]
    rate, cpu_row = statistics.median(rates), statistics.median(cpu)
    p95 = sorted(rates)[max(0, round(0.05 * (len(rates) - 1)))]  # the slowest 5 %: lowest rate
    peak = max(r["peak_mb"] for r in runs)
    load = [r["load_before"][0] for r in runs] + [r["load_after"][0] for r in runs]
    print(f"{table_rows:>10,} {file_rows:>10,} {runs[0]['mode']:>5} {floor.rate:>9,.0f} {rate:>9,.0f} "
          f"{rate / floor.rate:>6.2f} {p95:>9,.0f} {floor.cpu_per_row_ms:>8.3f} {cpu_row:>8.3f} "
          f"{floor.cpu_per_row_ms / cpu_row:>6.2f} {peak:>8.0f} {min(r['before_mb'] for r in runs):>7.0f} "
          f"{min(load):>5.1f}–{max(load):<5.1f}", flush=True)
    return {"table_rows": table_rows, "file_rows": file_rows, "floor_rows_per_s": floor.rate,
            "floor_cpu_ms_per_row": floor.cpu_per_row_ms, "rows_per_s_median": rate, "rows_per_s_p95": p95,
            "ratio_to_floor": rate / floor.rate, "cpu_ms_per_row": cpu_row,
            "cpu_ratio_to_floor": floor.cpu_per_row_ms / cpu_row, "peak_rss_mb": peak, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_memory", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--table-rows", default="1000000", help="leads in the table, comma-separated sizes")
    parser.add_argument("--file-rows", default="100000", help="lines of the file, comma-separated sizes")
    parser.add_argument("--modes", default="all", help="import modes (default all)")
    parser.add_argument("--runs", type=int, default=1, help="imports per size and mode (median, p95)")
    parser.add_argument("--json", default="bench/results/import_memory.json")
    parser.add_argument("--profile", default="", help="cProfile statistics of the (first) import to this file")
    parser.add_argument("--bad-lines", action="store_true", help="every line refused (wrong separator), no floor")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.database_url, args.child, args.profile)
        return
    from crm_core.security.passwords import hash_password

    app = real_import.build_real_app(args.database_url)
    user, accounts = real_import.prepare(app, hash_password("bench-password-1"))
    out: dict[str, Any] = {"machine": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                           "python": platform.python_version(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                           "results": []}
    print(f"{'table':>10} {'file':>10} {'mode':>5} {'floor r/s':>9} {'rows/s':>9} {'×floor':>6} {'p95 r/s':>9} "
          f"{'floorCPU':>8} {'CPU ms/r':>8} {'×floor':>6} {'peak MB':>8} {'boot MB':>7} {'load':>11}")
    for table_rows in (int(n) for n in args.table_rows.split(",")):
        seeded = grow(app, table_rows) + real_import.top_up(app, SESSION, table_rows, accounts)
        if seeded:
            print(f"(seeded to {table_rows:,} leads in {seeded:.0f} s)", flush=True)
        for file_rows in (int(n) for n in args.file_rows.split(",")):
            made = list(real_import.make_rows(SESSION, file_rows, accounts, f"mem{file_rows}"))
            path = Path(f"/tmp/crm-import-memory-{os.getpid()}-{file_rows}.csv")
            path.write_bytes(real_import.make_file(SESSION, [cells for cells, _v in made]))
            floor = None if args.bad_lines else real_import.floor(app, SESSION, user, [v for _c, v in made])
            del made
            for mode in args.modes.split(","):
                runs = [_import(app, args.database_url, user, path, file_rows, mode, args.profile if not n else "",
                                args.bad_lines) for n in range(args.runs)]
                out["results"].append(_bad_line(table_rows, file_rows, runs) if floor is None
                                      else _line(table_rows, file_rows, floor, runs))
            path.unlink()
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
