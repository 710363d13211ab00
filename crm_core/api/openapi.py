"""The OpenAPI 3 document, generated from the session declarations (CORE-16).

One path set per session with a model, one component schema per session schema (read and
partial-update variants), each action with its input schema, the import jobs of importable
sessions, the error schema and the bearer security scheme, then the operations plugins describe
for their own API blueprints (:mod:`crm_core.api.plugin_api`). Built with apispec's marshmallow
plugin so it always matches what the API loads.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify, render_template, request
from flask_login import current_user

from crm_core.api.auth import authenticate
from crm_core.api.blueprint import bp
from crm_core.api.errors import ERROR_SCHEMA
from crm_core.api.imports import REPORT_LINES
from crm_core.api.plugin_api import declared_paths
from crm_core.declarations import SessionDef, schema_fields
from crm_core.extensions import crm_state
from crm_core.importing.reader import ENCODINGS, SEPARATORS
from crm_core.models.bulk_jobs import BULK_JOB_STATES
from crm_core.models.imports import JOB_STATES, MODES, ON_DUPLICATE
from crm_core.security import current_access
from crm_core.security.access import Access
from crm_core.security.field_access import restricted
from crm_core.services import bulk_actions
from crm_core.services.queries import MAX_PER_PAGE, sortable

ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "Error", "content": {"application/json": {"schema": ERROR_REF}}} for c in codes}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_parameters(sdef: SessionDef) -> list[dict[str, Any]]:
    assert sdef.schema is not None
    fields = sorted(schema_fields(sdef.schema))
    sorts = [f for f in fields if f in sortable(sdef)]  # only the sorts an index serves
    codes = [s.code for s in sdef.statuses]
    status_items: dict[str, Any] = {"type": "string", **({"enum": codes} if codes else {})}
    return [
        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
         "description": "Words matched against the session's search fields."},
        {"name": "status", "in": "query", "schema": {"type": "array", "items": status_items},
         "style": "form", "explode": True},
        {"name": "all", "in": "query", "schema": {"type": "boolean"},
         "description": "All records instead of your own (leaders and administrators)."},
        {"name": "filter", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
         "style": "form", "explode": True, "description": "field:op:value, op one of = != < <= > >= between "
         "contains startswith empty."},
        {"name": "match", "in": "query", "schema": {"type": "string", "enum": ["all", "any"]}},
        {"name": "grouping", "in": "query", "schema": {"type": "integer", "minimum": 1},
         "description": "Only the members of this grouping (a static grouping's chosen records or a smart "
         "list's matches, computed for you); a grouping you cannot see is a 400."},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": sorts + [f"-{f}" for f in sorts]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
        {"name": "view", "in": "query", "schema": {"type": "integer", "minimum": 1},
         "description": "Apply one of your saved views (or one shared with you): its q, status, only, all, "
         "sort, per_page and grouping; an argument given here overrides the view's. Another's is a 404."},
    ]


def _session_paths(spec: APISpec, sdef: SessionDef, item: str, patch: str, plugin: MarshmallowPlugin) -> None:
    base = f"{bp.url_prefix}/{sdef.name}"
    tag = [sdef.name]
    id_param = {"name": "element_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    page = {
        "type": "object",
        "required": ["items", "page", "per_page", "has_next", "next"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "has_next": {"type": "boolean"},
            "next": {"type": "string", "nullable": True},
        },
    }
    spec.path(path=base, operations={
        "get": {"tags": tag, "summary": f"List {sdef.label}", "parameters": _list_parameters(sdef),
                "responses": {"200": _json(page), **_errors(400, 401, 403)}},
        "post": {"tags": tag, "summary": f"Create in {sdef.label}", "requestBody": _body(_ref(item)),
                 "responses": {"201": _json(_ref(item), "Created"), **_errors(400, 401, 403, 415, 422)}},
    })
    if_match = {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                "description": "The version read (ETag); a stale one gives 409."}
    delete_codes = (401, 403, 404, 409, 422) if sdef.deletable else (401, 403, 404, 405)
    spec.path(path=f"{base}/{{element_id}}", parameters=[id_param], operations={
        "get": {"tags": tag, "responses": {"200": _json(_ref(item)), **_errors(401, 403, 404)}},
        "patch": {"tags": tag, "parameters": [if_match], "requestBody": _body(_ref(patch)),
                  "responses": {"200": _json(_ref(item)), **_errors(400, 401, 403, 404, 409, 415, 422)}},
        "delete": {"tags": tag, "responses": {"204": {"description": "Deleted"}, **_errors(*delete_codes)}},
    })
    _bulk_path(spec, sdef, base, tag)
    _view_paths(spec, base, tag)
    for action in sdef.actions:
        input_ref: dict[str, Any] = {"type": "object"}
        if action.schema is not None:
            name = f"{sdef.name}.{action.name}"
            spec.components.schema(name, plugin.converter.schema2jsonschema(action.schema))
            input_ref = _ref(name)
        result = {"type": "object", "properties": {"item": _ref(item), "result": {"nullable": True}}}
        spec.path(path=f"{base}/{{element_id}}/actions/{action.name}", operations={
            "post": {"tags": tag, "summary": str(action.label), "parameters": [id_param],
                     "requestBody": {"required": False, "content": {"application/json": {"schema": input_ref}}},
                     "responses": {"200": _json(result), **_errors(400, 401, 403, 404, 415, 422)}},
        })


BULK_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string"}, "value": {"type": "string", "nullable": True},
        "done": {"type": "integer"}, "refused": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "result": {"type": "string", "enum": ["done", "refused"]}, "reason": {"type": "string"}}}},
    },
}


VIEW_STATE: dict[str, Any] = {
    "type": "object", "description": "The list arguments the view applies, and the grid's columns (cols)",
    "properties": {"cols": {"type": "array", "items": {"type": "string"},
                            "description": "Declared columns of the session, in the order the grid shows them"},
                   "q": {"type": "string"}, "status": {"type": "array", "items": {"type": "string"}},
                   "only": {"type": "array", "items": {"type": "string"}}, "all": {"type": "string", "enum": ["1"]},
                   "sort": {"type": "string"}, "per_page": {"type": "integer"}, "grouping": {"type": "integer"}},
}
SAVED_VIEW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "state": VIEW_STATE,
        "is_default": {"type": "boolean"}, "shared": {"type": "string", "enum": ["all", "group"], "nullable": True},
        "group_id": {"type": "integer", "nullable": True}, "own": {"type": "boolean"},
    },
}


def _view_paths(spec: APISpec, base: str, tag: list[str]) -> None:
    """Saved grid views (issue 17 leftovers item 4): list, save, delete."""
    new_view = {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string", "maxLength": 80}, "state": VIEW_STATE,
                       "shared": {"type": "string", "enum": ["", "all", "group"],
                                  "description": "administrators only"},
                       "group_id": {"type": "integer", "description": "with shared = group"}},
    }
    items = {"type": "object", "properties": {"items": {"type": "array", "items": SAVED_VIEW}}}
    spec.path(path=f"{base}/views", operations={
        "get": {"tags": tag, "summary": "Your saved views and the ones shared with you",
                "responses": {"200": _json(items), **_errors(401, 403)}},
        "post": {"tags": tag, "summary": "Save a view (a name you already use replaces its state)",
                 "requestBody": _body(new_view),
                 "responses": {"201": _json(SAVED_VIEW, "Saved"), **_errors(400, 401, 403, 415, 422)}},
    })
    view_param = {"name": "view_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(path=f"{base}/views/{{view_id}}", parameters=[view_param], operations={
        "delete": {"tags": tag, "summary": "Delete your view (administrators: also a shared one)",
                   "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404)}},
    })


BULK_JOB: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "session_name": {"type": "string"}, "action": {"type": "string"},
        "value": {"type": "string", "nullable": True},
        "state": {"type": "string", "enum": list(BULK_JOB_STATES)}, "finished": {"type": "boolean"},
        **{name: {"type": "integer"} for name in ("total", "processed", "done", "refused")},
        "message": {"type": "string"}, "url": {"type": "string"},
        "results": {"type": "array", "description": "The refused records, once finished",
                    "items": BULK_RESULT["properties"]["results"]["items"]},
    },
}


def _bulk_path(spec: APISpec, sdef: SessionDef, base: str, tag: list[str]) -> None:
    """``POST …/bulk`` (issue 17 item 5): one action on ids or on every record the filters match;
    past ``CRM_BULK_JOB_THRESHOLD`` records a job (202) whose ``GET …/bulk/jobs/{job_id}`` reports."""
    codes = [s.code for s in sdef.statuses]
    status_items: dict[str, Any] = {"type": "string", **({"enum": codes} if codes else {})}
    body = {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {"type": "string", "enum": list(bulk_actions.ACTIONS)},
            "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": bulk_actions.BULK_CAP},
            "filters": {"type": "object", "description": "The list's query arguments; every match, "
                        f"at most {bulk_actions.BULK_CAP}", "properties": {
                            "q": {"type": "string"}, "status": {"type": "array", "items": status_items},
                            "only": {"type": "array", "items": {"type": "string"}},
                            "filter": {"type": "array", "items": {"type": "string"}},
                            "match": {"type": "string", "enum": ["all", "any"]}, "all": {"type": "boolean"},
                            "grouping": {"type": "integer"}}},
            "value": {"type": "string", "description": "owner: a user id; status: a status code; "
                      "grouping: a static grouping's id; delete: none"},
        },
    }
    spec.path(path=f"{base}/bulk", operations={"post": {
        "tags": tag, "summary": f"Bulk action on {sdef.label} (each record done or refused, with the reason)",
        "requestBody": _body(body), "responses": {
            "200": _json(BULK_RESULT),
            "202": {"description": "More records than CRM_BULK_JOB_THRESHOLD: queued as a job (Location)",
                    "content": {"application/json": {"schema": BULK_JOB}}},
            **_errors(400, 401, 403, 404, 415)},
    }})
    job_param = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(path=f"{base}/bulk/jobs/{{job_id}}", parameters=[job_param], operations={"get": {
        "tags": tag, "summary": "A queued bulk action's progress and refused records (its starter or an admin)",
        "responses": {"200": _json(BULK_JOB), **_errors(401, 403, 404)},
    }})


IMPORT_JOB: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "session_name": {"type": "string"}, "filename": {"type": "string"},
        "encoding": {"type": "string"}, "separator": {"type": "string"}, "header": {"type": "boolean"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "mode": {"type": "string", "enum": list(MODES)}, "on_duplicate": {"type": "string", "enum": list(ON_DUPLICATE)},
        "state": {"type": "string", "enum": list(JOB_STATES)}, "finished": {"type": "boolean"},
        **{name: {"type": "integer"} for name in ("total", "processed", "created", "updated", "skipped", "failed")},
        "message": {"type": "string"},
        "written": {"type": "array", "description": "[first, last] runs of the lines written",
                    "items": {"type": "array", "items": {"type": "integer"}}},
        "report": {"type": "array", "description": f"The first {REPORT_LINES} refused or skipped lines",
                   "items": {"type": "object", "properties": {
                       "line": {"type": "integer"}, "field": {"type": "string"}, "reason": {"type": "string"}}}},
        "report_lines": {"type": "integer"}, "errors_url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
IMPORT_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "Delimited text (CSV), within the upload limit"},
        "encoding": {"type": "string", "enum": list(ENCODINGS), "description": "Empty: detected"},
        "separator": {"type": "string", "enum": list(SEPARATORS), "description": "Empty: detected"},
        "header": {"type": "boolean", "description": "The first line names the columns (default true)"},
        "columns": {"type": "string", "description": 'JSON array: a field name, or "" to ignore, per file column'},
        "mapping": {"type": "string", "description": "Name of a saved mapping (instead of columns)"},
        "mode": {"type": "string", "enum": list(MODES), "description": "all: all-or-nothing; valid: the valid lines"},
        "on_duplicate": {"type": "string", "enum": list(ON_DUPLICATE)},
    },
}


def _import_paths(spec: APISpec, sdef: SessionDef) -> None:
    base = f"{bp.url_prefix}/{sdef.name}/imports"
    tag = [sdef.name]
    job_param = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(path=base, operations={"post": {
        "tags": tag, "summary": f"Import a file into {sdef.label}",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _ref("ImportForm")}}},
        "responses": {"201": {**_json(_ref("ImportJob"), "Job created (Location: the job)"),
                              "headers": {"Location": {"schema": {"type": "string"}}}},
                      **_errors(400, 401, 403, 404, 413, 415)},
    }})
    spec.path(path=f"{base}/{{job_id}}", parameters=[job_param], operations={"get": {
        "tags": tag, "summary": "Progress and per-line report of an import",
        "responses": {"200": _json(_ref("ImportJob")), **_errors(401, 403, 404)},
    }})
    spec.path(path=f"{base}/{{job_id}}/errors.csv", parameters=[job_param], operations={"get": {
        "tags": tag, "summary": "Every refused or skipped line (line, field, reason)",
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                      **_errors(401, 403, 404)},
    }})


def build_spec(access: Access | None = None) -> dict[str, Any]:
    """The document for the sessions registered in the current app; with ``access``, as that
    user may use the API: only the sessions they may read, without the fields their group may
    not see, and with the fields it may not change marked ``readOnly`` (field-level access)."""
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    spec = APISpec(
        title="CRM API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": "Generated from the session declarations. Authenticate with Bearer tokens."},
    )
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.schema("ImportJob", IMPORT_JOB)
    spec.components.schema("ImportForm", IMPORT_FORM)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    registry = crm_state().registry
    for sdef in registry.grid_sessions():
        if not registry.is_available(sdef.name):
            continue
        if access is not None:
            if not access.can(sdef, "view"):
                continue
            sdef = restricted(sdef, access)
        assert sdef.schema is not None
        item, patch = sdef.name, f"{sdef.name}.patch"
        # Converted to plain dicts: several sessions may share one schema class (apispec keys
        # registered schemas by class and would otherwise point them all at one name).
        spec.components.schema(item, plugin.converter.schema2jsonschema(sdef.schema()))
        spec.components.schema(patch, plugin.converter.schema2jsonschema(sdef.schema(partial=True)))
        _session_paths(spec, sdef, item, patch, plugin)
        if sdef.importable:
            _import_paths(spec, sdef)
    for path, operations in sorted(declared_paths().items()):
        spec.path(path=path, operations=operations)
    doc = spec.to_dict()
    doc["security"] = [{"bearerAuth": []}]
    return doc


@bp.get("/openapi.json")
def openapi() -> Response:
    """Public: the API as installed. A caller who authenticates (a token, or the signed-in
    session of the reference page) gets the document as they may use it (:func:`build_spec`);
    a bad token is the 401 of any API request."""
    if request.headers.get("Authorization") or current_user.is_authenticated:
        authenticate()
        response = jsonify(build_spec(current_access()))
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Authorization")
        response.vary.add("Cookie")
        return response
    return jsonify(build_spec())


@bp.get("/docs")
def docs() -> str:
    """The API reference page (Swagger UI, from npm) reading :func:`openapi`; public like it.
    Signed-in users can try requests out with their session (the page sends the CSRF token)."""
    return render_template("api/docs.html")
