"""The import part of the benchmark (CORE-11): rows per second and peak memory of a large import.

Runs the real path on the benchmark database: a semicolon-separated Windows-1252 file (the
spreadsheet export users send) is queued as an import job and run by the background thread of
:mod:`crm_core.importing.jobs` (own app context and session), polled like the progress page.
Every row is loaded through the session's marshmallow schema, checked for duplicates on the
session's import key (e-mail) against the owner's existing records, and written with its audit
row. The imported rows are deleted afterwards, so the table keeps its seeded size.
:func:`database_floor` times the database alone on the same rows, for comparison.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select, text

from bench import model
from bench.seed import ASCII, CITIES, COMPANY_A, COMPANY_B, FIRST, LAST, SUFFIX
from crm_core.db import session, unit_of_work
from crm_core.importing import jobs
from crm_core.importing.engine import CHUNK
from crm_core.models.audit import AuditEntry
from crm_core.models.imports import ImportJob
from crm_core.services import bulk

COLUMNS = ["name", "company", "email", "phone", "city"]


@dataclass
class ImportFigures:
    rows: int
    mode: str
    state: str
    created: int
    seconds: float
    peak_mb: float
    before_mb: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def make_file(rows: int, seed: int = 11) -> bytes:
    """A realistic contact file with a header, Spanish names and unique e-mails."""
    rnd = random.Random(seed)
    lines = ["Nombre;Empresa;Email;Teléfono;Ciudad"]
    for i in range(rows):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        company = f"{rnd.choice(COMPANY_A)} {rnd.choice(COMPANY_B)} {rnd.choice(SUFFIX)}"
        email = f"{first}.{last}.imp{i}@{company.split()[0]}.example".lower().translate(ASCII)
        lines.append(
            f"{first} {last} {rnd.choice(LAST)};{company};{email};+34 9{rnd.randrange(10**8):08d};{rnd.choice(CITIES)}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def rss_mb() -> float:
    """Resident memory of this process now (Linux ``/proc``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_import(app: Flask, user: Any, data: bytes, rows: int, mode: str) -> ImportFigures:
    """Queue and run one import job as ``user``; returns its figures and removes what it wrote."""
    table = model.BenchContact
    with app.app_context():
        with unit_of_work() as db:
            last_id = db.scalar(select(func.max(table.id))) or 0
            job = ImportJob(
                session_name=model.SESSION,
                user_id=user.id,
                filename="bench.csv",
                data=data,
                encoding="cp1252",
                separator=";",
                header=True,
                columns=COLUMNS,
                mode=mode,
                on_duplicate="skip",
                state="queued",
            )
            db.add(job)
        before = peak = rss_mb()
        started = time.perf_counter()
        jobs.start(job.id)
        while True:
            time.sleep(0.05)
            peak = max(peak, rss_mb())
            session().rollback()  # end the read transaction: a new snapshot sees the job's commits
            state = jobs.progress(session().get(ImportJob, job.id, populate_existing=True))
            if state["finished"]:
                break
        seconds = time.perf_counter() - started
        with unit_of_work() as db:
            db.execute(
                delete(AuditEntry).where(
                    AuditEntry.element_type == table.__element_type__, AuditEntry.element_id > last_id
                )
            )
            db.execute(delete(table).where(table.id > last_id))
            db.execute(delete(ImportJob).where(ImportJob.id == job.id))
    vacuum(app)
    return ImportFigures(rows, mode, state["state"], state["created"], seconds, peak, before)


def database_floor(app: Flask, user: Any, data: bytes) -> float:
    """Seconds the database alone takes for the file's rows: the same bulk writer the import
    uses, fed rows that are already parsed and complete (no schema, no audit, no duplicate
    index), in chunks of the import's size, then rolled back. What an import can approach."""
    plan = bulk.plan_for(model.BenchContact)
    lines = data.decode("cp1252").splitlines()[1:]
    fixed = {"owner_id": user.id, "creator_id": user.id}
    rows = [plan.complete(dict(zip(COLUMNS, line.split(";"), strict=True)) | fixed) for line in lines]
    with app.app_context():
        db = session()
        started = time.perf_counter()
        for first in range(0, len(rows), CHUNK):
            savepoint = db.begin_nested()
            bulk.insert_rows(db, plan, rows[first : first + CHUNK])
            savepoint.commit()
        seconds = time.perf_counter() - started
        db.rollback()
    vacuum(app)
    return seconds


def vacuum(app: Flask) -> None:
    """PostgreSQL: clean the deleted or rolled-back rows so that each run starts alike."""
    engine = app.extensions["crm_db"].engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM {model.BenchContact.__tablename__}, {AuditEntry.__tablename__}"))
