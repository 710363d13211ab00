"""Import jobs through the API (CORE-11, CORE-16): the form's import, scriptable.

``POST /api/v1/<session_name>/imports`` takes a ``multipart/form-data`` body — the ``file``,
and optionally ``encoding``, ``separator``, ``header``, the mapping (``columns``, a JSON array
with one field name or ``""`` per file column, or ``mapping``, the name of a saved mapping),
``mode`` (``all``: all-or-nothing, ``valid``: import the valid lines) and ``on_duplicate``
(``skip``/``update``) — and answers ``201`` with the job and its ``Location``. ``GET`` on that
location gives the progress and the per-line report; ``…/errors.csv`` the whole report.

The checks are the form's (:mod:`crm_core.importing.intake`): the ``modify`` permission on an
importable session, the upload size limit (413), encoding, separator, line length, columns and
the mapping; every refusal is a 400 with the field at fault and leaves no job behind. A job is
visible to its user only (404 for anyone else).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, current_app, jsonify, request, stream_with_context, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.api.blueprint import bp
from crm_core.api.resources import TRUE, api_sdef
from crm_core.db import session as db_session
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.importing import intake, jobs, report
from crm_core.models.imports import MODES, ON_DUPLICATE, ImportJob
from crm_core.reports.formats import csv_stream
from crm_core.request_input import INT64_MAX
from crm_core.security import current_access
from crm_core.security.access import Access
from crm_core.uploads import FileTooLarge, read_upload

FORM_FIELDS = frozenset({"encoding", "separator", "header", "columns", "mapping", "mode", "on_duplicate"})
FALSE = ("0", "false", "no", "off")
#: Report lines in a job's JSON; the CSV at ``errors_url`` has all of them.
REPORT_LINES = 1_000


def importable(name: str) -> tuple[SessionDef, Access]:
    """The session, if it takes imports and the caller may modify it (404 / 403 otherwise)."""
    sdef = api_sdef(name)
    if not sdef.importable:
        raise NotFound(_("%(s)s cannot be imported.", s=sdef.label))
    access = current_access()
    access.require(sdef, "modify")
    return sdef, access


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.form.get(name, default)
    if value not in allowed:
        raise ValidationError({name: [_("Use one of: %(v)s.", v=", ".join(allowed))]})
    return value


def _header() -> bool | None:
    raw = request.form.get("header")
    if raw is None:
        return None
    if raw.lower() not in TRUE + FALSE:
        raise ValidationError({"header": [_("Use “true” or “false”.")]})
    return raw.lower() in TRUE


def _columns() -> list[str] | None:
    raw = request.form.get("columns")
    if raw is None:
        return None
    try:
        columns = json.loads(raw)
    except ValueError:
        columns = None
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise ValidationError({"columns": [_("Give a JSON array with a field name (or \"\") per file column.")]})
    return columns


def _read_request() -> tuple[bytes, str]:
    """The uploaded file's bytes and name, after the checks that need no file content."""
    if request.mimetype != "multipart/form-data":
        abort(415, _("Send the file as multipart/form-data."))
    unknown = sorted(set(request.form) - FORM_FIELDS) + sorted(set(request.files) - {"file"})
    if unknown:
        raise ValidationError({unknown[0]: [_("Unknown field “%(f)s”.", f=unknown[0])]})
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError({"file": [_("Choose a file to import.")]})
    return read_upload(upload.stream, current_app.config["CRM_UPLOAD_MAX_BYTES"]), upload.filename or "import.csv"


@bp.post("/<session_name>/imports")
def create_import(session_name: str) -> Response:
    sdef, access = importable(session_name)
    data, filename = _read_request()
    mode, on_duplicate = _choice("mode", MODES, "all"), _choice("on_duplicate", ON_DUPLICATE, "skip")
    header, columns = _header(), _columns()
    try:
        name = request.form.get("mapping", "")
        saved = intake.find_mapping(db_session(), sdef, name=name) if name else None
        if columns is None and saved is None:
            raise BusinessRuleError(_("Give the columns' fields or the name of a saved mapping."), field="columns")
        found = intake.inspect(data, request.form.get("encoding", ""), request.form.get("separator", ""), header,
                               saved)
        columns = columns if columns is not None else list(saved.columns)  # type: ignore[union-attr]
        spec = intake.checked_spec(sdef, found, columns, mode, on_duplicate)
    except FileTooLarge:
        raise
    except BusinessRuleError as exc:  # bad input, not a business rule: 400 naming the field
        raise ValidationError({exc.field or "file": [str(exc)]}) from None
    job = intake.create_job(sdef, access, data, filename, found, columns, spec)
    jobs.start(job.id)
    db_session().refresh(job)
    response = jsonify(job_body(sdef, job))
    response.status_code = 201
    response.headers["Location"] = url_for("api.read_import", session_name=sdef.name, job_id=job.id)
    return response


def _job(sdef: SessionDef, access: Access, job_id: int) -> ImportJob:
    job = db_session().get(ImportJob, job_id) if job_id <= INT64_MAX else None
    if job is None or job.session_name != sdef.name or job.user_id != access.user.id:
        raise NotFound(_("No such import."))
    return job


def job_body(sdef: SessionDef, job: ImportJob) -> dict[str, Any]:
    """The job as JSON: its settings, progress (:func:`jobs.progress`) and the report's first lines."""
    db = db_session()
    first = report.first_lines(db, job.id, REPORT_LINES)
    return {
        "id": job.id, "session_name": sdef.name, "filename": job.filename, "encoding": job.encoding,
        "separator": job.separator, "header": job.header, "columns": job.columns, "mode": job.mode,
        "on_duplicate": job.on_duplicate, **jobs.progress(job),
        "written": job.written or [],
        "report": [{"line": line, "field": name, "reason": reason} for line, name, reason in first],
        "report_lines": report.count(db, job.id) if len(first) == REPORT_LINES else len(first),
        "errors_url": url_for("api.import_errors", session_name=sdef.name, job_id=job.id),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@bp.get("/<session_name>/imports/<int:job_id>")
def read_import(session_name: str, job_id: int) -> Response:
    sdef, access = importable(session_name)
    return jsonify(job_body(sdef, _job(sdef, access, job_id)))


@bp.get("/<session_name>/imports/<int:job_id>/errors.csv")
def import_errors(session_name: str, job_id: int) -> Response:
    """Every refused or skipped line (line, field name, reason) as CSV, streamed from the report table."""
    sdef, access = importable(session_name)
    job = _job(sdef, access, job_id)
    rows = ([line, name, reason] for line, name, reason in report.every_line(db_session(), job.id))
    response = Response(stream_with_context(csv_stream(["line", "field", "reason"], rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{sdef.name}-import-{job.id}-errors.csv"'
    return response
