"""REST endpoints for every session with a model (CORE-16).

Nothing here decides permissions or ownership: reads go through ``crm_core.services.queries``
and ``crm_core.security.access.get_element``, writes through ``crm_core.services.elements``, so
the API refuses exactly what the screens refuse (403 without the group permission, 404 for an
element the user may not see). Each write runs in one ``unit_of_work``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from flask import Response, abort, jsonify, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from crm_core.api.blueprint import bp
from crm_core.api.errors import etag, json_error
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef, dumping_schema, schema_fields
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.extensions import crm_state
from crm_core.request_input import INT64_MAX, MAX_PAGE, int_arg
from crm_core.security import current_access, get_element
from crm_core.security.field_access import restricted
from crm_core.services import elements, queries
from crm_core.services import views as grid_views
from crm_core.services.groupings import members_filter
from crm_core.services.queries import Criterion, ListQuery, status_filter
from crm_core.validation_messages import translate

TRUE = ("1", "true", "yes", "on")
#: The list arguments a saved view keeps and applies through the API (columns are the screen's).
VIEW_KEYS = ("q", "status", "only", "all", "sort", "per_page", "grouping")
#: Ids past the 32-bit id column of views are unknown, never a database error.
VIEW_ID_LIMIT = 2**31


def api_sdef(name: str) -> SessionDef:
    """The available session ``name`` that has a model, as the caller may see it (hidden fields
    left out of reads, read-only ones not written: field-level access), else 404."""
    registry = crm_state().registry
    sdef = registry.sessions.get(name)
    if sdef is None or not sdef.has_grid or not registry.is_available(name):
        raise NotFound(_("No such session."))
    return restricted(sdef, current_access())


def field_names(schema: type[Schema]) -> frozenset[str]:
    """The fields a session exposes."""
    return frozenset(schema_fields(schema))


def dump(sdef: SessionDef, element: Any) -> dict[str, Any]:
    assert sdef.schema is not None
    return sdef.schema().dump(element)


def json_body(allow_empty: bool = False, fields: Collection[str] | None = None) -> dict[str, Any]:
    """The request's JSON object; 415 for another content type, 400 for anything but an object
    and (with ``fields``) for a key outside them, each named *Unknown field.*"""
    if allow_empty and not request.content_length and not request.data:
        return {}
    if not request.is_json:
        abort(415, _("Send the body as JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError({"_schema": [_("The body must be a JSON object.")]})
    unknown = set(data) - set(fields) if fields is not None else set()
    if unknown:
        raise ValidationError({key: [_("Unknown field.")] for key in sorted(unknown)})
    return data


def _field_value(sdef: SessionDef, name: str, raw: str) -> Any:
    """Convert a filter value with the schema field, so SQL compares like with like."""
    assert sdef.schema is not None
    field = schema_fields(sdef.schema)[name]
    try:
        return field.deserialize(raw)
    except ValidationError as exc:
        messages = [_("%(field)s: %(message)s", field=name, message=translate(m)) for m in exc.messages]
        raise ValidationError({"filter": messages}) from None


def parse_filter(sdef: SessionDef, spec: str) -> Criterion:
    """``field:op:value``; ``between`` takes ``low,high``, ``empty`` no value."""
    assert sdef.schema is not None
    name, _sep, rest = spec.partition(":")
    op, _sep, raw = rest.partition(":")
    if name not in field_names(sdef.schema):
        raise ValidationError({"filter": [_("Unknown field “%(f)s”.", f=name)]})
    if op not in queries.OPERATORS:
        raise ValidationError({"filter": [_("Unknown operator “%(o)s”.", o=op)]})
    if op == "empty":
        return Criterion(name, op)
    if op in ("contains", "startswith"):
        return Criterion(name, op, raw)
    if op == "between":
        low, sep, high = raw.partition(",")
        if not sep:
            raise ValidationError({"filter": [_("“between” needs two values: low,high.")]})
        return Criterion(name, op, (_field_value(sdef, name, low), _field_value(sdef, name, high)))
    return Criterion(name, op, _field_value(sdef, name, raw))


def list_query(sdef: SessionDef, args: MultiDict[str, str] | None = None) -> ListQuery:
    """Translate query-string arguments (or ``args``: a bulk request's ``filters``); anything
    unknown is a 400, never a silent default."""
    assert sdef.schema is not None
    args = request.args if args is None else args
    statuses = args.getlist("status")
    known = {s.code for s in sdef.statuses}
    unknown = [s for s in statuses if s not in known]
    if unknown:
        raise ValidationError({"status": [_("Unknown status “%(s)s”.", s=unknown[0])]})
    sort = args.get("sort", "")
    if sort and sort.lstrip("-") not in field_names(sdef.schema):
        raise ValidationError({"sort": [_("Unknown field “%(f)s”.", f=sort.lstrip("-"))]})
    if sort and sort.lstrip("-") not in queries.sortable(sdef):
        raise ValidationError({"sort": [_("The list cannot be sorted by “%(f)s”.", f=sort.lstrip("-"))]})
    match = args.get("match", "all")
    if match not in ("all", "any"):
        raise ValidationError({"match": [_("Use “all” or “any”.")]})
    only = args.getlist("only")
    unknown_only = [name for name in only if sdef.named_filter(name) is None]
    if unknown_only:
        raise ValidationError({"only": [_("Unknown filter “%(f)s”.", f=unknown_only[0])]})
    return ListQuery(
        all_records=args.get("all", "").lower() in TRUE,
        status=tuple(statuses),
        only=tuple(only),
        text=args.get("q", "")[:200],
        criteria=tuple(parse_filter(sdef, f) for f in args.getlist("filter")),
        match=match,
        sort=sort,
        page=int_arg("page", 1, source=args, low=1, high=MAX_PAGE) or 1,
        per_page=int_arg("per_page", 50, source=args, low=1, high=queries.MAX_PER_PAGE) or 50,
        members=_members(sdef, args),
    )


def view_arguments(sdef: SessionDef, args: MultiDict[str, str]) -> MultiDict[str, str]:
    """``args`` with ``view=<id>`` replaced by that view's state (a view the caller may see, else
    404); an argument given explicitly overrides the view's. A status the view names by its
    visible name is given by its code; one that no longer exists is left out."""
    if "view" not in args:
        return args
    view_id = int_arg("view", source=args, low=1, high=VIEW_ID_LIMIT - 1)
    view = grid_views.get_visible(db_session(), current_access().user, sdef.name, view_id or 0)
    pairs = [(k, v) for k, v in grid_views.stored_pairs(view, VIEW_KEYS) if k not in args]
    statuses = [v for k, v in pairs if k == "status"]
    codes, _unknown = status_filter(sdef, statuses)
    merged = [(k, v) for k, v in pairs if k != "status"] + [("status", c) for c in codes]
    merged += [(k, v) for k in args for v in args.getlist(k) if k != "view"]
    return MultiDict(merged)


def _members(sdef: SessionDef, args: MultiDict[str, str]) -> Any:
    """``grouping=<id>``: the ids of that grouping's members for the caller (a 400 when they may
    not see it), else ``None``."""
    grouping = int_arg("grouping", 0, source=args, low=1)
    if not grouping:
        return None
    access = current_access()
    try:
        return members_filter(db_session(), sdef, access, grouping)
    except BusinessRuleError as exc:
        raise ValidationError({"grouping": [str(exc)]}) from None


def load(sdef: SessionDef, element_id: int, action: str = "view") -> Any:
    """The element through the ownership rules; ids no column can hold are simply not found."""
    if element_id > INT64_MAX:
        raise NotFound(_("No such element."))
    return get_element(db_session(), sdef, current_access(), element_id, action)


def element_response(sdef: SessionDef, element: Any, status: int = 200) -> Response:
    response = jsonify(dump(sdef, element))
    response.status_code = status
    return etag(response, element.version)


def expected_version(body: dict[str, Any]) -> int | None:
    """``If-Match: "<version>"`` or ``version`` in the body (removed from the data)."""
    raw: Any = body.pop("version", None)
    header = request.headers.get("If-Match")
    if header:
        raw = header.strip().removeprefix("W/").strip('"')
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError({"version": [_("Must be a whole number.")]})
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"version": [_("Must be a whole number.")]}) from None


@bp.get("/<session_name>")
def list_elements(session_name: str) -> Response:
    sdef = api_sdef(session_name)
    q = list_query(sdef, view_arguments(sdef, request.args))
    try:
        page = queries.fetch_page(db_session(), sdef, current_access(), q)
    except BusinessRuleError as exc:  # a schema field that is not a column: bad input, not a rule
        raise ValidationError({exc.field or "filter": [str(exc)]}) from None
    body: dict[str, Any] = {
        # one schema instance for the page, with the cheaper attribute access (declarations/schemas.py)
        "items": dumping_schema(sdef.schema)(many=True).dump(page.items),
        "page": page.page,
        "per_page": page.per_page,
        "has_next": page.has_next,
        "next": None,
    }
    if page.has_next:
        args = request.args.to_dict(flat=False)
        args["page"] = [str(page.page + 1)]
        body["next"] = url_for("api.list_elements", session_name=session_name, **args)
    return jsonify(body)


@bp.post("/<session_name>")
def create_element(session_name: str) -> Response:
    sdef = api_sdef(session_name)
    data = json_body()
    with unit_of_work() as db:
        element = elements.create(db, sdef, current_access(), data)
    response = element_response(sdef, element, 201)
    response.headers["Location"] = url_for("api.read_element", session_name=session_name, element_id=element.id)
    return response


@bp.get("/<session_name>/<int:element_id>")
def read_element(session_name: str, element_id: int) -> Response:
    sdef = api_sdef(session_name)
    return element_response(sdef, load(sdef, element_id))


@bp.patch("/<session_name>/<int:element_id>")
def update_element(session_name: str, element_id: int) -> Response:
    sdef = api_sdef(session_name)
    data = json_body()
    version = expected_version(data)
    with unit_of_work() as db:
        element = load(sdef, element_id, "modify")
        elements.update(db, sdef, current_access(), element, data, expected_version=version)
    return element_response(sdef, element)


@bp.delete("/<session_name>/<int:element_id>")
def delete_element(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    sdef = api_sdef(session_name)
    with unit_of_work() as db:
        element = load(sdef, element_id, "modify")
        if not sdef.deletable:
            body, status = json_error(405, "not_deletable", _("%(s)s cannot be deleted.", s=sdef.label))
            body.headers["Allow"] = "GET, PATCH"
            return body, status
        elements.delete(db, sdef, current_access(), element)
    return "", 204


def _result(value: Any) -> Any:
    """An action's return value as JSON: plain values, elements of a known session (dumped by
    their schema), and lists or dataclasses of those (e.g. "3 created, 1 skipped"); else null."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_result(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _result(getattr(value, f.name)) for f in dataclasses.fields(value)}
    try:
        other = crm_state().registry.session_of(value)
    except (KeyError, AttributeError):
        return None
    return {"session_name": other.name, "item": dump(other, value)}


@bp.post("/<session_name>/<int:element_id>/actions/<name>")
def run_action(session_name: str, element_id: int, name: str) -> Response:
    sdef = api_sdef(session_name)
    if sdef.action(name) is None:
        raise NotFound(_("Unknown action."))
    data = json_body(allow_empty=True)
    with unit_of_work() as db:
        element = load(sdef, element_id)
        result = elements.run_action(db, sdef, current_access(), element, name, data)
    response = jsonify({"item": dump(sdef, element), "result": _result(result)})
    return etag(response, element.version)
