"""Running an import job off the request thread and reporting its progress (CORE-11).

A 100,000-row file takes longer than a web request may, so the mapping screen queues the job
and a thread with its own app context and database session runs it. Any web process may
serve the progress page, so the counters are stored in the job row after each chunk:
"valid rows" jobs commit them with the chunk's rows (the job row always says exactly which
lines were written); an all-or-nothing import keeps its one transaction open, so its counters
are written by :func:`publish` in a short transaction of their own on another connection,
visible while the import's transaction is still open. SQLite allows one writer at a time and the
import holds it, so there the counters also live in :data:`LIVE` (this process only; SQLite is
the one-process embedded set-up). ``CRM_IMPORT_CHUNK_ROWS`` sets the rows per chunk; with
``CRM_IMPORT_INLINE`` (default: on when testing) the job runs inside the request instead.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import LargeBinary, func, select, update
from sqlalchemy.orm import object_session

from crm_core.db import get_db, session, unit_of_work
from crm_core.errors import CrmError
from crm_core.extensions import crm_state
from crm_core.importing import report as import_report
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportResult, ImportSpec
from crm_core.importing.reader import checked_codec, open_text
from crm_core.models.auth import User
from crm_core.models.imports import ImportJob
from crm_core.models.types import utcnow
from crm_core.security.access import load_access
from crm_core.services import background

#: job id → counters of the jobs running in this process.
LIVE: dict[int, dict[str, Any]] = {}
_LIVE_LOCK = threading.Lock()
#: bytes of the stored file read per statement when it is spooled to a temporary file.
SPOOL_PIECE = 4 << 20


def start(job_id: int) -> None:
    """Run the queued job in a background thread (or inline when ``CRM_IMPORT_INLINE``)."""
    background.start_job("import", job_id, run, _crashed, "CRM_IMPORT_INLINE")


def _crashed(job_id: int) -> None:
    _finish(job_id, None, _("The import stopped because of an internal error."))


def progress(job: ImportJob) -> dict[str, Any]:
    """The job's counters: live ones while it runs in this process, else the stored ones."""
    with _LIVE_LOCK:
        live = LIVE.get(job.id)
    return job.progress() | (live or {})


def run(job_id: int) -> None:
    """Run one queued job to the end in the current app context."""
    db = session()
    job = db.get(ImportJob, job_id)
    if job is None or job.state != "queued":
        return
    user = db.get(User, job.user_id)
    with unit_of_work():
        job.state, job.beat_at = "running", utcnow()
    spec = ImportSpec(tuple(job.columns), job.separator, job.header, job.mode, job.on_duplicate)
    sdef = crm_state().registry.sdef(job.session_name)

    def on_chunk(result: ImportResult) -> None:
        with _LIVE_LOCK:
            LIVE[job_id] = result.counts() | {"state": "running"}
        if spec.mode == "valid":  # same transaction as the chunk's rows: counters never lie
            _store(job, result, report=False)  # the report once, at the end: rewriting it per
            job.beat_at = utcnow()             # chunk grew with the square of the file's errors
        else:
            publish(job_id, result.counts() | {"beat_at": utcnow()})

    with force_locale(user.language or current_app.config["CRM_DEFAULT_LANGUAGE"]), spooled(job_id) as path:
        try:
            codec = checked_codec(path, job.encoding)
            access = load_access(db, user, crm_state().row_filters)
            text = partial(open_text, path, codec)
            result = run_import(sdef, access, text, spec, on_chunk, current_app.config["CRM_IMPORT_CHUNK_ROWS"])
        except CrmError as exc:
            _finish(job_id, None, str(exc))
            return
        if result.committed:
            message = _("Import finished.")
        else:
            message = _("Nothing was written: %(n)d lines have errors.", n=result.failed)
        try:
            _finish(job_id, result, message)
        finally:
            if result.report is not None:
                result.report.close()


@contextmanager
def spooled(job_id: int) -> Iterator[Path]:
    """The job's stored file copied to a temporary file :data:`SPOOL_PIECE` bytes at a time
    (``substr`` of the column on both databases), removed afterwards: the import reads it as a
    stream, and never holds the whole file (issue 13 target 2)."""
    column = ImportJob.__table__.c.data
    with tempfile.TemporaryDirectory(prefix="crm-import-") as folder:
        path = Path(folder) / f"job-{job_id}"
        db = session()
        with path.open("wb") as out:
            size = db.scalar(select(func.length(column)).where(ImportJob.__table__.c.id == job_id)) or 0
            for start in range(0, size, SPOOL_PIECE):
                piece = func.substr(column, start + 1, SPOOL_PIECE, type_=LargeBinary)
                out.write(db.scalar(select(piece).where(ImportJob.__table__.c.id == job_id)) or b"")
        yield path


def publish(job_id: int, counts: dict[str, Any]) -> None:
    """Store a running job's counters in a short transaction on a connection of its own, so every
    web process sees them while the import's own transaction is still open (not on SQLite,
    whose single writer is the import itself: there :data:`LIVE` serves this process).
    Skipped, without waiting, while another transaction holds the job row."""
    engine = get_db().engine
    if engine.dialect.name == "sqlite":
        return
    table = ImportJob.__table__
    # Never wait for a lock on the job row: a progress write that would wait (the row is held by
    # a transaction still open — the import's own, when a caller wrapped it in an outer one) is
    # skipped; the counters are stored for good when the job finishes.
    free = select(table.c.id).where(table.c.id == job_id).with_for_update(skip_locked=True).scalar_subquery()
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id.in_(free)).values(**counts))


def _store(job: ImportJob, result: ImportResult, report: bool = True) -> None:
    """The result's counters and written lines into the job row; with ``report`` also the
    per-line report (errors and skips) into ``crm_import_line``, copied from the spool in batches
    once, when the job finishes (:func:`crm_core.importing.report.store`)."""
    for key, value in result.counts().items():
        setattr(job, key, value)
    if report:
        db = object_session(job)
        assert db is not None
        import_report.store(db, job.id, result.report_lines())
    job.written = result.written_ranges()


def _finish(job_id: int, result: ImportResult | None, message: str) -> None:
    with _LIVE_LOCK:
        LIVE.pop(job_id, None)
    with unit_of_work() as db:
        job = db.get(ImportJob, job_id)
        if job is None:
            return
        if result is not None:
            _store(job, result)
        job.state = "done" if result is not None else "failed"
        job.message = message
        job.data = None  # the file is not kept once imported
        job.finished_at = utcnow()
