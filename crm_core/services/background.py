"""Running a job off the request thread (import jobs, bulk actions): a thread of the web
process with its own app context and database session, or inside the request when the job's
*inline* setting says so (on by default when testing). A job that crashes is logged and
recorded as failed by the job's own ``crashed`` callback — a thread must not die silently."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app

from crm_core.db import session

log = logging.getLogger(__name__)


def start_job(kind: str, job_id: int, run: Callable[[int], None], crashed: Callable[[int], None],
              inline_setting: str) -> None:
    """Run ``run(job_id)`` in a background thread named ``crm-<kind>-<id>``, or inline when the
    app's ``inline_setting`` (default: ``app.testing``) is on."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get(inline_setting, app.testing):
        run(job_id)
        return
    thread = threading.Thread(target=_run_in_app, args=(app, kind, job_id, run, crashed),
                              name=f"crm-{kind}-{job_id}", daemon=True)
    thread.start()


def _run_in_app(app: Flask, kind: str, job_id: int, run: Callable[[int], None],
                crashed: Callable[[int], None]) -> None:
    with app.app_context():
        try:
            run(job_id)
        except Exception:
            log.exception("%s job %s crashed", kind, job_id)
            session().rollback()
            crashed(job_id)
