"""The case's "Core system" tab and its action pages (CAS-03).

The tab lists the calls made on the case and, to users who may modify it while it is worked
on, the actions the client's adapter offers. An action page is a form built from the action's
schema with a hidden idempotency key made when the form is first shown and kept when it is shown
again after an error, so submitting twice (or retrying after an outage) is one operation.
Money-changing actions ask for an explicit confirmation.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import ValidationError, fields, validate
from sqlalchemy import select

from crm_core.toolkit import (
    BusinessRuleError,
    SessionDef,
    Tab,
    User,
    current_access,
    get_element,
)
from crm_core.toolkit import session as db_session
from plugins.cases import core_service, services
from plugins.cases.core_actions import CoreAction
from plugins.cases.models import Case

bp = Blueprint("cases_core", __name__, url_prefix="/cases/core", template_folder="templates")

OUTCOME_LABELS = {
    "pending": _l("No answer yet"),
    "done": _l("Done"),
    "replayed": _l("Already done (not repeated)"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
}


def _when(value: Any) -> str:
    return format_datetime(value, "short") if value is not None else ""


def render_tab(sdef: SessionDef, case: Case) -> str:
    """The detail screen has already checked that the viewer may see ``case``."""
    db = db_session()
    calls = core_service.history(db, case)
    people = db.scalars(select(User).where(User.id.in_({c.user_id for c in calls})))
    names = {u.id: u.full_name or u.username for u in people}
    labels = {a.name: a.label for a in core_service.core_actions().values()}
    rows = [
        {
            "when": _when(c.created_at), "who": names.get(c.user_id, ""), "action": labels.get(c.action, c.action),
            "outcome": c.outcome, "outcome_label": str(OUTCOME_LABELS.get(c.outcome, c.outcome)),
            "message": c.message, "reference": c.reference,
        }
        for c in calls
    ]
    actions = core_service.offered(case) if current_access().can(sdef, "modify") else []
    return render_template("cases/core_tab.html", case=case, rows=rows, actions=actions)


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    """The tab appears on cases when an enabled adapter offers Core actions."""
    if sdef.model is not Case or not core_service.core_actions():
        return []
    return [Tab("core", _l("Core system"), render_tab, order=35)]


def form_fields(action: CoreAction) -> list[dict[str, Any]]:
    """What the form shows for each field of the action's schema."""
    specs = []
    for name, field in (action.schema().fields if action.schema else {}).items():
        if field.dump_only:
            continue
        choices = next((v.choices for v in field.validators if isinstance(v, validate.OneOf)), None)
        kind = "text"
        if choices is not None:
            kind = "select"
        elif isinstance(field, (fields.Decimal, fields.Float, fields.Integer)):
            kind = "number"
        elif isinstance(field, fields.Date):
            kind = "date"
        specs.append({
            "name": name, "label": str(field.metadata.get("label", name)), "kind": kind, "required": field.required,
            "choices": list(choices or ()), "help": str(field.metadata.get("description", "")),
        })
    return specs


def _page(case: Case, action: CoreAction, values: dict[str, Any], errors: dict[str, Any], key: str, status: int) -> Any:
    return render_template(
        "cases/core_action.html", case=case, action=action, specs=form_fields(action), values=values,
        errors=errors, key=key, back=_back_url(case.id), case_name=case.display_name(),
    ), status


def _back_url(case_id: int) -> str:
    return url_for("screens.detail", session_name=services.SESSION, element_id=case_id, tab="core")


@bp.route("/<int:case_id>/<name>", methods=["GET", "POST"])
@login_required
def action_page(case_id: int, name: str) -> Any:
    access = current_access()
    case = get_element(db_session(), services.cases_sdef(), access, case_id, "modify")
    action = {a.name: a for a in core_service.offered(case)}.get(name)
    if action is None:
        abort(404)
    if request.method == "GET":
        return _page(case, action, {}, {}, core_service.new_key(), 200)
    key = request.form.get("idempotency_key", "")
    values = {s["name"]: request.form.get(s["name"], "") for s in form_fields(action)}
    raw = {k: v for k, v in values.items() if v != ""}
    if action.money and request.form.get("confirm") != "yes":
        return _page(case, action, values, {"confirm": [_("Confirm the operation: it changes money.")]}, key, 400)
    try:
        call = core_service.run(access, case_id, name, raw, key)
    except ValidationError as exc:
        return _page(case, action, values, exc.normalized_messages(), key, 400)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
        return _page(case, action, values, {}, key, 400)
    if call.outcome in ("done", "replayed"):
        flash(call.message if call.outcome == "done" else _("Already done, not repeated: %(m)s", m=call.message),
              "success")
        return redirect(_back_url(case_id))
    if call.outcome == "refused":
        flash(_("The Core system refused: %(m)s Nothing was changed.", m=call.message), "danger")
    else:
        flash(_("The Core system could not be reached: %(m)s Nothing was changed in the CRM; "
                "you may try again, the operation will not be executed twice.", m=call.message), "danger")
    return _page(case, action, values, {}, key, 502 if call.outcome == "failed" else 422)
