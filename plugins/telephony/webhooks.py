"""Signed webhooks of hosted PBXs (TEL-01): ``POST /telephony/webhook``.

The PBX signs ``"<timestamp>." + body`` with HMAC-SHA256 and the shared secret
(``[settings.telephony] webhook_secret``) and sends ``X-Telephony-Timestamp`` (Unix seconds) and
``X-Telephony-Signature: sha256=<hex>``. A missing or wrong signature, or a timestamp outside the
replay window (``webhook_window`` seconds, either way), is refused with 401 before the body is
read as JSON: nothing changes. A call id already stored is acknowledged and not stored again, so
a PBX retrying a delivery never makes a second record.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from crm_core.toolkit import crm_state
from plugins.telephony.models import DIRECTIONS, RESULTS

TIMESTAMP_HEADER = "X-Telephony-Timestamp"
SIGNATURE_HEADER = "X-Telephony-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def refusal(timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> str | None:
    """Why the request is not from the PBX (a message for the 401), or None when it is."""
    secret = crm_state().setting("telephony", "webhook_secret", "")
    if not secret:
        return _("Webhooks are not configured.")
    if not timestamp or not signature:
        return _("The request is not signed.")
    try:
        sent = int(timestamp)
    except ValueError:
        return _("The signature's timestamp is not a number.")
    window = crm_state().setting("telephony", "webhook_window", 300)
    if abs((now if now is not None else time.time()) - sent) > window:
        return _("The signature has expired.")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return _("The signature does not match.")
    return None


class WebhookCallSchema(Schema):
    """A call that ended, as the hosted PBX reports it."""

    event = fields.Str(required=True, validate=validate.OneOf(("call.ended",)))
    call_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    direction = fields.Str(required=True, validate=validate.OneOf(DIRECTIONS))
    number = fields.Str(required=True, validate=validate.Length(max=40), metadata={"label": _l("Number")})
    extension = fields.Str(load_default="", validate=validate.Length(max=20))
    result = fields.Str(required=True, validate=validate.OneOf(RESULTS))
    started_at = fields.AwareDateTime(required=True)
    ring_seconds = fields.Int(load_default=0, validate=validate.Range(min=0, max=86_400))
    talk_seconds = fields.Int(load_default=0, validate=validate.Range(min=0, max=86_400))
    recording_url = fields.Url(load_default="", schemes={"http", "https"}, require_tld=False)


def call_values(payload: dict[str, Any]) -> dict[str, Any]:
    values = WebhookCallSchema().load(payload)
    values.pop("event")
    return values


class RingingSchema(Schema):
    """A call starting to ring at an extension (the screen pop's moment)."""

    event = fields.Str(required=True, validate=validate.Equal("call.ringing"))
    call_id = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    number = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    extension = fields.Str(required=True, validate=validate.Length(min=1, max=20))
