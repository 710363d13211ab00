"""Bulk actions on large selections as background jobs with progress (issue 17 leftovers, CORE-08).

A bulk action on more records than ``CRM_BULK_JOB_THRESHOLD`` (default 500) would keep a web
request busy for many seconds (a 10,000-record delete on PostgreSQL took ~18 s), so the confirmed
request stores a :class:`~crm_core.models.bulk_jobs.BulkJob` with the chosen ids and a thread with
its own app context and database session runs it — the pattern of import jobs
(:mod:`crm_core.importing.jobs`). With ``CRM_BULK_INLINE`` (default: on when testing) the job
runs inside the request instead.

**Transaction rule.** The records go ``CRM_BULK_CHUNK_RECORDS`` (default 200) at a time through
:func:`crm_core.services.bulk_actions.run` — the same per-record savepoints, rules and report
as a bulk action in the request — and each chunk commits together with the job's counters and
refusals, so any web process can show how far it got and the counters never lie. A large bulk
action is therefore not all-or-nothing: the chunks done before a failure stay done (a bulk action
was never all-or-nothing per record). Each chunk reads its records again through the user's
ownership rules (:func:`bulk_actions.select_ids`), so a record that changed hands or was deleted
meanwhile is refused as *not found*, and the action's value is checked again per chunk: a value
that became wrong for every record (a user deactivated meanwhile) stops the job with the reason.

A job is seen by the user who started it and by administrators (:func:`visible_job`), nobody else.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm import Session as DbSession

from crm_core.db import session, unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import CrmError, NotFound
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.models.bulk_jobs import BulkJob
from crm_core.models.types import utcnow
from crm_core.request_input import column_holds
from crm_core.security.access import Access, load_access
from crm_core.services import background, bulk_actions
from crm_core.validation_messages import translated


def threshold() -> int:
    """How many records a bulk action may take in the request; more are queued as a job."""
    return int(current_app.config["CRM_BULK_JOB_THRESHOLD"])


def queue(sdef: SessionDef, access: Access, action: str, value: str, ids: Sequence[int]) -> BulkJob:
    """Store a job for ``action`` with ``value`` on ``ids`` (the selection the user confirmed),
    after checking the request as a whole (:func:`bulk_actions.check_request`): bad input is a
    ``ValidationError`` and stores nothing. Commits; start it with :func:`start`."""
    with unit_of_work() as db:
        value = bulk_actions.check_request(db, sdef, access, action, value)
        job = BulkJob(session_name=sdef.name, user_id=access.user.id, action=action, value=value,
                      ids=sorted(set(ids)), total=len(set(ids)), refusals=[])
        db.add(job)
    return job


def start(job_id: int) -> None:
    """Run the queued job in a background thread (or inline when ``CRM_BULK_INLINE``)."""
    background.start_job("bulk", job_id, run, _crashed, "CRM_BULK_INLINE")


def _crashed(job_id: int) -> None:
    _finish(job_id, "failed", _("The bulk action stopped because of an internal error."))


def run(job_id: int) -> None:
    """Run one queued job to the end in the current app context, one committed chunk at a time."""
    db = session()
    job = db.get(BulkJob, job_id)
    if job is None or job.state != "queued":
        return
    user = db.get(User, job.user_id)
    with unit_of_work():
        job.state, job.beat_at = "running", utcnow()
    ids = list(job.ids)
    size = int(current_app.config["CRM_BULK_CHUNK_RECORDS"])
    with force_locale(user.language or current_app.config["CRM_DEFAULT_LANGUAGE"]):
        try:
            sdef = crm_state().registry.sdef(job.session_name)
            access = load_access(db, user, crm_state().row_filters)
            for first in range(0, len(ids), size):
                with unit_of_work() as db:
                    _run_chunk(db, sdef, access, job, ids[first:first + size])
        except (CrmError, ValidationError) as exc:
            session().rollback()
            _finish(job_id, "failed", _reason(exc))
            return
        _finish(job_id, "done", _("%(done)d done, %(refused)d refused.", done=job.done, refused=job.refused))


def _run_chunk(db: DbSession, sdef: SessionDef, access: Access, job: BulkJob, part: Sequence[int]) -> None:
    records, unseen = bulk_actions.select_ids(db, sdef, access, part)
    outcomes = bulk_actions.run(db, sdef, access, job.action, records, job.value, unseen)
    refused = [[o.id, o.name, o.reason] for o in outcomes if not o.done]
    job.processed += len(part)
    job.beat_at = utcnow()
    job.done += len(outcomes) - len(refused)
    job.refused += len(refused)
    if refused:
        job.refusals = [*job.refusals, *refused]


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        messages = translated(exc.normalized_messages())
        flat = messages.values() if isinstance(messages, dict) else [messages]
        return " ".join(str(m) for ms in flat for m in (ms if isinstance(ms, list) else [ms]))
    return str(exc)


def _finish(job_id: int, state: str, message: str) -> None:
    with unit_of_work() as db:
        job = db.get(BulkJob, job_id)
        if job is None:
            return
        job.state = state
        job.message = message
        job.ids = []  # the selection is not kept once handled
        job.finished_at = utcnow()


def visible_job(sdef: SessionDef, access: Access, job_id: int) -> BulkJob:
    """The job ``job_id`` of ``sdef`` if ``access`` may see it — the user who started it, or an
    administrator — else ``NotFound`` (whether it exists is not told)."""
    access.require(sdef, "view")
    job = session().get(BulkJob, job_id) if job_id > 0 and column_holds(BulkJob.id, job_id) else None
    if job is None or job.session_name != sdef.name or not (job.user_id == access.user.id or access.is_admin):
        raise NotFound(_("No such bulk action."), session_name=sdef.name)
    return job
