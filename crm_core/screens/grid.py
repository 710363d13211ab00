"""The generic grid (CORE-08, CORE-14, CORE-18): one table per session, built from its
declaration, with status/text filters, own/all switch, sorting, paging and a toolbar that shows
only what the user may do. Also the JSON lookup used by pickers (and their "+ New …" entry);
the bulk actions on ticked or matching rows are :mod:`crm_core.screens.bulk`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.db import read_session, unit_of_work
from crm_core.db import session as db_session
from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.reports.formats import is_phone_field
from crm_core.request_input import int_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.cell import cell_editor
from crm_core.screens.common import endpoint_url, grid_sdef, messages_of
from crm_core.screens.grid_cells import CellText, row_cells
from crm_core.screens.grid_state import PER_PAGE_CHOICES, addresses_by, grid_address, ordered_choice, read_state
from crm_core.security import current_access
from crm_core.services import bulk_actions
from crm_core.services import views as grid_views
from crm_core.services.display import Names, reference_targets, shown, state_tones, user_fields, value_names
from crm_core.services.groupings import SESSION as SMART_SESSION
from crm_core.services.queries import ListQuery, capped_count, fetch_page, sortable

LOOKUP_LIMIT = 20
#: Stands for a row's id in the detail link built once per page (``url_for`` per row cost about a
#: tenth of a page's CPU); digits, so the route accepts it.
ID_MARK = 987654321987


def _label(sdef: SessionDef, name: str) -> str:
    assert sdef.schema is not None
    field = schema_fields(sdef.schema).get(name)
    label = field.metadata.get("label") if field is not None else None
    text = str(label) if label is not None else ""  # once: a lazy label translates on each use
    return text or name.replace("_", " ").capitalize()


def _with_id(address: str) -> Callable[[int], str]:
    """A record's path from one built with :data:`ID_MARK` for its id."""
    mark = str(ID_MARK)
    return lambda pk: address.replace(mark, str(pk), 1)


def cell(sdef: SessionDef, element: Any, col: str, names: Names) -> str:
    """One grid value as people read it (:func:`crm_core.services.display.shown`), localised
    (CORE-17); the page itself formats its cells with :func:`crm_core.screens.grid_cells.row_cells`."""
    return CellText()(shown(sdef, element, col, names), col, names)


def _smart_list_url(sdef: SessionDef, access: Any, state: dict[str, Any]) -> str | None:
    """The new-grouping form prefilled with this grid's filters as a smart list's criteria
    (offered while a filter is applied and the user may create groupings)."""
    registry = crm_state().registry
    if sdef.name == SMART_SESSION or SMART_SESSION not in registry.sessions or not access.can(SMART_SESSION, "modify"):
        return None
    criteria = [("q", state["q"])] if state["q"] else []
    criteria += [("status", s) for s in state["status"]] + [("only", o) for o in state["only"]]
    if not criteria:
        return None
    args = urlencode({"session_name": sdef.name, "criteria": urlencode(criteria)})
    return f"{url_for('screens.new', session_name=SMART_SESSION)}?{args}"


