"""Telephony pages: the signed webhook of hosted PBXs and click-to-call."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from crm_core.toolkit import BusinessRuleError, csrf_exempt, current_access, unit_of_work
from plugins.telephony import click_to_call, services, webhooks

bp = Blueprint("telephony", __name__, url_prefix="/telephony", template_folder="templates")


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


