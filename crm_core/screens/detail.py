"""The generic detail screen (CORE-09): a record opens in read mode (its values as text, issue
17 item 5) with an *Edit* button (``?edit=1``) that shows the form generated from the session's
schema; side tabs contributed through ``crm_detail_tabs``, actions, and delete with confirmation.

Every write goes through ``crm_core.services.elements`` inside one ``unit_of_work``, so the
schema, permissions, ownership, optimistic locking and the audit trail apply exactly as on the
API. Errors are shown in place and the user's input is kept (NF-02).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef, Tab
from crm_core.errors import BusinessRuleError, Conflict, NotFound, PermissionDenied
from crm_core.extensions import crm_state
from crm_core.request_input import BadInput, int_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef, messages_of, refused
from crm_core.screens.forms import FieldSpec, form_fields, parse, submitted, values_of
from crm_core.screens.grid_cells import CellText, money_text
from crm_core.screens.grid_state import back_args, grid_path, read_state
from crm_core.security import current_access, get_element
from crm_core.security.access import may_modify
from crm_core.security.field_access import refused_field
from crm_core.services import board, elements, workflow
from crm_core.services.display import money_columns, shown, state_tones, user_names, value_names
from crm_core.services.neighbours import neighbours


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    """Tabs contributed by the core and plugins for this session, in their declared order."""
    tabs = [t for part in crm_state().pm.hook.crm_detail_tabs(sdef=sdef) for t in part or []]
    return sorted(tabs, key=lambda t: (t.order, t.name))


def usable_actions(sdef: SessionDef, element: Any, access: Any) -> list[Any]:
    """The actions ``access`` may run on ``element`` now (its buttons, the timeline's composer)."""
    return [
        a for a in workflow.allowed_actions(sdef, element)
        if access.can(sdef, a.permission) and (a.permission == "view" or may_modify(sdef, access, element))
    ]


def lookup_names(specs: list[FieldSpec], values: dict[str, str]) -> dict[str, str]:
    """The referenced element's display name for each filled lookup field (or ``#id`` when the
    user may not see it: a picker never reveals a record past the ownership rules)."""
    return lookup_refs(specs, values)[0]


def lookup_refs(specs: list[FieldSpec], values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`lookup_names` and the referenced record's page for each lookup whose record the
    user may see, so the form links to it (issue 17 item 6: related records are links)."""
    registry, access, db = crm_state().registry, current_access(), db_session()
    names: dict[str, str] = {}
    links: dict[str, str] = {}
    for spec in specs:
        raw = values.get(spec.name, "")
        if spec.widget != "lookup" or not raw:
            continue
        names[spec.name] = f"#{raw}"
        target = registry.sessions.get(spec.lookup or values.get(spec.lookup_from or "", ""))
        if target is None or not target.has_grid or not raw.isdigit():
            continue
        try:
            names[spec.name] = get_element(db, target, access, int(raw)).display_name()
        except (NotFound, PermissionDenied):
            continue
        links[spec.name] = url_for("screens.detail", session_name=target.name, element_id=int(raw))
    return names, links


#: Stands for the chosen session in the search address of a lookup whose session is another
#: field's value (``FieldSpec.lookup_from``); screens.js puts the chosen one in its place.
SESSION_MARK = "__session__"


def lookup_urls(specs: list[FieldSpec]) -> dict[str, str]:
    registry = crm_state().registry
    urls = {
        s.name: url_for("screens.lookup", session_name=s.lookup)
        for s in specs
        if s.widget == "lookup" and registry.is_available(s.lookup or "") and registry.sessions[s.lookup].has_grid
    }
    urls.update((s.name, url_for("screens.lookup", session_name=SESSION_MARK)) for s in specs if s.lookup_from)
    return urls


def lookup_creates(specs: list[FieldSpec]) -> dict[str, str]:
    """``field → "New customer"`` for the pickers whose session makes a record from the typed
    text (``SessionDef.quick_create``) and lets this user add records (issue 17 item 6)."""
    registry, access = crm_state().registry, current_access()
    found = {}
    for spec in specs:
        target = registry.sessions.get(spec.lookup or "")
        if spec.widget == "lookup" and target is not None and target.quick_create and access.can(target, "modify"):
            found[spec.name] = _("New %(what)s", what=str(target.singular or target.label).lower())
    return found


def placed(specs: list[FieldSpec], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Messages for fields the form does not show (e.g. a rule on a hidden field) move to the top
    of the form, so no error is ever invisible."""
    shown = {s.name for s in specs}
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        out.setdefault(name if name in shown else "_form", []).extend(messages)
    return out


def read_values(sdef: SessionDef, element: Any, specs: list[FieldSpec], lookups: dict[str, str],
                links: dict[str, str]) -> list[tuple[FieldSpec, str, str | None]]:
    """Read mode (issue 17 item 5): each field as the grid's cells show it — choice and status
    labels, users' and linked records' names, dates and amounts in the user's language — with the
    address of a linked record the user may open (``links``, from :func:`lookup_refs`; ``None``
    otherwise)."""
    names = value_names(sdef, [element], [s.name for s in specs])
    text, money = CellText(), money_columns(sdef)
    out: list[tuple[FieldSpec, str, str | None]] = []
    for spec in specs:
        raw = getattr(element, spec.name, None)
        if spec.widget == "lookup" and raw is not None:
            out.append((spec, lookups.get(spec.name, f"#{raw}"), links.get(spec.name)))
        elif (amount := money_text(element, spec.name, money)) is not None:
            out.append((spec, amount, None))
        else:
            out.append((spec, text(shown(sdef, element, spec.name, names), spec.name, names), None))
    return out


def _render(sdef: SessionDef, element: Any, specs: list[FieldSpec], values: dict[str, str],
            errors: dict[str, list[str]], status: int = 200, editing: bool = True):  # type: ignore[no-untyped-def]
    """The detail page; an existing record the user may not change, or one opened without
    ``edit=1``, shows in read mode (its values as text, an *Edit* button for those who may)."""
    access = current_access()
    errors = placed(specs, errors)
    readonly = not may_modify(sdef, access, element)
    editing = element is None or (editing and not readonly)
    lookups, links = lookup_refs(specs, values)
    tabs = detail_tabs(sdef) if element is not None else []
    active = request.args.get("tab", "info")
    tab = next((t for t in tabs if t.name == active), None)
    registry = crm_state().registry
    actions = usable_actions(sdef, element, access) if element is not None else []
    stage_bar = _stage_bar(sdef, element, access)
    status_label, status_tone = None, "open"
    if element is not None and sdef.statuses and hasattr(element, sdef.status_field):
        code = getattr(element, sdef.status_field)
        status_label = registry.status_label(sdef, code)
        status_tone = state_tones(sdef).get(code, "open")
    html = render_template(
        "screens/detail.html",
        sdef=sdef,
        element=element,
        specs=specs,
        values=values,
        errors=errors,
        lookups=lookups,
        lookup_links=links,
        lookup_urls=lookup_urls(specs),
        lookup_creates=lookup_creates(specs),
        readonly=readonly,
        editing=editing,
        shown_values=read_values(sdef, element, specs, lookups, links) if not editing and tab is None else [],
        tabs=tabs,
        active=tab.name if tab else "info",
        tab_html=Markup(tab.render(sdef, element)) if tab else None,
        actions=actions,
        status_label=status_label,
        status_tone=status_tone,
        can_delete=element is not None and sdef.deletable and may_modify(sdef, access, element),
        owner_name=_owner_name(element),
        stage_bar=stage_bar,
        nav=grid_nav(sdef, element, access),
    )
    return html, status


def grid_nav(sdef: SessionDef, element: Any, access: Any) -> dict[str, Any]:
    """Where "back" leads and the previous/next record of the grid the user came from (issue 17
    item 4): the grid's state travels in ``back``, a path of this session's grid (anything else
    is ignored), and the neighbours come from the grid's own query, one keyset row each way."""
    back = request.args.get("back")
    args = back_args(sdef, back)
    nav: dict[str, Any] = {"back": grid_path(sdef), "param": None, "prev": None, "next": None}
    if args is None or element is None:
        return nav
    try:
        query, _state = read_state(sdef, access, args)
    except BadInput:  # a hand-edited address with a broken number: plain "back", no neighbours
        return nav
    nav.update(back=back, param=back)
    before, after = neighbours(db_session(), sdef, access, query, element)
    if before is not None:
        nav["prev"] = url_for("screens.detail", session_name=sdef.name, element_id=before, back=back)
    if after is not None:
        nav["next"] = url_for("screens.detail", session_name=sdef.name, element_id=after, back=back)
    return nav


def _stage_bar(sdef: SessionDef, element: Any, access: Any) -> dict[str, Any] | None:
    """The current board column of ``element`` and, when the user may move it now, the other
    columns as one-click buttons (EXT-04); ``None`` for sessions without a board."""
    if sdef.board is None or element is None:
        return None
    action = sdef.action(sdef.board.action)
    movable = action is not None and access.can(sdef, action.permission) and board.move_refusal(sdef, element) is None
    return {"current": getattr(element, sdef.board.field), "choices": board.stages(sdef), "movable": movable}


def _owner_name(element: Any) -> str:
    if element is None:
        return ""
    return user_names(db_session(), [element.owner_id]).get(element.owner_id, "")


def _restricted_inputs(sdef: SessionDef) -> None:
    """A form that sends a field the user's group may not change (no input offers it: a forged
    or stale form) is refused as a whole, naming the field, and nothing is written."""
    rules = current_access().field_rules(sdef)
    sent = sorted(set(request.form) & (rules.hidden | rules.read_only))
    if sent:
        raise ValidationError({name: [refused_field(sdef, name)] for name in sent})


def _save_errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, ValidationError):
        return messages_of(exc.messages)
    if isinstance(exc, BusinessRuleError):
        return {exc.field or "_form": [str(exc)]}
    if isinstance(exc, IntegrityError):
        return {"_form": [_("This value is already used by another record.")]}
    return {"_form": [str(exc)]}


@bp.route("/<session_name>/new", methods=["GET", "POST"])
def new(session_name: str):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "modify")
    assert sdef.schema is not None
    db = db_session()
    specs = form_fields(sdef.schema, sdef, access, db)
    if request.method == "GET":
        values = {s.name: s.default for s in specs}
        values.update({k: v for k, v in request.args.items() if k in values})
        values["owner_id"] = str(access.user.id)
        return _render(sdef, None, specs, values, {})
    try:
        _restricted_inputs(sdef)
        with unit_of_work() as db:
            element = elements.create(db, sdef, access, parse(specs, request.form))
    except (ValidationError, BusinessRuleError, IntegrityError) as exc:
        return _render(sdef, None, specs, submitted(specs, request.form), _save_errors(exc), 400)
    flash(_("%(name)s created.", name=element.display_name()), "success")
    return redirect(url_for("screens.detail", session_name=sdef.name, element_id=element.id))


