"""The "Triage" tab of defect cases and its two POST forms (EXT-14): answer the question now
asked, restart the script. Each write is one unit of work through the cases session's one
permission check (``get_element`` with "modify"); a refusal is a message on the case and
changes nothing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from crm_core.toolkit import (
    BusinessRuleError,
    SessionDef,
    Tab,
    current_access,
    get_element,
    parse_int,
    unit_of_work,
)
from crm_core.toolkit import session as db_session
from plugins.cases import services, triage
from plugins.cases.models import WORKING_STATES, Case

bp = Blueprint("cases_triage", __name__, url_prefix="/cases/triage", template_folder="templates")


def render_tab(sdef: SessionDef, case: Case) -> str:
    access = current_access()
    walk = triage.state(db_session(), case)
    return render_template(
        "cases/triage.html",
        case=case,
        walk=walk,
        can_answer=walk is not None and case.status in WORKING_STATES and access.can(sdef, "modify"),
    )


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    return [Tab("triage", _l("Triage"), render_tab, order=15)] if sdef.model is Case else []


def _back(case_id: int) -> Any:
    return redirect(url_for("screens.detail", session_name=services.SESSION, element_id=case_id, tab="triage"))


def _write(case_id: int, work: Any, done: str) -> Any:
    try:
        with unit_of_work() as db:
            case = get_element(db, services.cases_sdef(), current_access(), case_id, "modify")
            work(db, case)
    except BusinessRuleError as exc:
        flash(str(exc), "warning")
        return _back(case_id)
    flash(done, "success")
    return _back(case_id)


@bp.post("/<int:case_id>/answer")
@login_required
def answer(case_id: int) -> Any:
    try:
        choice = parse_int(request.form.get("choice", ""))
    except ValueError:
        abort(400)
    question = request.form.get("question", "")
    user = current_access().user
    return _write(case_id, lambda db, case: triage.answer(db, case, user, question, choice), _("Answer recorded."))


@bp.post("/<int:case_id>/restart")
@login_required
def restart(case_id: int) -> Any:
    return _write(case_id, triage.restart, _("The triage starts again."))
