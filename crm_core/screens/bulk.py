"""The grid's bulk actions (issue 17 item 5, CORE-08): one form, without JavaScript.

The grid's row form posts the chosen action, the ticked ids (or ``scope=all`` with the grid's
filters) here. Three steps, all ``POST /s/<session>/bulk``: the value is chosen (a user, a
status, a grouping) when the action needs one; a confirmation page says what will happen to how
many records and lists them; the confirmed run (:mod:`crm_core.services.bulk_actions`, one
savepoint per record) answers with a page reporting each record done or refused, with the reason.
A selection larger than ``CRM_BULK_JOB_THRESHOLD`` is queued as a background job instead
(:mod:`crm_core.services.bulk_jobs`) and the answer is its progress page, which ends with the
same report of the refused records.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.request_input import int_list
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef, messages_of
from crm_core.screens.grid_state import SELECTION, read_state
from crm_core.security import current_access
from crm_core.security.access import Access
from crm_core.services import bulk_actions, bulk_jobs

#: How many of the chosen records the confirmation page names (the rest are counted).
LISTED = 50


def _selection_args() -> MultiDict[str, str]:
    """The grid's row-choosing parameters the form carried (for ``scope=all``)."""
    return MultiDict([(k, v) for k in SELECTION for v in request.form.getlist(k) if v != ""])


def chosen(sdef: SessionDef, access: Access) -> tuple[list[Any], list[int], str]:
    """The records the form chose and the ticked ids the user may not see; ``scope=all`` takes
    the grid's query (its filters and the user's ownership rules), the ticked ids otherwise."""
    db = db_session()
    if request.form.get("scope") == "all":
        query, _state = read_state(sdef, access, _selection_args())
        return bulk_actions.select_matching(db, sdef, access, query), [], "all"
    found, unseen = bulk_actions.select_ids(db, sdef, access, int_list("ids", request.form))
    return found, unseen, "ids"


@bp.route("/<session_name>/bulk", methods=["POST"])
def bulk(session_name: str):  # type: ignore[no-untyped-def]
    """Choose the value, confirm, then run the action on the selection and report per record."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "modify")
    back = url_for("screens.grid", session_name=sdef.name, **_selection_args().to_dict(flat=False))
    actions = bulk_actions.available(sdef, access)
    action, value = request.form.get("action", ""), request.form.get("value", "").strip()
    if action not in dict(actions):
        flash(_("Choose one of the offered actions."), "warning")
        return redirect(back)
    try:
        records, unseen, scope = chosen(sdef, access)
    except ValidationError as exc:
        for messages in messages_of(exc.messages).values():
            for message in messages:
                flash(message, "danger")
        return redirect(back)
    if not records and not unseen:
        flash(_("Tick the rows first, or choose all that match."), "warning")
        return redirect(back)
    db = db_session()
    options = bulk_actions.choices(db, sdef, access, action)
    errors: list[str] = []
    if action != "delete" and value and value not in dict(options):
        errors.append(_("Choose one of the listed values."))
        value = ""
    page = {
        "sdef": sdef, "action": action, "action_label": dict(actions)[action], "scope": scope,
        "records": records[:LISTED], "count": len(records) + len(unseen), "ids": [r.id for r in records] + unseen,
        "selection": _selection_args(), "options": options, "value": value,
        "value_label": dict(options).get(value, ""), "back": back, "errors": errors,
        "background": len(records) + len(unseen) > bulk_jobs.threshold(),
    }
    if request.form.get("confirm") != "1" or (action != "delete" and not value):
        return render_template("screens/bulk_confirm.html", **page)
    if page["background"]:
        job = bulk_jobs.queue(sdef, access, action, value, page["ids"])
        bulk_jobs.start(job.id)
        return redirect(url_for("screens.bulk_job", session_name=sdef.name, job_id=job.id))
    with unit_of_work() as db:
        outcomes = bulk_actions.run(db, sdef, access, action, records, value, unseen)
    done = sum(1 for o in outcomes if o.done)
    return render_template("screens/bulk_result.html", outcomes=outcomes, done=done,
                           refused=len(outcomes) - done, **page)


@bp.get("/<session_name>/bulk/jobs/<int:job_id>")
def bulk_job(session_name: str, job_id: int) -> Any:
    """A queued bulk action: its progress (polled by progress.js), then the refused records."""
    sdef = grid_sdef(session_name)
    job = bulk_jobs.visible_job(sdef, current_access(), job_id)
    actions = dict(bulk_actions.ACTIONS)
    return render_template("screens/bulk_job.html", sdef=sdef, job=job, progress=job.progress(),
                           action_label=str(actions.get(job.action, job.action)),
                           refusals=job.refusals if job.finished else [],
                           back=url_for("screens.grid", session_name=sdef.name))


@bp.get("/<session_name>/bulk/jobs/<int:job_id>/status")
def bulk_job_status(session_name: str, job_id: int) -> Any:
    """The job's counters as JSON for the progress bar."""
    sdef = grid_sdef(session_name)
    return jsonify(bulk_jobs.visible_job(sdef, current_access(), job_id).progress())
