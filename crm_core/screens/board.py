"""The pipeline board screen (EXT-04): ``/s/<session_name>/board`` for every session declaring a
``Board``. Columns with their figures and first cards, a JSON page per column ("load more"),
the columns' figures as JSON (refreshed after a move) and the move itself, which answers JSON to
the board's script and redirects (with a message) when a plain form posts it, so the per-card
move menu and the detail's stage buttons work without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.extensions import crm_state
from crm_core.request_input import page_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef, messages_of
from crm_core.security import current_access, get_element
from crm_core.services import board
from crm_core.services.queries import ListQuery, status_filter


def board_sdef(name: str) -> SessionDef:
    sdef = grid_sdef(name)
    if sdef.board is None:
        raise NotFound(_("No such screen."))
    return sdef


def _filters(sdef: SessionDef) -> tuple[ListQuery, dict[str, Any]]:
    """The grid's filters (own/all, text, status); without a status the open states are shown."""
    access, args = current_access(), request.args
    codes, unknown = status_filter(sdef, args.getlist("status"))
    for name in unknown:
        flash(_("Unknown status “%(s)s” ignored.", s=name), "warning")
    if not codes and not args.getlist("status"):
        codes = [st.code for st in sdef.statuses if st.open]
    q = ListQuery(all_records=access.sees_all and args.get("all") == "1", status=codes,
                  text=args.get("q", "").strip()[:200])
    labels = {code: str(label) for label, code in crm_state().registry.visible_statuses(sdef)}
    state = {"q": q.text, "status": [labels.get(c, c) for c in codes], "all": "1" if q.all_records else None}
    return q, state


def _figures(sdef: SessionDef, q: ListQuery) -> dict[str, dict[str, str | int]]:
    found = board.totals(db_session(), sdef, current_access(), q)
    out = {}
    for value, _label in board.stages(sdef):
        t = found.get(value, board.Totals())
        out[value] = {"count": t.count, "amount": format_decimal(t.amount, "#,##0.00"),
                      "weighted": format_decimal(t.weighted, "#,##0.00")}
    return out


def _card(sdef: SessionDef, element: Any) -> dict[str, Any]:
    b = board.board_of(sdef)
    amount = getattr(element, b.amount) if b.amount else None
    return {
        "id": element.id,
        "label": element.display_name(),
        "url": url_for("screens.detail", session_name=sdef.name, element_id=element.id),
        "amount": format_decimal(amount, "#,##0.00") if amount is not None else "",
        "probability": getattr(element, b.probability) if b.probability else None,
        "movable": board.move_refusal(sdef, element) is None,
    }


@bp.route("/<session_name>/board")
def board_view(session_name: str):  # type: ignore[no-untyped-def]
    sdef = board_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    q, state = _filters(sdef)
    db = db_session()
    figures = _figures(sdef, q)
    columns = []
    for value, label in board.stages(sdef):
        page = board.cards(db, sdef, access, q, value)
        columns.append({"value": value, "label": label, "figures": figures[value],
                        "cards": [_card(sdef, el) for el in page.items], "has_more": page.has_next})
    can_move = access.can(sdef, sdef.action(board.board_of(sdef).action).permission)  # type: ignore[union-attr]
    filters = {"q": state["q"] or None, "status": state["status"], "all": state["all"]}
    return render_template(
        "screens/board.html", sdef=sdef, columns=columns, state=state, can_move=can_move,
        statuses=crm_state().registry.status_choices(sdef), sees_all=access.sees_all,
        column_url=url_for("screens.board_column", session_name=sdef.name, **filters),
        totals_url=url_for("screens.board_totals", session_name=sdef.name, **filters),
    )


@bp.route("/<session_name>/board/column")
def board_column(session_name: str):  # type: ignore[no-untyped-def]
    """The next cards of one column (JSON): ``stage`` (a column value) and ``page``."""
    sdef = board_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    value = request.args.get("stage", "")
    if value not in dict(board.stages(sdef)):
        return jsonify({"error": _("Unknown column “%(c)s”.", c=value[:40])}), 400
    q, _state = _filters(sdef)
    page = board.cards(db_session(), sdef, access, q, value, page_arg())
    return jsonify({"cards": [_card(sdef, el) for el in page.items], "has_more": page.has_next})


@bp.route("/<session_name>/board/totals")
def board_totals(session_name: str):  # type: ignore[no-untyped-def]
    sdef = board_sdef(session_name)
    current_access().require(sdef, "view")
    q, _state = _filters(sdef)
    return jsonify(_figures(sdef, q))


@bp.route("/<session_name>/board/<int:element_id>/move", methods=["POST"])
def board_move(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    """Move one card to the column ``to`` through the board's action; JSON for the board's
    script (``Accept: application/json``), a redirect with a message for plain forms."""
    sdef = board_sdef(session_name)
    access = current_access()
    b = board.board_of(sdef)
    element = get_element(db_session(), sdef, access, element_id, "view")
    target = request.form.get("to", "")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        if target not in dict(board.stages(sdef)):
            raise BusinessRuleError(_("Unknown column “%(c)s”.", c=target[:40]))
        with unit_of_work() as db:
            board.move(db, sdef, access, element, target)
    except (ValidationError, BusinessRuleError, PermissionDenied) as exc:
        found = messages_of(exc.messages) if isinstance(exc, ValidationError) else {"_form": [str(exc)]}
        message = " ".join(m for ms in found.values() for m in ms)
        if wants_json:
            return jsonify({"ok": False, "message": message}), 409
        flash(message, "danger")
    else:
        done = _("%(name)s moved to %(column)s.", name=element.display_name(), column=dict(board.stages(sdef))[target])
        if wants_json:
            return jsonify({"ok": True, "message": done, "field": b.field})
        flash(done, "success")
    back = request.form.get("back", "")
    if back != "detail":
        return redirect(url_for("screens.board_view", session_name=sdef.name))
    return redirect(url_for("screens.detail", session_name=sdef.name, element_id=element.id))
