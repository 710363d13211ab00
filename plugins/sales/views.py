"""Sales pages beyond the generic screens: the funnel (SAL-11)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from crm_core.toolkit import User, current_access, parse_int, session
from plugins.sales import funnel

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


@bp.route("/funnel", endpoint="funnel")
@login_required
def funnel_page() -> Any:
    """Funnel numbers and chart for a period and (for users who see all) an owner."""
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
    steps = [] if errors else funnel.compute(session(), access, start, end, owner_id)
    return render_template(
        "sales/funnel.html",
        steps=steps,
        errors=errors,
        owners=owners,
        owner_id=owner_id,
        start=request.args.get("from", ""),
        end=request.args.get("to", ""),
    ), (400 if errors else 200)
