"""Imports into the real sales sessions, against the database's own floor (CORE-11, NF-01, issue 13).

The sessions are the sales plugin's ``leads``, ``contacts`` and ``opportunities``, with the
plugins that listen to them enabled (``sales``, ``activities``), so every hook, schema rule and
reference check of a real installation runs. For each session the target table is first topped
up to ``table_rows`` (bulk ``COPY``/``executemany``, no audit), then, in the same run:

* the **floor**: the rows the import will write (complete, already bound) go into the same
  table with the same indexes by a bare ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite),
  in one transaction that is rolled back;
* the **import**: a job run by :func:`crm_core.importing.jobs.run` as ``owner01`` (an Executive),
  in each mode, with duplicate check (e-mail), references (an account per contact, an account
  *code* per opportunity), audit rows and the plugins' hooks; its rows are deleted afterwards.

Measured per run: rows/s and its ratio to the floor, SQL statements and the time spent in them
(``COPY`` streams bypass the statement hooks: neither counted nor timed there), the process's
CPU seconds, peak resident memory (sampled every 20 ms by a thread; the process's own before the
job is shown).
"""

from __future__ import annotations

import cProfile
import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select, text

from bench import limits
from bench.import_bench import rss_mb
from bench.seed import ASCII, CITIES, COMPANY_A, COMPANY_B, FIRST, LAST, SUFFIX, ensure_owners
from crm_core.app import create_app
from crm_core.db import Base, session, unit_of_work
from crm_core.extensions import crm_state
from crm_core.importing import jobs
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import User
from crm_core.models.imports import ImportJob
from crm_core.services import bulk

SESSIONS = ("leads", "contacts", "opportunities")
PLUGINS = "sales,activities"
ACCOUNTS = 500
SEED_BATCH = 10_000


@dataclass
class Figures:
    """One import (or floor) run."""

    session_name: str
    mode: str
    rows: int
    seconds: float
    statements: int = 0
    sql_seconds: float = 0.0
    peak_mb: float = 0.0
    before_mb: float = 0.0
    state: str = "done"
    created: int = 0
    #: CPU seconds of this process (Python, the driver), less sensitive to a busy host than wall time.
    cpu_seconds: float = 0.0
    #: CPU seconds of the database's server processes (PostgreSQL on this machine), else 0.
    db_cpu_seconds: float = 0.0

    @property
    def cpu_per_row_ms(self) -> float:
        return (self.cpu_seconds + self.db_cpu_seconds) * 1000 / self.rows

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


@dataclass
class SessionResult:
    session_name: str
    table_rows: int
    import_rows: int
    floor: list[Figures] = field(default_factory=list)
    imports: dict[str, list[Figures]] = field(default_factory=dict)
    #: user → seconds of each :data:`SMALL_ROWS`-row import (an executive, an administrator).
    small: dict[str, list[float]] = field(default_factory=dict)


#: Rows of the small imports timed for an executive and an administrator (issue 13, target 3).
SMALL_ROWS = 20
SMALL_RUNS = 3

#: ``--import-profile DIR``: the first import of each session and mode runs under ``cProfile`` with
#: the process's CPU clock and its statistics go to ``DIR/<session>-<mode>.prof`` (that run's
#: figures then carry the profiler's cost: profile in a run of its own).
PROFILE_DIR: Path | None = None


def build_real_app(url: str) -> Flask:
    return create_app({
        "CRM_ENV": "development", "CRM_DATABASE_URL": url, "CRM_PLUGINS": PLUGINS,
        "CRM_SECRET_KEY": "benchmark-only-secret-key", "WTF_CSRF_ENABLED": False,
    })


# -- what each session's file and rows look like ---------------------------------------------

def _person(rnd: random.Random) -> tuple[str, str, str]:
    return rnd.choice(FIRST), rnd.choice(LAST), rnd.choice(LAST)


def _company(rnd: random.Random) -> str:
    return f"{rnd.choice(COMPANY_A)} {rnd.choice(COMPANY_B)} {rnd.choice(SUFFIX)}"


