"""Taking an import file in: the checks the form and the API share (CORE-11, CORE-16, NF-02).

Both paths read the upload within ``CRM_UPLOAD_MAX_BYTES``, decode it, refuse over-long lines
and too many columns, settle the separator, and check the mapping against the session before a
job row exists, so a refused file leaves nothing behind. :func:`inspect` does the file checks,
:func:`create_job` stores a draft (the form's mapping step) or a queued job (the API, which
sends the mapping with the file), :func:`queue` moves a draft on once its mapping is valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.importing.lines import ImportSpec, check_spec, guess_mapping
from crm_core.importing.reader import check_columns, checked_head, preview, sniff_separator
from crm_core.models.imports import ImportJob, ImportMapping
from crm_core.security.access import Access


@dataclass(frozen=True)
class Inspected:
    """What the checks made of an uploaded file: the encoding and separator to read it with,
    whether its first line is a header, and its header cells (or "Column n")."""

    encoding: str
    separator: str
    header: bool
    head: list[str]


def saved_mappings(db: DbSession, sdef: SessionDef) -> list[ImportMapping]:
    """The session's saved mappings, by name."""
    stmt = select(ImportMapping).where(ImportMapping.session_name == sdef.name).order_by(ImportMapping.name)
    return list(db.scalars(stmt))


def find_mapping(db: DbSession, sdef: SessionDef, *, mapping_id: str = "", name: str = "") -> ImportMapping:
    """The saved mapping with this id (the form) or name (the API), else a refusal naming it."""
    for mapping in saved_mappings(db, sdef):
        if (mapping_id and str(mapping.id) == mapping_id) or (name and mapping.name == name):
            return mapping
    raise BusinessRuleError(_("Unknown saved mapping."), field="mapping")


def inspect(data: bytes, encoding: str = "", separator: str = "", header: bool | None = None,
            saved: ImportMapping | None = None) -> Inspected:
    """Check the file's bytes (as a stream: only its first lines are decoded and kept); empty
    choices come from the saved mapping, else are detected."""
    text, encoding = checked_head(data, encoding or (saved.encoding if saved else ""),
                                  current_app.config["CRM_IMPORT_MAX_LINE_CHARS"])
    separator = sniff_separator(text, separator or (saved.separator if saved else ""))
    if header is None:
        header = saved.header if saved else True
    head, _rows = preview(text, separator, header)
    check_columns(head, current_app.config["CRM_IMPORT_MAX_COLUMNS"])
    return Inspected(encoding, separator, header, head)


def proposed_columns(sdef: SessionDef, found: Inspected, saved: ImportMapping | None) -> list[str]:
    """The mapping the form proposes: the saved one when it fits the file, else a guess from the header."""
    if saved and len(saved.columns) == len(found.head):
        return list(saved.columns)
    return guess_mapping(sdef, found.head) if found.header else [""] * len(found.head)


def checked_spec(
    sdef: SessionDef, found: Inspected, columns: Sequence[str], mode: str, on_duplicate: str
) -> ImportSpec:
    """The import spec, after refusing a mapping that does not fit the file or the session."""
    if len(columns) != len(found.head):
        raise BusinessRuleError(
            _("The file has %(n)d columns; give a field (or “ignore”) for each of them.", n=len(found.head)),
            field="columns",
        )
    spec = ImportSpec(tuple(columns), found.separator, found.header, mode, on_duplicate)
    check_spec(sdef, spec)
    return spec


def create_job(sdef: SessionDef, access: Access, data: bytes, filename: str, found: Inspected,
               columns: Sequence[str], spec: ImportSpec | None = None) -> ImportJob:
    """Store the job in one transaction: a draft, or queued with ``spec`` (already checked)."""
    with unit_of_work() as db:
        job = ImportJob(
            session_name=sdef.name, user_id=access.user.id, filename=filename[:255], data=data,
            encoding=found.encoding, separator=found.separator, header=found.header, columns=list(columns),
        )
        if spec is not None:
            job.mode, job.on_duplicate, job.state = spec.mode, spec.on_duplicate, "queued"
        db.add(job)
    return job


def queue(job: ImportJob, spec: ImportSpec) -> None:
    """Move a draft job on to the queue with its checked mapping."""
    with unit_of_work():
        job.columns, job.mode, job.on_duplicate, job.state = list(spec.columns), spec.mode, spec.on_duplicate, "queued"