@bp.route("/<session_name>")
def grid(session_name: str):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    # the views menu's views, read once: the bare grid also finds the user's default view there
    views = grid_views.visible(db_session(), access.user, sdef.name)
    if not request.args:  # the bare grid opens the user's default view, if any (issue 17 item 4)
        default = next((v for v in views if v.user_id == access.user.id and v.is_default), None)
        if default is not None:
            return redirect(url_for("screens.view_apply", session_name=sdef.name, view_id=default.id))
    query, grid_state = read_state(sdef, access, request.args)
    for notice in grid_state.notices:
        flash(notice, "warning")
    state = {**grid_state.args(), "q": grid_state.q, "grouping_name": grid_state.grouping_name}
    selection = grid_state.selection()  # export and listing take the rows the grid shows
    db = read_session()  # the standby's when CRM_DATABASE_READ_URL is set (docs/operations.md)
    columns = grid_state.columns
    targets = reference_targets(sdef, columns)
    shown_users = tuple(c for c in columns if c in user_fields(sdef))
    page = fetch_page(db, sdef, access, replace(query, references=tuple(targets.items()), user_columns=shown_users))
    total = capped_count(db, sdef, access, query) if request.args.get("count") == "1" else None
    names = value_names(sdef, page.items, columns, page.referenced, page.user_names)
    can_sort = sortable(sdef)
    headers = [(c, _label(sdef, c), c in can_sort) for c in columns]
    detail = url_for("screens.detail", session_name=sdef.name, element_id=ID_MARK, back=grid_address(sdef))
    offered = bulk_actions.available(sdef, access)
    rows = row_cells(sdef, page.items, [(c, label) for c, label, _s in headers], names,
                     _with_id(detail),
                     frozenset(c for c in columns if is_phone_field(sdef, c)), cell_editor(sdef, access),
                     links={col: _with_id(url_for("screens.detail", session_name=target.name, element_id=ID_MARK))
                            for col, target in targets.items()},
                     tones=state_tones(sdef), select_label=_("Select") if offered else None)
    can_modify = access.can(sdef, "modify")
    base = {"session_name": sdef.name, "cols": state["cols"], "q": state["q"] or None, "status": state["status"],
            "only": state["only"], "all": state["all"], "per_page": state["per_page"], "sort": state["sort"],
            "grouping": state["grouping"]}
    sorts = {c: f"-{c}" if state["sort"] == c else c for c, _label, can in headers if can}
    by_sort = addresses_by(lambda v: url_for("screens.grid", **{**base, "sort": v}), "sort", sorts.values())
    pages = addresses_by(lambda v: url_for("screens.grid", page=v, **base), "page",
                         [str(page.page - 1), str(page.page + 1)])
    toolbar = {
        "new": url_for("screens.new", session_name=sdef.name) if can_modify else None,
        "board": url_for("screens.board_view", session_name=sdef.name) if sdef.board else None,
        "listing": endpoint_url("screens.listing", session_name=sdef.name, **selection),
        "import": endpoint_url("screens.import_upload", session_name=sdef.name)
        if can_modify and sdef.importable
        else None,
        "export_csv": endpoint_url("screens.export", session_name=sdef.name, format="csv", **selection),
        "export_xlsx": endpoint_url("screens.export", session_name=sdef.name, format="xlsx", **selection),
        "smart_list": _smart_list_url(sdef, access, state),
    }
    return render_template(
        "screens/grid.html",
        sdef=sdef,
        columns=headers,
        sort_links={c: by_sort[v] for c, v in sorts.items()},
        prev_link=pages[str(page.page - 1)],
        next_link=pages[str(page.page + 1)],
        rows=rows,
        page=page,
        total=total,
        state=state,
        statuses=crm_state().registry.status_choices(sdef),
        per_page_choices=PER_PAGE_CHOICES,
        sees_all=access.sees_all,
        toolbar=toolbar,
        views=views,
        view_id=int_arg("view"),
        all_columns=[(c, _label(sdef, c)) for c in ordered_choice(sdef, columns)],
        shown_columns=frozenset(columns),
        bulk_actions=offered,
        selection=selection,
    )


@bp.route("/<session_name>/lookup")
def lookup(session_name: str):  # type: ignore[no-untyped-def]
    """Picker search (JSON): at most 20 elements the user may see, matching ``q``."""
    sdef = grid_sdef(session_name)
    access = current_access()
    query = ListQuery(all_records=True, text=request.args.get("q", "").strip()[:200], per_page=LOOKUP_LIMIT)
    page = fetch_page(db_session(), sdef, access, query)
    return jsonify([{"id": el.id, "label": el.display_name()} for el in page.items])


@bp.route("/<session_name>/lookup", methods=["POST"])
def quick_create(session_name: str):  # type: ignore[no-untyped-def]
    """A record made from the text typed in a picker (``q``), when the session declares
    ``quick_create`` and the user may add records to it (issue 17 item 6): JSON ``{id, label}``
    (201) for the picker to select, or ``{"errors": …}`` (400) with nothing written."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "modify")
    if sdef.quick_create is None:
        return jsonify({"errors": {"_form": [_("Records of %(s)s cannot be created here.", s=sdef.label)]}}), 400
    try:
        with unit_of_work() as db:
            element = sdef.quick_create(db, access, sdef, request.form.get("q", "")[:1000])
            answer = {"id": element.id, "label": element.display_name()}
    except (ValidationError, BusinessRuleError) as exc:
        errors = exc.messages if isinstance(exc, ValidationError) else str(exc)
        return jsonify({"errors": messages_of(errors)}), 400
    return jsonify(answer), 201
