"""The privacy erase in the REST API (CORE-21, CORE-16): ``GET /api/v1/privacy/<session>/<id>``
previews, ``POST …/erase`` with ``{"confirm": true}`` erases — the screen's rules and service."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _

from crm_core.api.plugin_api import api_blueprint
from crm_core.api.resources import json_body
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.privacy import service
from crm_core.privacy.plan import ErasurePlan
from crm_core.security import current_access

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERR = {str(c): {"description": "Error", "content": _ERROR} for c in (400, 401, 403, 404, 415, 422)}
_COUNTS = {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
           "description": "{plugin: {what: number of records}}"}
_PREVIEW = {"type": "object", "properties": {
    "session": {"type": "string"}, "id": {"type": "integer"}, "counts": _COUNTS, "total": {"type": "integer"}}}
_ERASED = {"type": "object", "properties": {
    "erasure": {"type": "integer"}, "session": {"type": "string"}, "id": {"type": "integer"},
    "at": {"type": "string", "format": "date-time"}, "counts": _COUNTS, "total": {"type": "integer"}}}
_CONFIRM = {"type": "object", "required": ["confirm"], "properties": {"confirm": {"type": "boolean", "enum": [True]}}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


_PARAMS = [{"name": "session_name", "in": "path", "required": True, "schema": {"type": "string"}},
           {"name": "element_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
PATHS = {
    "/{session_name}/{element_id}": {"get": {
        "tags": ["privacy"], "summary": "Preview the erasure of a client's personal data (counts per plugin)",
        "parameters": _PARAMS,
        "responses": {"200": {"description": "The preview", "content": _json(_PREVIEW)}, **_ERR},
    }},
    "/{session_name}/{element_id}/erase": {"post": {
        "tags": ["privacy"], "summary": "Erase a client's personal data (irreversible)", "parameters": _PARAMS,
        "requestBody": {"required": True, "content": _json(_CONFIRM)},
        "responses": {"200": {"description": "Erased", "content": _json(_ERASED)}, **_ERR},
    }},
}

bp = api_blueprint("privacy_api", __name__, "privacy", PATHS)


def _counts(plan: ErasurePlan) -> dict[str, dict[str, int]]:
    return {f.plugin: {item.key: item.number for item in f.items} for f in plan.found if f.items}


@bp.get("/<session_name>/<int:element_id>")
def preview(session_name: str, element_id: int) -> Response:
    plan = service.preview(db_session(), current_access(), session_name, element_id)
    counts = _counts(plan)
    return jsonify({"session": plan.sdef.name, "id": plan.client.id, "counts": counts, "total": _total(counts)})


@bp.post("/<session_name>/<int:element_id>/erase")
def erase(session_name: str, element_id: int) -> Response:
    access = current_access()
    service.client_sdef(access, session_name, "modify")
    body = json_body()
    if body.get("confirm") is not True:
        raise BusinessRuleError(_("Confirm the erasure with \"confirm\": true; it cannot be undone."))
    with unit_of_work() as db:
        log = service.erase(db, access, session_name, element_id)
        out = {"erasure": log.id, "session": log.session_name, "id": log.element_id, "at": log.at.isoformat(),
               "counts": log.counts, "total": _total(log.counts)}
    return jsonify(out)


def _total(counts: dict[str, Any]) -> int:
    return sum(n for per_plugin in counts.values() for n in per_plugin.values())
