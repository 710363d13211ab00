"""The generic grid (CORE-08, CORE-14, CORE-18): one table per session, built from its
declaration, with status/text filters, own/all switch, sorting, paging and a toolbar that shows
only what the user may do. Also the JSON lookup used by pickers and the bulk delete."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect

from crm_core.db import read_session, unit_of_work
from crm_core.db import session as db_session
from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.reports.formats import call_href, is_phone_field
from crm_core.request_input import int_arg, int_list, page_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.common import endpoint_url, grid_sdef
from crm_core.security import current_access, get_element
from crm_core.services import elements
from crm_core.services.display import Names, shown, value_names
from crm_core.services.groupings import SESSION as SMART_SESSION
from crm_core.services.queries import ListQuery, capped_count, fetch_page

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
LOOKUP_LIMIT = 20
#: Stands for a row's id in the detail link built once per page (``url_for`` per row cost about a
#: tenth of a page's CPU); digits, so the route accepts it.
ID_MARK = 987654321987


def _label(sdef: SessionDef, name: str) -> str:
    assert sdef.schema is not None
    field = schema_fields(sdef.schema).get(name)
    label = field.metadata.get("label") if field is not None else None
    return str(label or name.replace("_", " ").capitalize())


def _sortable(sdef: SessionDef) -> frozenset[str]:
    return _column_keys(sdef.model) | {f.name for f in sdef.custom_fields if f.sortable}


@lru_cache(maxsize=256)
def _column_keys(model: type) -> frozenset[str]:
    return frozenset(c.key for c in sa_inspect(model).column_attrs)


def status_filter(sdef: SessionDef, wanted: list[str]) -> tuple[list[str], list[str]]:
    """Visible status names (or internal codes) → internal codes (CORE-14); unknown names are
    returned separately so the screen can say so instead of silently showing everything."""
    registry = crm_state().registry
    by_name = {str(label): code for label, code in registry.visible_statuses(sdef)}
    codes = {st.code for st in sdef.statuses}
    chosen, unknown = [], []
    for value in wanted:
        if value in by_name:
            chosen.append(by_name[value])
        elif value in codes:
            chosen.append(value)
        else:
            unknown.append(value)
    return sorted(set(chosen)), unknown


def cell(sdef: SessionDef, element: Any, col: str, names: Names) -> str:
    """One grid value as people read it (:func:`crm_core.services.display.shown`), localised
    (CORE-17)."""
    value = shown(sdef, element, col, names)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "short")
    if isinstance(value, Decimal | float):
        return format_decimal(value)
    if isinstance(value, list | tuple):  # a multi-choice custom field: its choices' labels
        return ", ".join(str(names.get((col, v), v)) for v in value)
    return str(value)


def _grid_query(sdef: SessionDef) -> tuple[ListQuery, dict[str, Any]]:
    access = current_access()
    args = request.args
    per_page = int_arg("per_page", DEFAULT_PER_PAGE)
    if per_page not in PER_PAGE_CHOICES:
        per_page = DEFAULT_PER_PAGE
    sort = args.get("sort", "")
    if sort and (sort.lstrip("-") not in sdef.columns or sort.lstrip("-") not in _sortable(sdef)):
        flash(_("The grid cannot be sorted by “%(f)s”.", f=sort.lstrip("-")), "warning")
        sort = ""
    codes, unknown = status_filter(sdef, args.getlist("status"))
    for name in unknown:
        flash(_("Unknown status “%(s)s” ignored.", s=name), "warning")
    only = [name for name in args.getlist("only") if sdef.named_filter(name)]
    for name in set(args.getlist("only")) - set(only):
        flash(_("Unknown filter “%(f)s” ignored.", f=name), "warning")
    q = ListQuery(
        all_records=access.sees_all and args.get("all") == "1",
        status=codes,
        only=tuple(only),
        text=args.get("q", "").strip()[:200],
        sort=sort,
        page=page_arg(),
        per_page=per_page,
    )
    state = {
        "q": q.text,
        "status": [s for s in args.getlist("status") if s not in unknown],
        "only": only,
        "all": "1" if q.all_records else None,
        "sort": sort or None,
        "per_page": per_page,
    }
    return q, state


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
    query, state = _grid_query(sdef)
    db = read_session()  # the standby's when CRM_DATABASE_READ_URL is set (docs/operations.md)
    page = fetch_page(db, sdef, access, query)
    total = capped_count(db, sdef, access, query) if request.args.get("count") == "1" else None
    columns = list(sdef.columns) or ["id"]
    names = value_names(sdef, page.items, columns)
    rows = [(el, [cell(sdef, el, c, names) for c in columns]) for el in page.items]
    can_modify = access.can(sdef, "modify")
    toolbar = {
        "new": url_for("screens.new", session_name=sdef.name) if can_modify else None,
        "delete": can_modify and sdef.deletable,
        "board": url_for("screens.board_view", session_name=sdef.name) if sdef.board else None,
        "listing": endpoint_url("screens.listing", session_name=sdef.name),
        "import": endpoint_url("screens.import_upload", session_name=sdef.name)
        if can_modify and sdef.importable
        else None,
        "export_csv": endpoint_url("screens.export", session_name=sdef.name, format="csv"),
        "export_xlsx": endpoint_url("screens.export", session_name=sdef.name, format="xlsx"),
        "smart_list": _smart_list_url(sdef, access, state),
    }
    return render_template(
        "screens/grid.html",
        sdef=sdef,
        columns=[(c, _label(sdef, c), c in _sortable(sdef)) for c in columns],
        rows=rows,
        phone_columns=frozenset(c for c in columns if is_phone_field(sdef, c)),
        detail_url=url_for("screens.detail", session_name=sdef.name, element_id=ID_MARK),
        id_mark=str(ID_MARK),
        call_href=call_href,
        page=page,
        total=total,
        state=state,
        statuses=crm_state().registry.status_choices(sdef),
        per_page_choices=PER_PAGE_CHOICES,
        sees_all=access.sees_all,
        toolbar=toolbar,
    )


@bp.route("/<session_name>/delete", methods=["POST"])
def bulk_delete(session_name: str):  # type: ignore[no-untyped-def]
    """Delete the ticked rows after a confirmation page; all of them or none (one transaction)."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "modify")
    back = url_for("screens.grid", session_name=sdef.name)
    if not sdef.deletable:
        flash(_("%(s)s cannot be deleted.", s=sdef.label), "danger")
        return redirect(back)
    ids = sorted(set(int_list("ids", request.form)))
    if not ids:
        flash(_("Tick the rows to delete first."), "warning")
        return redirect(back)
    db = db_session()
    chosen = [get_element(db, sdef, access, i, "modify") for i in ids]
    if request.form.get("confirm") != "1":
        return render_template("screens/confirm.html", sdef=sdef, elements=chosen, ids=ids, back=back,
                               action=url_for("screens.bulk_delete", session_name=sdef.name))
    try:
        with unit_of_work() as db:
            for element in chosen:
                elements.delete(db, sdef, access, element)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
        return redirect(back)
    flash(_("%(n)d record(s) deleted.", n=len(chosen)), "success")
    return redirect(back)


@bp.route("/<session_name>/lookup")
def lookup(session_name: str):  # type: ignore[no-untyped-def]
    """Picker search (JSON): at most 20 elements the user may see, matching ``q``."""
    sdef = grid_sdef(session_name)
    access = current_access()
    query = ListQuery(all_records=True, text=request.args.get("q", "").strip()[:200], per_page=LOOKUP_LIMIT)
    page = fetch_page(db_session(), sdef, access, query)
    return jsonify([{"id": el.id, "label": el.display_name()} for el in page.items])
