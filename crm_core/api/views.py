"""Saved grid views for API callers (issue 17 leftovers item 4; CORE-16, CORE-08).

``GET /api/v1/<session>/views`` lists the caller's own views and those shared with them;
``POST`` saves one of the caller's own (``name`` and ``state``: the list arguments ``q``,
``status``, ``only``, ``all``, ``sort``, ``per_page``, ``grouping`` — checked by the list's own
reader — and the grid's ``cols``, the session's declared columns in the order shown; a state the
list would refuse, or an unknown column, is a 400 and stores nothing; saving under the name of
one of the caller's views replaces its state, as on the screen); ``shared``/``group_id`` share it
in the same transaction — administrators only (403 otherwise, nothing stored).
``DELETE …/views/<id>`` removes the caller's own view, or, for an administrator, a shared one.
``GET /api/v1/<session>?view=<id>`` applies a view (:func:`view_arguments`). Every route first
needs ``view`` on the session; the view's own rules are :mod:`crm_core.services.views`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from crm_core.api.blueprint import bp
from crm_core.api.resources import VIEW_ID_LIMIT, VIEW_KEYS, api_sdef, json_body, list_query
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import NotFound
from crm_core.models.auth import User
from crm_core.models.views import GridView
from crm_core.screens.grid_state import chosen_columns
from crm_core.security import current_access
from crm_core.services import views as grid_views

_REPEATED = ("status", "only", "cols")
#: A view also keeps the grid's columns (``cols``: names among the session's declared columns,
#: in the order shown), which the list API itself does not take.
_STATE_KEYS = (*VIEW_KEYS, "cols")


def view_json(view: GridView, user: User) -> dict[str, Any]:
    return {"id": view.id, "name": view.name, "state": view.state or {}, "is_default": view.is_default,
            "shared": view.shared, "group_id": view.group_id, "own": view.user_id == user.id}


def _state_args(raw: Any) -> MultiDict[str, str]:
    if not isinstance(raw, dict) or set(raw) - set(_STATE_KEYS):
        raise ValidationError({"state": [_("Use an object with: %(keys)s.", keys=", ".join(_STATE_KEYS))]})
    pairs: list[tuple[str, str]] = []
    for key, value in raw.items():
        items = value if isinstance(value, list) and key in _REPEATED else [value]
        for item in items:
            if isinstance(item, dict | list) or item is None:
                raise ValidationError({"state": [_("“%(k)s” takes text or a list of texts.", k=key)]})
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return MultiDict(pairs)


def _stored(sdef: SessionDef, args: MultiDict[str, str]) -> dict[str, Any]:
    """The checked arguments in the form the grid stores a view's state in."""
    cols, unknown = chosen_columns(sdef, args.getlist("cols"))
    if unknown:
        raise ValidationError({"state": [_("Unknown columns: %(names)s.", names=", ".join(unknown))]})
    listed = MultiDict([(k, v) for k, v in args.items(multi=True) if k != "cols"])
    query = list_query(sdef, listed)  # a 400 naming the argument for anything the list refuses
    state: dict[str, Any] = {
        "cols": cols if cols != (list(sdef.columns) or ["id"]) else None,
        "q": query.text, "status": list(query.status), "only": list(query.only),
        "all": "1" if query.all_records else None, "sort": query.sort,
        "per_page": query.per_page if "per_page" in listed else None,
        "grouping": int(listed["grouping"]) if listed.get("grouping") else None,
    }
    return {k: v for k, v in state.items() if v not in (None, [], "")}


@bp.get("/<session_name>/views")
def list_views(session_name: str) -> Response:
    sdef = api_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    views = grid_views.visible(db_session(), access.user, sdef.name)
    return jsonify({"items": [view_json(v, access.user) for v in views]})


@bp.post("/<session_name>/views")
def save_view(session_name: str) -> Response:
    sdef = api_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    body = json_body(fields=("name", "state", "shared", "group_id"))
    name = body.get("name")
    if not isinstance(name, str):
        raise ValidationError({"name": [_("Give the view a name.")]})
    state = _stored(sdef, _state_args(body.get("state", {})))
    shared, group_id = body.get("shared"), body.get("group_id")
    if shared is not None and not isinstance(shared, str):
        raise ValidationError({"shared": [_("Choose with whom to share the view.")]})
    if group_id is not None and (isinstance(group_id, bool) or not isinstance(group_id, int)
                                 or not 0 < group_id < VIEW_ID_LIMIT):
        raise ValidationError({"group_id": [_("Choose the group to share the view with.")]})
    with unit_of_work() as db:
        view = grid_views.save(db, access.user, sdef.name, name, state)
        if "shared" in body:
            grid_views.share(db, access.user, view, shared, group_id)
        answer = view_json(view, access.user)
    response = jsonify(answer)
    response.status_code = 201
    return response


@bp.delete("/<session_name>/views/<int:view_id>")
def delete_view(session_name: str, view_id: int) -> tuple[str, int]:
    sdef = api_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    if not 0 < view_id < VIEW_ID_LIMIT:
        raise NotFound(_("There is no such view, or you may not see it."))
    with unit_of_work() as db:
        grid_views.remove(db, grid_views.get_removable(db, access.user, sdef.name, view_id))
    return "", 204
