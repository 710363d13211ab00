"""``POST /api/v1/<session>/bulk``: the grid's bulk actions for API callers (issue 17 item 5).

The body names the action, the records — ``ids``, or ``filters`` with the list's own query
arguments (``q``, ``status``, ``only``, ``filter``, ``match``, ``all``, ``grouping``) for every
record that matches, at most :data:`crm_core.services.bulk_actions.BULK_CAP` — and the
``value`` (a user id, a status code, a grouping id; none to delete). The answer reports each
record done or refused with the reason (200); a request that is wrong as a whole (an unknown
action or value, no records, too many) is a 400 and changes nothing. Same service, same rules,
same per-record savepoints as the screen (:mod:`crm_core.services.bulk_actions`).

More records than ``CRM_BULK_JOB_THRESHOLD`` are queued as a background job
(:mod:`crm_core.services.bulk_jobs`): the answer is ``202`` with the job and its ``Location``,
``GET /api/v1/<session>/bulk/jobs/<id>`` its progress and, once finished, the refused records —
for the user who started it or an administrator.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from crm_core.api.blueprint import bp
from crm_core.api.resources import api_sdef, json_body, list_query
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.bulk_jobs import BulkJob
from crm_core.request_input import INT64_MAX
from crm_core.security import current_access
from crm_core.services import bulk_actions, bulk_jobs

#: The list arguments ``filters`` may carry (paging and sorting choose no records).
FILTER_KEYS = ("q", "status", "only", "filter", "match", "all", "grouping")


def _filters(raw: Any) -> MultiDict[str, str]:
    if not isinstance(raw, dict) or set(raw) - set(FILTER_KEYS):
        raise ValidationError({"filters": [_("Use an object with: %(keys)s.", keys=", ".join(FILTER_KEYS))]})
    pairs: list[tuple[str, str]] = []
    for key, value in raw.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list) or item is None:
                raise ValidationError({"filters": [_("“%(k)s” takes text or a list of texts.", k=key)]})
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return MultiDict(pairs)


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"ids": [_("Give a non-empty list of record ids, or filters.")]})
    if any(isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= INT64_MAX for i in raw):
        raise ValidationError({"ids": [_("Each id must be a whole number.")]})
    return raw


@bp.post("/<session_name>/bulk")
def bulk(session_name: str) -> Response:
    sdef = api_sdef(session_name)
    access = current_access()
    access.require(sdef, "modify")
    body = json_body(fields=("action", "ids", "filters", "value"))
    if ("ids" in body) == ("filters" in body):
        raise ValidationError({"ids": [_("Give either ids or filters.")]})
    action, value = body.get("action"), body.get("value")
    if not isinstance(action, str):
        raise ValidationError({"action": [_("Choose one of the offered actions.")]})
    db = db_session()
    value = bulk_actions.check_request(db, sdef, access, action, value)
    if "ids" in body:
        records, unseen = bulk_actions.select_ids(db, sdef, access, _ids(body["ids"]))
    else:
        query = list_query(sdef, _filters(body["filters"]))
        try:
            records, unseen = bulk_actions.select_matching(db, sdef, access, query), []
        except BusinessRuleError as exc:  # a schema field that is not a column: bad input, as on the list
            raise ValidationError({exc.field or "filters": [str(exc)]}) from None
    if len(records) + len(unseen) > bulk_jobs.threshold():
        job = bulk_jobs.queue(sdef, access, action, value, [r.id for r in records] + unseen)
        bulk_jobs.start(job.id)
        db.refresh(job)
        response = jsonify(job_body(job))
        response.status_code = 202
        response.headers["Location"] = url_for("api.bulk_job", session_name=sdef.name, job_id=job.id)
        return response
    with unit_of_work() as db:
        outcomes = bulk_actions.run(db, sdef, access, action, records, value, unseen)
    done = sum(1 for o in outcomes if o.done)
    return jsonify({"action": action, "value": value or None, "done": done, "refused": len(outcomes) - done,
                    "results": [o.as_json() for o in outcomes]})


def job_body(job: BulkJob) -> dict[str, Any]:
    """A bulk job as JSON: what it does, its progress, and once finished the refused records."""
    refusals = job.refusals if job.finished else []
    return {
        "id": job.id, "session_name": job.session_name, "action": job.action, "value": job.value or None,
        **job.progress(),
        "url": url_for("api.bulk_job", session_name=job.session_name, job_id=job.id),
        "results": [{"id": i, "name": name, "result": "refused", "reason": reason} for i, name, reason in refusals],
    }


@bp.get("/<session_name>/bulk/jobs/<int:job_id>")
def bulk_job(session_name: str, job_id: int) -> Response:
    """A queued bulk action's progress and report (its starter or an administrator)."""
    sdef = api_sdef(session_name)
    return jsonify(job_body(bulk_jobs.visible_job(sdef, current_access(), job_id)))
