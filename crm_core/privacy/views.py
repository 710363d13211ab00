"""The privacy erase screen (CORE-21): find a client, preview what would be erased per plugin,
confirm, erase; and the log of past erasures. ``view`` on the ``privacy`` session shows the
preview and the log, ``modify`` erases (POST with a CSRF token and the ticked confirmation).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.privacy import service
from crm_core.request_input import page_arg
from crm_core.security import current_access
from crm_core.security.access import session_label

bp = Blueprint("privacy", __name__, url_prefix="/config/privacy")
PER_PAGE = 50


class EraseForm(FlaskForm):
    """The confirmation: an unticked box erases nothing."""

    understood = BooleanField(
        _l("I understand that this erases the client's personal data for good."),
        validators=[DataRequired(message=_l("Tick the box to confirm the erasure."))],
    )


@bp.before_request
@login_required
def _logged_in() -> None:
    return None


@bp.route("")
def index():  # type: ignore[no-untyped-def]
    """Find a client (by code or number) and the log of erasures, newest first."""
    access = current_access()
    access.require(service.SESSION, "view")
    sessions = [s for s in service.client_sessions() if access.can(s, "view")]
    typed = request.args.get("client", "").strip()
    session_name = request.args.get("session", "")
    if typed:
        sdef = next((s for s in sessions if s.name == session_name), None)
        if sdef is None:
            raise NotFound(_("No such session."))
        element_id = service.client_id(db_session(), access, sdef, typed)
        return redirect(url_for("privacy.preview", session_name=sdef.name, element_id=element_id))
    page = page_arg()
    rows, has_next = service.erasures(db_session(), page, PER_PAGE)
    return render_template(
        "privacy/index.html", sessions=sessions, rows=rows, page=page, has_next=has_next,
        session_label=session_label,
    )


@bp.route("/<session_name>/<int:element_id>", methods=["GET", "POST"])
def preview(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    """GET: what would be erased, per plugin. POST (``modify``): erase, in one transaction. A
    session without clients goes back to the search with the reason."""
    try:
        return _preview(session_name, element_id)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("privacy.index"))


def _preview(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    access = current_access()
    form = EraseForm()
    if request.method == "POST":
        service.client_sdef(access, session_name, "modify")
        if form.validate_on_submit():
            with unit_of_work() as db:
                log = service.erase(db, access, session_name, element_id)
                total = sum(n for counts in log.counts.values() for n in counts.values())
            flash(_("Personal data erased: %(count)s records.", count=total), "success")
            return redirect(url_for("privacy.index"))
    plan = service.preview(db_session(), access, session_name, element_id)
    page = render_template(
        "privacy/preview.html", plan=plan, form=form, may_erase=access.can(service.SESSION, "modify"),
        label=session_label(plan.sdef), total=sum(f.total for f in plan.found),
    )
    return page, 400 if request.method == "POST" else 200
