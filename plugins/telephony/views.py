"""Telephony pages: the signed webhook of hosted PBXs and click-to-call."""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.toolkit import BusinessRuleError, csrf_exempt, current_access, unit_of_work
from crm_core.toolkit import session as db_session
from plugins.telephony import click_to_call, pop, services, webhooks
from plugins.telephony.models import Pop

bp = Blueprint("telephony", __name__, url_prefix="/telephony", template_folder="templates", static_folder="static")
#: How long one event stream stays open (the browser reconnects, sending the last id it saw),
#: how often it looks for new pops, and how long the browser waits before reconnecting.
STREAM_SECONDS = 25.0
POLL_SECONDS = 1.0
RETRY_MS = 2000
#: The figures page's session (menu entry and permission), declared in ``sessions``.
FIGURES = "call_figures"


@bp.post("/webhook")
@csrf_exempt
def webhook():  # type: ignore[no-untyped-def]
    """A call reported by a hosted PBX: signed (HMAC-SHA256 over timestamp + body), fresh,
    stored once per call id. Answers 401 for an unsigned, badly signed or stale request."""
    body = request.get_data(cache=True)
    refused = webhooks.refusal(
        request.headers.get(webhooks.TIMESTAMP_HEADER), request.headers.get(webhooks.SIGNATURE_HEADER), body
    )
    if refused:
        return jsonify(error="unauthorized", message=refused), 401
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="bad_request", message=_("The body is not a JSON object.")), 400
    if payload.get("event") == "call.ringing":
        return _ringing(payload)
    try:
        values = webhooks.call_values(payload)
    except ValidationError as exc:
        return jsonify(error="invalid", message=_("The call is not valid."), fields=exc.normalized_messages()), 422
    try:
        with unit_of_work() as db:
            call = services.record_call(db, values, action="webhook")
    except BusinessRuleError as exc:
        return jsonify(error="refused", message=str(exc)), 422
    return jsonify(stored=call is not None, call_id=values["call_id"]), 201 if call is not None else 200


@bp.post("/call")
@login_required
def call():  # type: ignore[no-untyped-def]
    """Click-to-call: ring the agent's extension, then the number (queued for the worker)."""
    number = (request.form.get("number") or (request.get_json(silent=True) or {}).get("number") or "").strip()
    wants_json = request.is_json or request.accept_mimetypes.best == "application/json"
    try:
        with unit_of_work() as db:
            dialled = click_to_call.request_call(db, current_access(), number)
    except BusinessRuleError as exc:
        if wants_json:
            return jsonify(error="refused", message=str(exc)), 422
        flash(str(exc), "danger")
        return redirect(request.referrer or "/")
    message = _("Calling %(number)s: your phone rings first.", number=dialled)
    if wants_json:
        return jsonify(number=dialled, message=message), 202
    flash(message, "success")
    return redirect(request.referrer or "/")




def _ringing(payload: dict) -> tuple[Response, int]:
    try:
        values = webhooks.RingingSchema().load(payload)
    except ValidationError as exc:
        return jsonify(error="invalid", message=_("The call is not valid."), fields=exc.normalized_messages()), 422
    with unit_of_work() as db:
        queued = services.ringing(db, values["call_id"], values["number"], values["extension"])
    return jsonify(popped=queued is not None, call_id=values["call_id"]), 202


@bp.get("/events")
@login_required
def events():  # type: ignore[no-untyped-def]
    """The signed-in agent's own event stream (Server-Sent Events): one ``call`` event per call
    ringing at their extension, carrying the pop's id; nobody else's calls are ever sent."""
    user_id = current_user.id
    last = request.headers.get("Last-Event-ID", "")
    if last.isdigit():
        after = int(last)
    else:
        after = db_session().scalar(select(func.max(Pop.id)).where(Pop.user_id == user_id)) or 0
        db_session().rollback()

    def stream() -> Iterator[str]:
        nonlocal after
        yield f"retry: {RETRY_MS}\n\n"
        until = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < until:
            with unit_of_work() as db:  # one short transaction per look: new commits are seen
                ids = list(db.scalars(select(Pop.id).where(Pop.user_id == user_id, Pop.id > after).order_by(Pop.id)))
            for pop_id in ids:
                after = pop_id
                yield f"id: {pop_id}\nevent: call\ndata: {pop_id}\n\n"
            yield ": waiting\n\n"
            time.sleep(POLL_SECONDS)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(stream()), mimetype="text/event-stream", headers=headers)


@bp.get("/pops/<int:pop_id>")
@login_required
def pop_card(pop_id: int):  # type: ignore[no-untyped-def]
    """The card of a pop of the signed-in agent (404 for anyone else's), with their permissions."""
    db = db_session()
    found = db.get(Pop, pop_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    card = pop.build_card(db, current_access(), found.number)
    return render_template("telephony/pop.html", pop=found, card=card, label=pop.label)


@bp.get("/figures")
@login_required
def figures():  # type: ignore[no-untyped-def]
    """Calls received per hour/day/week/month, mean talk time, missed rate, per agent and group,
    as a chart and tables, each table also as CSV, XLSX or PDF (EXT-24)."""
    from datetime import date, timedelta

    from flask_babel import gettext as _

    from crm_core.toolkit import table_response
    from plugins.telephony import figures as fig

    access = current_access()
    access.require(FIGURES, "view")
    calls = fig.calls_sdef()
    access.require(calls, "view")
    errors: list[str] = []
    today = date.today()
    try:
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
        start = date.fromisoformat(request.args.get("from") or (end - timedelta(days=30)).isoformat())
    except (ValueError, OverflowError):
        errors.append(_("Dates are written YYYY-MM-DD."))
        start, end = today - timedelta(days=30), today
    if start > end:
        errors.append(_("The period ends before it starts."))
    elif start.year < 1900 or end.year > 2999:
        errors.append(_("Choose dates between 1900 and 2999."))
        start, end = today - timedelta(days=30), today
    bucket = request.args.get("per", "day")
    if bucket not in fig.BUCKETS:
        errors.append(_("Choose hour, day, week or month."))
        bucket = "day"
    report = None if errors else fig.compute(db_session(), access, calls, start, end, bucket)
    tables = [] if report is None else [
        ("periods", _("Per period"), [*report.periods, report.total]),
        ("agents", _("Per agent"), report.agents),
        ("groups", _("Per group"), report.groups),
    ]
    fmt = request.args.get("format", "")
    if report is not None and fmt:
        chosen = {key: rows for key, _title, rows in tables}.get(request.args.get("table", "periods"))
        if chosen is None or fmt not in ("csv", "xlsx", "pdf"):
            abort(404)
        return table_response(fmt, "call-figures", _("Call figures"), fig.header(), [f.row() for f in chosen])
    args = {"from": start.isoformat(), "to": end.isoformat(), "per": bucket}
    return render_template(
        "telephony/figures.html", report=report, tables=tables, header=fig.header(), errors=errors,
        buckets=fig.BUCKETS, bucket=bucket, start=start.isoformat(), end=end.isoformat(), args=args,
        gaps=services.open_gaps(db_session()),
    ), 400 if errors else 200
