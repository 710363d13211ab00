"""The inbox API (EXT-12) at ``/api/v1/inboxes``: the same rules as the screens.

Token or session authentication, JSON errors and the OpenAPI entries come from the toolkit's
``api_blueprint``; every write is one unit of work through :mod:`plugins.inboxes.services`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from marshmallow import fields, validate

from crm_core.toolkit import (
    NotFound,
    api_blueprint,
    api_body,
    crm_state,
    current_access,
    get_element,
    int_arg,
    unit_of_work,
)
from crm_core.toolkit import session as db_session
from plugins.inboxes import queries, services
from plugins.inboxes.actions import SendSchema
from plugins.inboxes.settings import page_size


class SendRequestSchema(SendSchema):
    session_name = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    element_id = fields.Int(required=True, strict=True)


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_ERR = {str(c): {"description": "Error", "content": _ERROR} for c in (400, 401, 403, 404, 422)}
_ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "session": {"type": "string"}, "type": {"type": "string"},
    "element_id": {"type": "integer"}, "name": {"type": "string", "nullable": True}, "visible": {"type": "boolean"},
    "requested_action": {"type": "string"}, "requested_action_label": {"type": "string"},
    "action_text": {"type": "string"}, "note": {"type": "string"},
    "received_at": {"type": "string", "format": "date-time"},
    "sender": {"type": "string"}, "group_id": {"type": "integer", "nullable": True},
    "taken_at": {"type": "string", "format": "date-time", "nullable": True}, "state": {"type": "string"},
}}
_OK = {"200": {"description": "The item", "content": {"application/json": {"schema": _ITEM}}}, **_ERR}
_LIST = {"200": {"description": "One page of open items", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"items": {"type": "array", "items": _ITEM}, "total": {"type": "integer"},
                                      "page": {"type": "integer"}, "per_page": {"type": "integer"}}}}}}, **_ERR}
_PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
         {"name": "sort", "in": "query", "schema": {"type": "string", "enum": [
             k for key in queries.SORTS for k in (key, "-" + key)]}}]
_ID = [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_SEND_BODY = {"type": "object", "required": ["session_name", "element_id", "recipient", "requested_action"],
              "properties": {
    "session_name": {"type": "string"}, "element_id": {"type": "integer"},
    "recipient": {"type": "string", "description": "user:<id> or group:<id>"},
    "requested_action": {"type": "string"}, "action_text": {"type": "string", "maxLength": 200},
    "note": {"type": "string", "maxLength": 2000}}}
PATHS = {
    "/mine": {"get": {"tags": ["inboxes"], "summary": "My inbox", "parameters": _PAGE, "responses": _LIST}},
    "/group": {"get": {"tags": ["inboxes"], "summary": "My group's inbox", "parameters": _PAGE, "responses": _LIST}},
    "/send": {"post": {"tags": ["inboxes"], "summary": "Send an element to a user's or a group's inbox",
                       "requestBody": {"required": True, "content": {"application/json": {"schema": _SEND_BODY}}},
                       "responses": {"201": _OK["200"], **_ERR}}},
    "/{item_id}/take": {"post": {"tags": ["inboxes"], "summary": "Take an item of my group's inbox",
                                 "parameters": _ID, "responses": _OK}},
    "/{item_id}/done": {"post": {"tags": ["inboxes"], "summary": "Mark an item of my inbox done",
                                 "parameters": _ID, "responses": _OK}},
    "/{item_id}/dismiss": {"post": {"tags": ["inboxes"], "summary": "Dismiss an item", "parameters": _ID,
                                    "responses": _OK}},
}

bp = api_blueprint("inboxes_api", __name__, "inboxes", PATHS)


def _item_json(item: Any) -> dict[str, Any]:
    return queries.rows(db_session(), current_access(), [item])[0].as_json()


def _box(box: str) -> Response:
    page = int_arg("page", 1, low=1, high=100_000) or 1
    size = page_size()
    rows, total = queries.page_of(db_session(), current_access(), box, request.args.get("sort", ""), page, size)
    return jsonify({"items": [r.as_json() for r in rows], "total": total, "page": page, "per_page": size})


@bp.get("/mine")
def mine() -> Response:
    return _box("mine")


@bp.get("/group")
def group() -> Response:
    return _box("group")


@bp.post("/send")
def send() -> tuple[Response, int]:
    data = SendRequestSchema().load(api_body())
    access = current_access()
    registry = crm_state().registry
    sdef = registry.sessions.get(data["session_name"])
    if sdef is None or sdef.model is None or not registry.is_available(sdef.name):
        raise NotFound(_("No such session."))
    with unit_of_work() as db:
        element = get_element(db, sdef, access, data["element_id"], "view")
        item = services.send(db, sdef, access, element, data["recipient"], data["requested_action"],
                             data["action_text"], data["note"])
        body = _item_json(item)
    return jsonify(body), 201


@bp.post("/<int:item_id>/take")
def take(item_id: int) -> Response:
    with unit_of_work() as db:
        body = _item_json(services.take(db, current_access(), item_id))
    return jsonify(body)


@bp.post("/<int:item_id>/done")
def done(item_id: int) -> Response:
    with unit_of_work() as db:
        body = _item_json(services.close(db, current_access(), item_id, "done"))
    return jsonify(body)


@bp.post("/<int:item_id>/dismiss")
def dismiss(item_id: int) -> Response:
    with unit_of_work() as db:
        body = _item_json(services.close(db, current_access(), item_id, "dismissed"))
    return jsonify(body)
