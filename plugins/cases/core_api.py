"""Core-system actions through the API (CAS-03) at ``/api/v1/case-core``: the same checks,
record and idempotency as the case's action pages (:mod:`plugins.cases.core_service`).

``POST /{case_id}/{action}`` takes the action's input as a JSON object and the operation's key in
the ``Idempotency-Key`` header — required for money-changing actions, made up for the others
when absent. 200 with the record when the Core system did it (or had done it already under that
key: ``outcome`` "replayed"), 422 when it refused, 502 when it could not be reached.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.toolkit import api_blueprint, api_body, current_access, get_element
from crm_core.toolkit import session as db_session
from plugins.cases import core_service, services

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERR = {str(c): {"description": "Error", "content": _ERROR} for c in (400, 401, 403, 404, 415)}
_CALL = {"type": "object", "properties": {
    "id": {"type": "integer"}, "case_id": {"type": "integer"}, "action": {"type": "string"},
    "outcome": {"type": "string", "enum": ["pending", "done", "replayed", "refused", "failed"]},
    "money": {"type": "boolean"}, "idempotency_key": {"type": "string"}, "request": {"type": "object"},
    "answer": {"type": "object"}, "message": {"type": "string"}, "reference": {"type": "string"},
    "user_id": {"type": "integer", "nullable": True}, "created_at": {"type": "string", "format": "date-time"},
    "answered_at": {"type": "string", "format": "date-time", "nullable": True},
    "duration_ms": {"type": "integer", "nullable": True}}}
_ONE = {"application/json": {"schema": _CALL}}
_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATHS = {
    "/{case_id}": {"get": {
        "tags": ["cases"], "summary": "The Core-system actions offered on a case and its recorded calls",
        "parameters": [_ID], "responses": {"200": {"description": "Actions and calls, newest first", "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "actions": {"type": "array", "items": {"type": "object"}},
                "calls": {"type": "array", "items": _CALL}}}}}}, **_ERR}}},
    "/{case_id}/{action}": {"post": {
        "tags": ["cases"], "summary": "Run a Core-system action on a case (recorded, idempotent)",
        "parameters": [_ID, {"name": "action", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "minLength": 8,
                                                                               "maxLength": 80}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "Done, or already done under this key", "content": _ONE},
                      "422": {"description": "The Core system refused", "content": _ONE},
                      "502": {"description": "The Core system could not be reached", "content": _ONE}, **_ERR}}},
}

bp = api_blueprint("cases_core_api", __name__, "case-core", PATHS)


@bp.get("/<int:case_id>")
def calls(case_id: int) -> Response:
    db = db_session()
    case = get_element(db, services.cases_sdef(), current_access(), case_id, "view")
    actions = core_service.offered(case) if current_access().can(services.cases_sdef(), "modify") else []
    return jsonify({
        "actions": [{"name": a.name, "label": str(a.label), "money": a.money,
                     "fields": sorted(a.schema().fields) if a.schema else []} for a in actions],
        "calls": [core_service.as_dict(c) for c in core_service.history(db, case)],
    })


@bp.post("/<int:case_id>/<name>")
def run(case_id: int, name: str) -> Any:
    body = api_body(allow_empty=True)
    action = core_service.core_actions().get(name)
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        if action is not None and action.money:
            raise ValidationError({"Idempotency-Key": [_("A money-changing action needs an Idempotency-Key header.")]})
        key = core_service.new_key()
    call = core_service.run(current_access(), case_id, name, body, key)  # refusals of the CRM: 4xx
    status = {"done": 200, "replayed": 200, "refused": 422}.get(call.outcome, 502)
    return jsonify(core_service.as_dict(call)), status
