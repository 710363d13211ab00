"""Import and bulk jobs whose process stopped (a restart, a crash, a killed worker thread) are
marked *interrupted* instead of showing "running" forever (issue 17, CORE-08, CORE-11).

A job records a heartbeat (``beat_at``) when it starts and after every chunk. ``crm worker``'s
periodic job ``core.stalled_jobs`` (every 5 minutes) fails the queued or running jobs whose last
beat — or, never started, whose creation — is older than ``CRM_JOB_STALL_SECONDS`` (15 minutes;
a chunk takes seconds), with a message in the user's language saying what stays: an
all-or-nothing import wrote nothing (its transaction died with its process), a valid-lines import
keeps the lines its report counts as written, a bulk action the records it counted as done. The
progress pages then show the message; the user starts the work again. Each job row is taken with
``SKIP LOCKED``, so a job a live process is finishing right now is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.models.auth import User
from crm_core.models.bulk_jobs import BulkJob
from crm_core.models.imports import ImportJob
from crm_core.models.types import utcnow

EVERY_SECONDS = 300


def _message(job: ImportJob | BulkJob, minutes: int) -> str:
    if isinstance(job, BulkJob):
        return _("The bulk action was interrupted: it made no progress for %(n)d minutes (the process "
                 "running it stopped). The records counted as done stay done; run it again for the rest.", n=minutes)
    if job.mode == "valid":
        return _("The import was interrupted: it made no progress for %(n)d minutes (the process running "
                 "it stopped). The lines the report counts as written stay; import the rest again.", n=minutes)
    return _("The import was interrupted: it made no progress for %(n)d minutes (the process running it "
             "stopped). Nothing was written; import the file again.", n=minutes)


def mark_stalled(now: datetime | None = None) -> int:
    """Fail the jobs without progress for ``CRM_JOB_STALL_SECONDS``; how many. Needs an app
    context."""
    now = now or utcnow()
    stall = int(current_app.config["CRM_JOB_STALL_SECONDS"])
    cutoff, minutes = now - timedelta(seconds=stall), max(1, stall // 60)
    default = current_app.config["CRM_DEFAULT_LANGUAGE"]
    marked = 0
    with unit_of_work() as db:
        for model in (ImportJob, BulkJob):
            last = func.coalesce(model.beat_at, model.created_at)
            stmt = select(model).where(model.state.in_(("queued", "running")), last < cutoff)
            for job in db.scalars(stmt.with_for_update(skip_locked=True)):
                user = db.get(User, job.user_id)
                with force_locale((user.language if user else None) or default):
                    job.message = _message(job, minutes)
                job.state, job.finished_at = "failed", now
                if isinstance(job, ImportJob):
                    job.data = None  # the file is not kept once the job ended
                else:
                    job.ids = []
                marked += 1
    return marked