def _lead(i: int, rnd: random.Random, tag: str, accounts: list[tuple[int, str]]) -> tuple[list[str], dict[str, Any]]:
    first, last, last2 = _person(rnd)
    company = _company(rnd)
    email = f"{first}.{last}.{tag}{i}@{company.split()[0]}.example".lower().translate(ASCII)
    phone, city = f"+34 9{rnd.randrange(10**8):08d}", rnd.choice(CITIES)
    values = {"name": f"{first} {last} {last2}", "company": company, "email": email, "phone": phone, "city": city}
    return list(values.values()), values


def _contact(i: int, rnd: random.Random, tag: str, accounts: list[tuple[int, str]]) -> tuple[list[str], dict[str, Any]]:
    first, last, _last2 = _person(rnd)
    account_id, _code = rnd.choice(accounts)
    email = f"{first}.{last}.{tag}{i}@contact.example".lower().translate(ASCII)
    values = {"account_id": account_id, "first_name": first, "last_name": last, "email": email,
              "phone": f"+34 6{rnd.randrange(10**8):08d}", "position": rnd.choice(("CEO", "CFO", "Compras"))}
    return [str(v) for v in values.values()], values


def _opportunity(i: int, rnd: random.Random, tag: str,
                 accounts: list[tuple[int, str]]) -> tuple[list[str], dict[str, Any]]:
    account_id, code = rnd.choice(accounts)
    amount = Decimal(rnd.randrange(100_00, 500_000_00)) / 100
    close = date(2027, rnd.randrange(1, 13), rnd.randrange(1, 29))
    name = f"Pedido {tag}{i} {rnd.choice(COMPANY_B)}"
    cells = [name, code, f"{amount:.2f}".replace(".", ","), "EUR", close.strftime("%d/%m/%Y")]
    values = {"name": name, "account_id": account_id, "amount": amount, "currency": "EUR",
              "expected_close": close, "stage": "prospecting"}
    return cells, values


def _account(i: int, rnd: random.Random, tag: str, accounts: list[tuple[int, str]]) -> tuple[list[str], dict[str, Any]]:
    code, name, city = f"A{tag}{i}", _company(rnd), rnd.choice(CITIES)
    values = {"code": code, "name": name, "city": city, "phone": f"+34 9{rnd.randrange(10**8):08d}"}
    return list(values.values()), values


#: session → (file header, import columns, row maker)
CASES: dict[str, tuple[list[str], list[str], Callable[..., tuple[list[str], dict[str, Any]]]]] = {
    "leads": (["Nombre", "Empresa", "Email", "Teléfono", "Ciudad"], ["name", "company", "email", "phone", "city"],
              _lead),
    "contacts": (["Cuenta", "Nombre", "Apellidos", "Email", "Teléfono", "Cargo"],
                 ["account_id", "first_name", "last_name", "email", "phone", "position"], _contact),
    "opportunities": (["Nombre", "Código de cuenta", "Importe", "Moneda", "Cierre previsto"],
                      ["name", "account_code", "amount", "currency", "expected_close"], _opportunity),
    "accounts": (["Código", "Nombre", "Ciudad", "Teléfono"], ["code", "name", "city", "phone"], _account),
}


def make_rows(session_name: str, n: int, accounts: list[tuple[int, str]], tag: str,
              seed: int = 11) -> Iterator[tuple[list[str], dict[str, Any]]]:
    rnd = random.Random(seed)
    maker = CASES[session_name][2]
    for i in range(n):
        yield maker(i, rnd, tag, accounts)


