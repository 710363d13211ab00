"""The core's own stores of personal data (CORE-21): notes and their files, outbox messages, the
files and error reports of imports. Each has a ``*_of(db, plan)`` finding the rows about the
client and an ``erase_*`` anonymising them; the core's hookimpls (:mod:`crm_core.privacy.hooks`)
and plugins holding outbox topics (``privacy.outbox_messages``) use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import LargeBinary, literal, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import object_session

from crm_core.models.imports import ImportJob, ImportLine
from crm_core.models.notes import Note
from crm_core.models.outbox import OutboxMessage
from crm_core.privacy.plan import ERASED, ErasurePlan

#: Outbox states a worker would still deliver: an erased message is cancelled instead.
UNDELIVERED = ("pending", "sending", "failed")
#: Encodings stored files are searched in besides their own (a file's bytes, not its text).
FILE_ENCODINGS = ("utf-8", "cp1252")


def _in_blob(column: Any, plan: ErasurePlan) -> Any:
    """SQL: a stored file holds one of the values, byte for byte (a first sieve; the caller
    decodes the file to decide)."""
    needles = sorted({v.encode(enc, errors="ignore") for v in plan.values for enc in FILE_ENCODINGS})
    if not needles:
        return literal(False)
    return or_(*(column.op("LIKE")(literal(b"%" + n + b"%", LargeBinary)) for n in needles if n))


# --- notes ----------------------------------------------------------------------------------


def notes_on(db: DbSession, plan: ErasurePlan) -> list[Note]:
    """The notes (comments and files) attached to the plan's records: erased whole."""
    return list(db.scalars(select(Note).where(plan.targets(Note.element_type, Note.element_id)).order_by(Note.id)))


def notes_mentioning(db: DbSession, plan: ErasurePlan) -> list[Note]:
    """Notes on other records whose text, file name or file names the client."""
    stmt = select(Note).where(or_(plan.mentions(Note.text), plan.mentions(Note.filename), _in_blob(Note.data, plan)))
    ours = plan.elements
    return [n for n in db.scalars(stmt.order_by(Note.id))
            if (n.element_type, n.element_id) not in ours and _note_mentions(n, plan)]


def _note_mentions(note: Note, plan: ErasurePlan) -> bool:
    return plan.mentioned(note.text) or plan.mentioned(note.filename) or _file_mentions(note.data, "utf-8", plan)


def _file_mentions(data: bytes | None, encoding: str, plan: ErasurePlan) -> bool:
    if not data:
        return False
    return any(plan.mentioned(data.decode(enc, errors="replace")) for enc in {encoding, *FILE_ENCODINGS})


def erase_notes(db: DbSession, plan: ErasurePlan, on: Iterable[Note], mentioning: Iterable[Note]) -> None:
    """Delete the notes of the plan's records; on other records redact the text and drop a file
    that names the client (its bytes cannot be redacted safely)."""
    for note in on:
        db.delete(note)
    for note in mentioning:
        note.text = plan.redact(note.text)
        if plan.mentioned(note.filename) or _file_mentions(note.data, "utf-8", plan):
            note.filename, note.content_type, note.size, note.data = ERASED, None, 0, None


# --- outbox ---------------------------------------------------------------------------------


def outbox_messages(
    db: DbSession, plan: ErasurePlan, topics: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> list[OutboxMessage]:
    """Messages about the plan's records or naming the client, of ``topics`` (default: any)
    except ``exclude``."""
    stmt = select(OutboxMessage).where(or_(
        plan.targets(OutboxMessage.element_type, OutboxMessage.element_id),
        plan.mentions(OutboxMessage.payload, json_column=True),
        plan.mentions(OutboxMessage.last_error),
    ))
    if topics is not None:
        stmt = stmt.where(OutboxMessage.topic.in_(sorted(topics)))
    excluded = sorted(exclude)
    if excluded:
        stmt = stmt.where(OutboxMessage.topic.not_in(excluded))
    return list(db.scalars(stmt.order_by(OutboxMessage.id)))


def erase_outbox(plan: ErasurePlan, messages: Iterable[OutboxMessage]) -> None:
    """Empty the messages' payloads; one not delivered yet is cancelled, never sent."""
    for message in messages:
        message.payload = {"erased": True}
        message.last_error = plan.redact(message.last_error)
        if message.status in UNDELIVERED:
            message.status = "cancelled"


# --- imports --------------------------------------------------------------------------------


def import_jobs(db: DbSession, plan: ErasurePlan) -> list[ImportJob]:
    """Import jobs whose stored file, error report or message names the client."""
    stmt = select(ImportJob).where(or_(
        _in_blob(ImportJob.data, plan),
        ImportJob.id.in_(select(ImportLine.job_id).where(plan.mentions(ImportLine.reason))),
        plan.mentions(ImportJob.message),
        plan.mentions(ImportJob.filename),
    ))
    return [job for job in db.scalars(stmt.order_by(ImportJob.id)) if _job_mentions(job, plan)]


def _job_mentions(job: ImportJob, plan: ErasurePlan) -> bool:
    return (
        _file_mentions(job.data, job.encoding, plan)
        or plan.mentioned(job.message)
        or plan.mentioned(job.filename)
        or bool(_report_lines(job, plan))
    )


def _report_lines(job: ImportJob, plan: ErasurePlan) -> list[ImportLine]:
    """The lines of the job's report whose reason names the client."""
    db = object_session(job)
    assert db is not None
    stmt = select(ImportLine).where(ImportLine.job_id == job.id, plan.mentions(ImportLine.reason))
    return [line for line in db.scalars(stmt.order_by(ImportLine.seq)) if plan.mentioned(line.reason)]


def erase_import_jobs(plan: ErasurePlan, jobs: Iterable[ImportJob]) -> None:
    """Blank the file's lines that name the client (line numbers of the report stay true) and
    redact the error report and message."""
    for job in jobs:
        if job.data:
            encoding = job.encoding if _decodes(job.data, job.encoding) else "utf-8"
            lines = job.data.decode(encoding, errors="replace").splitlines(keepends=True)
            kept = [_blank(line) if plan.mentioned(line) else line for line in lines]
            job.data = "".join(kept).encode(encoding, errors="replace")
        for line in _report_lines(job, plan):
            line.reason = plan.redact(line.reason)
        job.message = plan.redact(job.message)
        job.filename = plan.redact(job.filename)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _blank(line: str) -> str:
    """An erased line keeps its line break, so the lines after it keep their numbers."""
    return line[len(line.rstrip("\r\n")):]
