"""Configuration screen of the outbox: see what is queued, failed or dead; retry or cancel it.

Access is granted per group on the ``outbox`` session (administrators always); retry and cancel
need ``modify`` and are POST-only with a CSRF token, after a confirmation page (ERP-01
"visible status").
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from crm_core import outbox
from crm_core.admin.forms import ConfirmForm
from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.models.outbox import STATUSES, OutboxMessage
from crm_core.outbox import STATUS_LABELS
from crm_core.request_input import page_arg
from crm_core.security import current_access

bp = Blueprint("outbox", __name__, url_prefix="/config/outbox")
PER_PAGE = 50
OPERATIONS = {
    "retry": (outbox.retry, outbox.RETRYABLE, _l("Retry message #%(id)s now?"), _l("Message #%(id)s queued again.")),
    "cancel": (outbox.cancel, outbox.CANCELLABLE, _l("Cancel message #%(id)s?"), _l("Message #%(id)s cancelled.")),
}


@bp.before_request
@login_required
def _logged_in() -> None:
    return None


@bp.route("")
def messages():  # type: ignore[no-untyped-def]
    """The queue, newest first, filtered by status (repeatable ``status``) and topic."""
    current_access().require("outbox", "view")
    statuses = [s for s in request.args.getlist("status") if s in STATUSES]
    topic = request.args.get("topic", "").strip()
    page = page_arg()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if statuses:
        stmt = stmt.where(OutboxMessage.status.in_(statuses))
    if topic:
        stmt = stmt.where(OutboxMessage.topic == topic)
    rows = list(db_session().scalars(stmt.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)))
    return render_template(
        "outbox/messages.html",
        rows=rows[:PER_PAGE],
        page=page,
        has_next=len(rows) > PER_PAGE,
        statuses=statuses,
        topic=topic,
        labels=STATUS_LABELS,
        retryable=outbox.RETRYABLE,
        cancellable=outbox.CANCELLABLE,
    )


@bp.route("/<int:message_id>/<any(retry, cancel):operation>", methods=["GET", "POST"])
def operate(message_id: int, operation: str):  # type: ignore[no-untyped-def]
    """Confirm (GET) then retry or cancel (POST with CSRF token) one message."""
    current_access().require("outbox", "modify")
    msg = db_session().get(OutboxMessage, message_id)
    if msg is None:
        raise NotFound(_("No such record."))
    run, allowed, question, done = OPERATIONS[operation]
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                run(db, message_id)
            flash(str(done) % {"id": message_id}, "success")
        except BusinessRuleError as exc:
            flash(str(exc), "danger")
        return redirect(url_for("outbox.messages"))
    if msg.status not in allowed:
        flash(_("This message cannot be changed in its current status."), "warning")
        return redirect(url_for("outbox.messages"))
    return render_template(
        "outbox/confirm.html", form=form, msg=msg, question=str(question) % {"id": message_id},
        operation=operation, labels=STATUS_LABELS,
    )
