"""An import's per-line report, flat in memory whatever the number of bad lines (CORE-11, NF-01,
issue 13 target 2).

While the import runs, each chunk's report lines (refused lines and skipped duplicates) are
written to a :class:`ReportSpool` — a temporary file once it passes :data:`SPOOL_MEMORY` bytes —
in the report's order (line, field, reason), so the engine holds a chunk's lines, never the
file's. When the job finishes, :func:`store` copies the spool into ``crm_import_line`` in
batches of :data:`BATCH` rows, in the transaction that marks the job done; the screen and the
API read the first lines with ``LIMIT`` (:func:`first_lines`, :func:`count`) and the CSV
downloads page through every line by the primary key (:func:`every_line`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session as DbSession

from crm_core.models.imports import ImportLine

#: ``(line, field, reason, kind)``; ``kind`` is :data:`crm_core.models.imports.ERROR` or ``SKIP``.
ReportLine = tuple[int, str, str, str]
#: bytes of report kept in memory before the spool moves to a temporary file.
SPOOL_MEMORY = 1 << 20
#: rows per insert when the report is stored, and per query when it is read back.
BATCH = 1_000


class ReportSpool:
    """Report lines appended as UTF-8 JSON lines to a spooled temporary file (bytes: in memory
    the size is the text's, not four bytes a character), read back in order."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY, prefix="crm-import-report-")  # noqa: SIM115
        self.lines = 0

    def add(self, lines: Iterable[ReportLine]) -> None:
        for entry in lines:
            self._file.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
            self.lines += 1

    def __iter__(self) -> Iterator[ReportLine]:
        """Every line added so far, in the order added (do not add while iterating)."""
        self._file.seek(0)
        try:
            for text in iter(self._file.readline, b""):
                line, name, reason, kind = json.loads(text)
                yield line, name, reason, kind
        finally:
            self._file.seek(0, 2)  # the next lines go after the last one

    def close(self) -> None:
        self._file.close()


def store(db: DbSession, job_id: int, lines: Iterable[ReportLine]) -> None:
    """Insert the report of a job, :data:`BATCH` rows per statement (``seq`` keeps its order)."""
    numbered = enumerate(lines)
    while batch := list(islice(numbered, BATCH)):
        db.execute(insert(ImportLine.__table__), [
            {"job_id": job_id, "seq": seq, "line": line, "field": name, "reason": reason, "kind": kind}
            for seq, (line, name, reason, kind) in batch
        ])


def _lines(job_id: int) -> Any:
    return select(ImportLine.seq, ImportLine.line, ImportLine.field, ImportLine.reason).where(
        ImportLine.job_id == job_id).order_by(ImportLine.seq)


def first_lines(db: DbSession, job_id: int, limit: int) -> list[tuple[int, str, str]]:
    """The first ``limit`` ``(line, field, reason)`` of a job's report."""
    return [(line, name, reason) for _seq, line, name, reason in db.execute(_lines(job_id).limit(limit))]


def count(db: DbSession, job_id: int) -> int:
    return db.scalar(select(func.count()).select_from(ImportLine).where(ImportLine.job_id == job_id)) or 0


def every_line(db: DbSession, job_id: int) -> Iterator[tuple[int, str, str]]:
    """Every ``(line, field, reason)`` of a job's report in order, read :data:`BATCH` rows per
    query by the primary key: no query stays open while a slow client downloads."""
    after = -1
    while rows := db.execute(_lines(job_id).where(ImportLine.seq > after).limit(BATCH)).all():
        for _seq, line, name, reason in rows:
            yield line, name, reason
        after = rows[-1][0]