def make_file(session_name: str, rows: list[list[str]]) -> bytes:
    """A semicolon-separated Windows-1252 file with a header, as a spreadsheet exports it."""
    lines = [";".join(CASES[session_name][0])] + [";".join(cells) for cells in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# -- preparing the database ------------------------------------------------------------------

def prepare(app: Flask, password_hash: str) -> tuple[User, list[tuple[int, str]]]:
    """Migrate, default groups, the 20 owners, an administrator ``benchadmin``, and ``ACCOUNTS``
    accounts of owner01 (BNCH-nnnn)."""
    from crm_core.bootstrap import ensure_groups
    from crm_core.migrate import upgrade

    upgrade(app)
    engine = app.extensions["crm_db"].engine
    with app.app_context():
        with unit_of_work() as db:
            ensure_groups(db, crm_state().registry)
        owners = ensure_owners(engine, password_hash)
        ensure_admin(password_hash)
        sdef = crm_state().registry.sdef("accounts")
        with unit_of_work() as db:
            have = set(db.scalars(select(sdef.model.code).where(sdef.model.code.like("BNCH-%"))))
            plan = bulk.plan_for(sdef.model)
            rows = [_fixed(sdef, owners[0]) | {"code": f"BNCH-{n:04d}", "name": f"Cuenta {n}"}
                    for n in range(ACCOUNTS) if f"BNCH-{n:04d}" not in have]
            bulk.insert_rows(db, plan, [plan.complete(r) for r in rows])
            accounts = list(db.execute(select(sdef.model.id, sdef.model.code).where(
                sdef.model.code.like("BNCH-%"), sdef.model.owner_id == owners[0]).order_by(sdef.model.id)))
            user = db.get(User, owners[0])
    return user, [(pk, code) for pk, code in accounts]


def ensure_admin(password_hash: str) -> User:
    """The administrator ``benchadmin`` (sees every record), created once."""
    from crm_core.models.auth import Group

    with unit_of_work() as db:
        admin = db.scalar(select(User).where(User.username == "benchadmin"))
        if admin is None:
            group = db.scalar(select(Group).where(Group.name == "Administrators"))
            admin = User(username="benchadmin", full_name="Bench Admin", email="benchadmin@bench.example",
                         password_hash=password_hash, is_admin=True, group_id=group.id)
            db.add(admin)
    return admin


def _fixed(sdef: Any, owner_id: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {**dict(sdef.where), "owner_id": owner_id, "creator_id": owner_id, "created_at": now, "updated_at": now}


def top_up(app: Flask, session_name: str, table_rows: int, accounts: list[tuple[int, str]]) -> float:
    """Fill the session's table up to ``table_rows`` rows spread over the 20 owners; seconds taken."""
    with app.app_context():
        sdef = crm_state().registry.sdef(session_name)
        plan = bulk.plan_for(sdef.model)
        with unit_of_work() as db:
            have = db.scalar(select(func.count()).select_from(sdef.model)) or 0
            owners = list(db.scalars(select(User.id).where(User.username.like("owner%")).order_by(User.id)))
        missing = table_rows - have
        if missing <= 0:
            return 0.0
        started = time.perf_counter()
        batch: list[dict[str, Any]] = []
        for i, (_cells, values) in enumerate(make_rows(session_name, missing, accounts, f"s{have}x", seed=have + 3)):
            batch.append(plan.complete(_fixed(sdef, owners[i % len(owners)]) | values))
            if len(batch) == SEED_BATCH:
                with unit_of_work() as db:
                    bulk.insert_rows(db, plan, batch)
                batch = []
        with unit_of_work() as db:
            bulk.insert_rows(db, plan, batch)
        analyze(app)
        return time.perf_counter() - started


def analyze(app: Flask) -> None:
    engine = app.extensions["crm_db"].engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


# -- the measurements -------------------------------------------------------------------------

class _Sampler:
    """Peak resident memory while a block runs, sampled by a thread."""

    def __enter__(self) -> _Sampler:
        self.before = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *_exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def machine_limits(app: Flask, session_name: str) -> dict[str, tuple[float, ...]]:
    """The machine's limits now (bench/limits.py): a round trip and a primary-key read of the
    session's table, median and p95 ms."""
    with app.app_context():
        sdef = crm_state().registry.sdef(session_name)
        with unit_of_work() as db:
            row_id = db.scalar(select(func.min(sdef.model.id))) or 0
    return limits.measure(app.extensions["crm_db"].engine, sdef.model.__tablename__, row_id)


def db_cpu(app: Flask) -> float:
    """CPU seconds used so far by the server processes of this database (PostgreSQL on this
    machine, read from ``/proc``); 0 elsewhere. The difference around a run is its server CPU."""
    engine = app.extensions["crm_db"].engine
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        pids = list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def floor(app: Flask, session_name: str, user: User, values: list[dict[str, Any]]) -> Figures:
    """A bare COPY (PostgreSQL) / executemany (SQLite) of the rows the import writes, rolled back."""
    with app.app_context():
        sdef = crm_state().registry.sdef(session_name)
        plan = bulk.plan_for(sdef.model)
        rows = [plan.complete(_fixed(sdef, user.id) | v) for v in values]
        db = session()
        conn = db.connection()
        keys = tuple(rows[0])
        first = (db.scalar(select(func.max(plan.pk))) or 0) + 1_000_000
        records = list(bulk._records(conn, plan, keys, list(range(first, first + len(rows))), rows))
        target = bulk._target(conn, plan, keys)
        raw = conn.connection.driver_connection
        server = db_cpu(app)
        started, cpu = time.perf_counter(), time.process_time()
        if conn.dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        else:
            marks = ", ".join("?" * len(records[0]))
            raw.cursor().executemany(f"INSERT INTO {target} VALUES ({marks})", records)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = db_cpu(app) - server
        db.rollback()
    return Figures(session_name, "floor", len(rows), seconds, cpu_seconds=cpu, db_cpu_seconds=server)


def run_import(app: Flask, session_name: str, user: User, data: bytes, rows: int, mode: str, counter: Any) -> Figures:
    """One import job run in this thread (statements counted exactly); its rows are removed after."""
    columns = CASES[session_name][1]
    with app.app_context():
        sdef = crm_state().registry.sdef(session_name)
        model = sdef.model
        with unit_of_work() as db:
            last_id = db.scalar(select(func.max(model.id))) or 0
            job = ImportJob(session_name=session_name, user_id=user.id, filename="bench.csv", data=data,
                            encoding="cp1252", separator=";", header=True, columns=columns, mode=mode,
                            on_duplicate="skip", state="queued")
            db.add(job)
        counter.count, counter.seconds = 0, 0.0
        server = db_cpu(app)
        profile = _profile_path(session_name, mode, rows)
        with _Sampler() as memory:
            started, cpu = time.perf_counter(), time.process_time()
            if profile is None:
                jobs.run(job.id)
            else:
                profiler = cProfile.Profile(time.process_time)
                profiler.runcall(jobs.run, job.id)
                profiler.dump_stats(profile)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = db_cpu(app) - server
        statements, in_sql = counter.count, counter.seconds
        session().expire_all()
        done = session().get(ImportJob, job.id)
        state, created = done.state, done.created
        with unit_of_work() as db:
            db.execute(delete(AuditEntry).where(AuditEntry.element_type == model.__element_type__,
                                                AuditEntry.element_id > last_id))
            for table, fk in _referring(model.__table__):  # what the plugins' hooks wrote (stage history …)
                db.execute(delete(table).where(fk > last_id))
            db.execute(delete(model).where(model.id > last_id))
            db.execute(delete(ImportJob).where(ImportJob.id == job.id))
    vacuum(app, model.__tablename__)
    return Figures(session_name, mode, rows, seconds, statements, in_sql, memory.peak, memory.before, state, created,
                   cpu, server)


def _profile_path(session_name: str, mode: str, rows: int) -> Path | None:
    """Where this import's profile goes, if it is the first of its session and mode (not the small ones)."""
    if PROFILE_DIR is None or rows == SMALL_ROWS:
        return None
    path = PROFILE_DIR / f"{session_name}-{mode}.prof"
    if path.exists():
        return None
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    return path


def _referring(target: Any) -> list[tuple[Any, Any]]:
    """``(table, column)`` of every foreign key to ``target``."""
    return [(table, fk.parent) for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table is target]


def vacuum(app: Flask, table: str) -> None:
    engine = app.extensions["crm_db"].engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM {table}, {AuditEntry.__tablename__}"))


def measure_session(app: Flask, session_name: str, user: User, accounts: list[tuple[int, str]], table_rows: int,
                    import_rows: int, runs: int, modes: tuple[str, ...], counter: Any) -> SessionResult:
    made = list(make_rows(session_name, import_rows, accounts, "imp"))
    data = make_file(session_name, [cells for cells, _values in made])
    values = [v for _cells, v in made]
    del made
    result = SessionResult(session_name, table_rows, import_rows)
    for _run in range(runs):
        result.floor.append(floor(app, session_name, user, values))
        for mode in modes:
            figures = run_import(app, session_name, user, data, import_rows, mode, counter)
            if figures.state != "done" or figures.created != import_rows:
                raise SystemExit(f"{session_name} import ({mode}) ended {figures.state} with {figures.created} "
                                 f"of {import_rows} rows created")
            result.imports.setdefault(mode, []).append(figures)
    small = make_file(session_name, [cells for cells, _v in make_rows(session_name, SMALL_ROWS, accounts, "small")])
    with app.app_context():
        admin = session().scalar(select(User).where(User.username == "benchadmin"))
    for who in (user, admin):
        for _run in range(SMALL_RUNS):
            figures = run_import(app, session_name, who, small, SMALL_ROWS, "all", counter)
            result.small.setdefault(who.username, []).append(figures.seconds)
    return result


def report(result: SessionResult) -> dict[str, Any]:
    """Print one session's figures; return them for the JSON file.

    Two ratios to the floor: rows per wall second (what a user waits; moves with the host's load)
    and CPU per row, this process plus the database server's (what the work costs; steadier on a
    shared host)."""
    floor_rate = statistics.median(f.rate for f in result.floor)
    floor_cpu = statistics.median(f.cpu_per_row_ms for f in result.floor)
    print(f"\n{result.session_name}: {result.import_rows:,} rows into a table of {result.table_rows:,}; floor "
          f"{floor_rate:,.0f} rows/s ({' / '.join(f'{f.rate:,.0f}' for f in result.floor)}), "
          f"{floor_cpu:.3f} CPU ms/row")
    print(f"{'mode':6} {'rows/s':>8} {'× floor':>8} {'runs rows/s':>22} {'CPU ms/row':>11} {'× floor':>8} "
          f"{'py+db CPU s':>12} {'SQL':>5} {'in SQL s':>9} {'peak RSS MB':>12}")
    out: dict[str, Any] = {"session": result.session_name, "table_rows": result.table_rows,
                           "import_rows": result.import_rows, "floor_rows_per_s": floor_rate,
                           "floor_cpu_ms_per_row": floor_cpu, "floor_runs": [asdict(f) for f in result.floor],
                           "modes": {}}
    for mode, runs in result.imports.items():
        rate = statistics.median(f.rate for f in runs)
        cpu_row = statistics.median(f.cpu_per_row_ms for f in runs)
        mid = sorted(runs, key=lambda f: f.rate)[len(runs) // 2]
        peak = max(f.peak_mb for f in runs)
        print(f"{mode:6} {rate:8,.0f} {rate / floor_rate:8.2f} {' / '.join(f'{f.rate:,.0f}' for f in runs):>22} "
              f"{cpu_row:11.3f} {floor_cpu / cpu_row:8.2f} {mid.cpu_seconds:5.1f}+{mid.db_cpu_seconds:<6.1f} "
              f"{mid.statements:5,d} {mid.sql_seconds:9.1f} {peak:7.0f} ({min(f.before_mb for f in runs):.0f})")
        out["modes"][mode] = {"rows_per_s": rate, "ratio_to_floor": rate / floor_rate, "cpu_ms_per_row": cpu_row,
                              "cpu_ratio_to_floor": floor_cpu / cpu_row, "peak_rss_mb": peak,
                              "statements": mid.statements, "runs": [asdict(f) for f in runs]}
    for who, seconds in result.small.items():
        print(f"{SMALL_ROWS}-row import as {who}: median {statistics.median(seconds):.2f} s "
              f"({' / '.join(f'{s:.2f}' for s in seconds)})")
    out["small_imports_s"] = result.small
    return out
