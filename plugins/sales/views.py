"""Sales pages beyond the generic screens: the funnel (SAL-11) and its drill-down."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import select

from crm_core.toolkit import (
    BusinessRuleError,
    User,
    crm_state,
    current_access,
    int_arg,
    parse_int,
    session,
    shown,
    unit_of_work,
    value_names,
)
from plugins.sales import funnel, goals, kpis

bp = Blueprint("sales", __name__, url_prefix="/sales", template_folder="templates")


def _date_arg(name: str, errors: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("“%(v)s” is not a date (YYYY-MM-DD).", v=raw))
        return None


def _owner_arg(errors: list[str]) -> int | None:
    raw = request.args.get("owner", "").strip()
    if not raw:
        return None
    try:
        return parse_int(raw)
    except ValueError:
        errors.append(_("Unknown owner."))
        return None


def _filters() -> tuple[Any, date | None, date | None, int | None, list[User], list[str]]:
    """The funnel's period and owner from the query string, checked: access, start, end, owner,
    the owners a leader may pick, and what was wrong."""
    access = current_access()
    access.require("funnel", "view")
    errors: list[str] = []
    start, end = _date_arg("from", errors), _date_arg("to", errors)
    owner_id = _owner_arg(errors) if access.sees_all else None
    if start and end and end < start:
        errors.append(_("The end of the period cannot be before its start."))
    owners: list[User] = []
    if access.sees_all:
        owners = list(session().scalars(select(User).where(User.active).order_by(User.full_name)))
        if owner_id is not None and owner_id not in {u.id for u in owners}:
            errors.append(_("Unknown owner."))
    return access, start, end, owner_id, owners, errors


@bp.route("/funnel", endpoint="funnel")
@login_required
def funnel_page() -> Any:
    """Funnel numbers and chart for a period and (for users who see all) an owner."""
    access, start, end, owner_id, owners, errors = _filters()
    steps = [] if errors else funnel.compute(session(), access, start, end, owner_id)
    return render_template(
        "sales/funnel.html",
        steps=steps,
        errors=errors,
        owners=owners,
        owner_id=owner_id,
        start=request.args.get("from", ""),
        end=request.args.get("to", ""),
        filters={k: v for k, v in request.args.items() if k in ("from", "to", "owner") and v},
    ), (400 if errors else 200)


@bp.route("/funnel/<step>", endpoint="funnel_records")
@login_required
def funnel_records(step: str) -> Any:
    """The records a funnel step counts (EXT-07 drill-down), same period, owner and rules."""
    if step not in funnel.STEPS:
        abort(404)
    access, start, end, owner_id, _owners, errors = _filters()
    before = int_arg("before", None, low=1)
    if errors:
        return render_template("sales/funnel_records.html", errors=errors, rows=[], step=step), 400
    session_name, items, more = funnel.records(session(), access, step, start, end, owner_id, before)
    sdef = crm_state().registry.sdef(session_name)
    columns = [c for c in ("name", "owner_id", "status", "amount") if hasattr(sdef.model, c)]
    names = value_names(sdef, items, columns)
    rows = [(item, [(c, shown(sdef, item, c, names)) for c in columns]) for item in items]
    args = {k: v for k, v in request.args.items() if k in ("from", "to", "owner") and v}
    older = url_for("sales.funnel_records", step=step, before=items[-1].id, **args) if more and items else None
    return render_template("sales/funnel_records.html", errors=[], sdef=sdef, rows=rows, step=step,
                           labels=dict(_step_labels()), columns=columns, older=older,
                           back=url_for("sales.funnel", **args))


def _step_labels() -> list[tuple[str, str]]:
    return [("leads", _("Leads")), ("qualified", _("Qualified")), ("disqualified", _("Disqualified")),
            ("opportunities", _("Opportunities")), ("won", _("Won")), ("lost", _("Lost"))]


@bp.route("/goals", methods=["GET", "POST"], endpoint="goals")
@login_required
def goals_page() -> Any:
    """A month's goals (EXT-07): leaders and administrators set the team's and each member's;
    executives see their own."""
    access = current_access()
    access.require(goals.SESSION, "view")
    db = session()
    today = date.today()
    raw = (request.form if request.method == "POST" else request.args).get("month", "") or f"{today:%Y-%m}"
    try:
        month = goals.parse_month(raw)
    except BusinessRuleError as exc:
        return render_template("sales/goals.html", error=str(exc), month=None, rows=[], team=None,
                               editable=False), 400
    team = kpis.team_of(db, access, goals.for_month(db, month).users) if access.sees_all else [access.user]
    editable = access.sees_all and access.can(goals.SESSION, "modify")
    error, status = None, 200
    if request.method == "POST":
        try:
            with unit_of_work() as db:
                stored = goals.save(db, access, month, request.form, team)
            flash(ngettext("%(num)d goal saved for %(month)s.", "%(num)d goals saved for %(month)s.", stored,
                           month=f"{month:%Y-%m}"), "success")
            return redirect(url_for("sales.goals", month=f"{month:%Y-%m}"))
        except BusinessRuleError as exc:
            error, status = str(exc), 400
    current = goals.for_month(db, month)
    rows = [(u, current.users.get(u.id)) for u in team]
    posted = request.form if request.method == "POST" else {}
    return render_template("sales/goals.html", error=error, month=month, rows=rows, team=current.team,
                           editable=editable, posted=posted), status