@bp.route("/<session_name>/<int:element_id>", methods=["GET", "POST"])
def detail(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    assert sdef.schema is not None
    db = db_session()
    element = get_element(db, sdef, access, element_id, "view")
    specs = form_fields(sdef.schema, sdef, access, db)
    if request.method == "GET":
        return _render(sdef, element, specs, values_of(specs, element), {}, editing=request.args.get("edit") == "1")
    access.require(sdef, "modify")
    version = int_arg("version", source=request.form)
    try:
        _restricted_inputs(sdef)
        with unit_of_work() as db:
            changes = elements.update(
                db, sdef, access, element, parse(specs, request.form), expected_version=version, partial=False
            )
    except Conflict as exc:
        return _render(sdef, element, specs, submitted(specs, request.form, element), {"_form": [str(exc)]}, 409)
    except (ValidationError, BusinessRuleError, IntegrityError) as exc:
        return _render(sdef, element, specs, submitted(specs, request.form, element), _save_errors(exc), 400)
    flash(_("Saved.") if changes else _("Nothing changed."), "success" if changes else "info")
    back = request.args.get("back") if back_args(sdef, request.args.get("back")) is not None else None
    return redirect(url_for("screens.detail", session_name=sdef.name, element_id=element.id, back=back))


@bp.route("/<session_name>/<int:element_id>/delete", methods=["GET", "POST"])
def delete(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "modify")
    here = url_for("screens.detail", session_name=sdef.name, element_id=element.id)
    if not sdef.deletable:
        return refused(_("%(s)s cannot be deleted.", s=sdef.label), 403)
    if request.method == "GET":
        target = url_for("screens.delete", session_name=sdef.name, element_id=element.id)
        return render_template("screens/confirm.html", sdef=sdef, elements=[element], ids=[element.id],
                               back=here, action=target)
    try:
        with unit_of_work() as db:
            name = element.display_name()
            elements.delete(db, sdef, access, element)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
        return redirect(here)
    flash(_("%(name)s deleted.", name=name), "success")
    return redirect(url_for("screens.grid", session_name=sdef.name))


@bp.route("/<session_name>/<int:element_id>/action/<name>", methods=["GET", "POST"])
def action(session_name: str, element_id: int, name: str):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    act = sdef.action(name)
    if act is None:
        raise NotFound(_("Unknown action."))
    db = db_session()
    element = get_element(db, sdef, access, element_id, act.permission)
    here = url_for("screens.detail", session_name=sdef.name, element_id=element.id)
    refusal = workflow.action_refusal(sdef, act, element)
    if refusal is not None:
        return refused(refusal, 409)
    specs = form_fields(act.schema) if act.schema else []
    values, errors, status = {s.name: "" for s in specs}, {}, 200
    if request.method == "POST":
        try:
            with unit_of_work() as db:
                result = elements.run_action(db, sdef, access, element, act.name, parse(specs, request.form))
        except (ValidationError, BusinessRuleError) as exc:
            values, errors, status = submitted(specs, request.form), placed(specs, _save_errors(exc)), 400
        else:
            done = _("%(a)s done.", a=act.label)
            if result is not None and hasattr(result, "display_name"):
                done = _("%(a)s done: %(r)s.", a=act.label, r=result.display_name())
            flash(done, "success")
            if request.form.get("tab") == "timeline":  # run from the timeline's composer
                here = url_for("screens.detail", session_name=sdef.name, element_id=element.id, tab="timeline")
            return redirect(here)
    return render_template(
        "screens/action.html", sdef=sdef, element=element, act=act, specs=specs, values=values,
        errors=errors, back=here, lookups=lookup_names(specs, values), lookup_urls=lookup_urls(specs),
        lookup_creates=lookup_creates(specs),
    ), status
