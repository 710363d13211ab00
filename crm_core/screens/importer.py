"""Import screens (CORE-11): upload → preview and mapping → progress and error report.

The routes are thin: reading is :mod:`crm_core.importing.reader`, validation and writing
:mod:`crm_core.importing.engine`, the background run :mod:`crm_core.importing.jobs`. Every step
needs the ``modify`` permission on an ``importable`` session; a job is visible to its user only.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.importing import intake, jobs, report
from crm_core.importing.lines import ImportSpec, check_spec, loadable_fields
from crm_core.importing.reader import ENCODINGS, SEPARATORS, checked_head, preview
from crm_core.models.imports import MODES, ON_DUPLICATE, ImportJob, ImportMapping
from crm_core.reports.formats import csv_stream
from crm_core.reports.request_args import sdef_for
from crm_core.screens.blueprint import bp
from crm_core.security.access import Access
from crm_core.uploads import TOO_LARGE_STATUS, FileTooLarge, human_size, read_upload

ERRORS_SHOWN = 500


def _importable(name: str) -> tuple[SessionDef, Access]:
    sdef, access = sdef_for(name, "modify")
    if not sdef.importable:
        raise NotFound(_("%(s)s cannot be imported.", s=sdef.label))
    return sdef, access


@bp.route("/<session_name>/import", methods=["GET", "POST"])
def import_upload(session_name: str) -> Any:
    """Step 1: the file, its encoding and separator (chosen or detected), a saved mapping."""
    sdef, access = _importable(session_name)
    form = request.form
    context = {
        "sdef": sdef,
        "encodings": ENCODINGS,
        "separators": SEPARATORS,
        "mappings": intake.saved_mappings(db_session(), sdef),
        "limit": human_size(current_app.config["CRM_UPLOAD_MAX_BYTES"]),
        "form": form,
    }
    if request.method == "GET":
        return render_template("screens/import_upload.html", **context)
    try:
        job = _new_job(sdef, access, form)
    except BusinessRuleError as exc:
        status = TOO_LARGE_STATUS if isinstance(exc, FileTooLarge) else 400
        return render_template("screens/import_upload.html", error=str(exc), **context), status
    return redirect(url_for("screens.import_map", session_name=sdef.name, job_id=job.id))


def _new_job(sdef: SessionDef, access: Access, form: Any) -> ImportJob:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BusinessRuleError(_("Choose a file to import."), field="file")
    data = read_upload(upload.stream, current_app.config["CRM_UPLOAD_MAX_BYTES"])
    saved = intake.find_mapping(db_session(), sdef, mapping_id=form["mapping"]) if form.get("mapping") else None
    header = None if "header" not in form and saved else form.get("header", "1") == "1"
    found = intake.inspect(data, form.get("encoding", ""), form.get("separator", ""), header, saved)
    return intake.create_job(sdef, access, data, upload.filename, found, intake.proposed_columns(sdef, found, saved))


def _job(sdef: SessionDef, access: Access, job_id: int) -> ImportJob:
    job = db_session().get(ImportJob, job_id)
    if job is None or job.session_name != sdef.name or job.user_id != access.user.id:
        raise NotFound(_("No such import."))
    return job


@bp.route("/<session_name>/import/<int:job_id>", methods=["GET", "POST"])
def import_map(session_name: str, job_id: int) -> Any:
    """Step 2: preview of the first rows, a field per column, mode and duplicates, run."""
    sdef, access = _importable(session_name)
    job = _job(sdef, access, job_id)
    if job.state != "draft":
        return redirect(url_for("screens.import_job", session_name=sdef.name, job_id=job.id))
    text, _encoding = checked_head(job.data or b"", job.encoding)
    head, sample = preview(text, job.separator, job.header)
    form = request.form
    context = {
        "sdef": sdef, "job": job, "head": head, "sample": sample, "fields": loadable_fields(sdef),
        "modes": MODES, "on_duplicate": ON_DUPLICATE, "form": form,
        "columns": form.getlist("col") or list(job.columns) + [""] * (len(head) - len(job.columns)),
    }
    if request.method == "GET":
        return render_template("screens/import_map.html", **context)
    columns = form.getlist("col")
    spec = ImportSpec(
        tuple(columns), job.separator, job.header, form.get("mode", "all"), form.get("on_duplicate", "skip")
    )
    try:
        if len(columns) != len(head):
            raise BusinessRuleError(_("Choose a field (or “ignore”) for every column."), field="columns")
        check_spec(sdef, spec)
        _save_mapping(sdef, access, job, spec, form.get("save_as", "").strip())
    except BusinessRuleError as exc:
        return render_template("screens/import_map.html", error=str(exc), **context), 400
    intake.queue(job, spec)
    jobs.start(job.id)
    return redirect(url_for("screens.import_job", session_name=sdef.name, job_id=job.id))


def _save_mapping(sdef: SessionDef, access: Access, job: ImportJob, spec: ImportSpec, name: str) -> None:
    """Save (or replace) the named mapping of this session for the next file."""
    if not name:
        return
    if len(name) > 80:
        raise BusinessRuleError(_("A mapping name has at most 80 characters."), field="save_as")
    with unit_of_work() as db:
        stmt = select(ImportMapping).where(ImportMapping.session_name == sdef.name, ImportMapping.name == name)
        mapping = db.scalar(stmt) or ImportMapping(session_name=sdef.name, name=name, creator_id=access.user.id)
        mapping.columns, mapping.separator = list(spec.columns), job.separator
        mapping.encoding, mapping.header = job.encoding, job.header
        db.add(mapping)


@bp.get("/<session_name>/import/<int:job_id>/job")
def import_job(session_name: str, job_id: int) -> Any:
    """Step 3: progress (polled by import.js), then the outcome and the per-row report."""
    sdef, access = _importable(session_name)
    job = _job(sdef, access, job_id)
    labels, db = loadable_fields(sdef), db_session()
    shown = report.first_lines(db, job.id, ERRORS_SHOWN)
    total = report.count(db, job.id) if len(shown) == ERRORS_SHOWN else len(shown)
    return render_template(
        "screens/import_job.html", sdef=sdef, job=job, progress=jobs.progress(job),
        errors=[(line, labels.get(name, name), reason) for line, name, reason in shown],
        report_lines=total, more_errors=total - len(shown), written=job.written or [],
    )


@bp.get("/<session_name>/import/<int:job_id>/status")
def import_status(session_name: str, job_id: int) -> Any:
    """The job's counters as JSON for the progress bar."""
    sdef, access = _importable(session_name)
    return jsonify(jobs.progress(_job(sdef, access, job_id)))


@bp.get("/<session_name>/import/<int:job_id>/errors.csv")
def import_errors(session_name: str, job_id: int) -> Any:
    """The per-row error report (line, field, reason) as CSV, streamed from the report table."""
    sdef, access = _importable(session_name)
    job = _job(sdef, access, job_id)
    labels = loadable_fields(sdef)
    rows = ([line, labels.get(name, name), reason] for line, name, reason in report.every_line(db_session(), job.id))
    response = Response(
        stream_with_context(csv_stream([_("Line"), _("Field"), _("Reason")], rows)), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{sdef.name}-import-{job.id}-errors.csv"'
    return response
