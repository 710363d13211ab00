"""Validation of call records on every path (forms, API, imports), and the Asterisk CDR layout.

An Asterisk ``Master.csv`` line (cdr_csv's standard columns) is imported through the generic
import with :data:`CDR_COLUMNS` as its mapping: the CDR columns load into ``cdr_*`` fields, which
:meth:`CallSchema.from_cdr` turns into the call's own fields before validation, and the
``uniqueid`` column *is* the call id — the import's duplicate key — so importing a file twice
skips what is already stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from crm_core.toolkit import crm_state, e164
from plugins.telephony.models import DIRECTIONS, RESULTS

DIRECTION_LABELS = {"inbound": _l("Inbound"), "outbound": _l("Outbound")}
RESULT_LABELS = {
    "answered": _l("Answered"),
    "missed": _l("Missed"),
    "busy": _l("Busy"),
    "unreachable": _l("Unreachable"),
}

#: Asterisk cdr_csv's columns in file order (``loguniqueid`` and ``loguserfield`` on), as field
#: names of :class:`CallSchema`; "" = a column the call record does not keep.
CDR_COLUMNS = (
    "",  # accountcode
    "cdr_src",
    "cdr_dst",
    "",  # dcontext
    "",  # clid
    "cdr_channel",
    "cdr_dstchannel",
    "",  # lastapp
    "",  # lastdata
    "cdr_start",
    "",  # answer
    "",  # end
    "cdr_duration",
    "cdr_billsec",
    "cdr_disposition",
    "",  # amaflags
    "call_id",  # uniqueid
    "cdr_userfield",
)
#: Asterisk's dispositions → the call's result.
DISPOSITIONS = {"ANSWERED": "answered", "NO ANSWER": "missed", "BUSY": "busy", "FAILED": "unreachable",
                "CONGESTION": "unreachable"}
#: An internal extension: a few digits (external numbers are longer).
EXTENSION = re.compile(r"^\d{2,6}$")
#: The extension in a channel name: "SIP/201-0000000a", "PJSIP/201-00000003".
CHANNEL = re.compile(r"^[A-Za-z0-9]+/(\d{2,6})-")


def _channel_extension(channel: str) -> str:
    match = CHANNEL.match(channel or "")
    return match[1] if match else ""


def _pbx_time(text: str) -> str:
    """A CDR time ("2026-11-30 08:00:01", the PBX's local time) as ISO UTC."""
    zone = ZoneInfo(crm_state().setting("telephony", "pbx_timezone", "UTC"))
    try:
        local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
    except ValueError:
        raise ValidationError({"started_at": [_("Not a CDR time (YYYY-MM-DD HH:MM:SS): %(t)s", t=text)]}) from None
    return local.astimezone(UTC).isoformat()


def _seconds(text: str, name: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError({name: [_("Not a number of seconds: %(t)s", t=text)]}) from None


def cdr_to_call(data: dict[str, Any]) -> dict[str, Any]:
    """The call fields of one CDR line (``cdr_*`` keys); other keys pass through."""
    cdr = {k[4:]: str(data.pop(k) or "") for k in list(data) if k.startswith("cdr_")}
    src, dst = cdr.get("src", "").strip(), cdr.get("dst", "").strip()
    outbound = bool(EXTENSION.match(src)) and not EXTENSION.match(dst)
    extension = (src or _channel_extension(cdr.get("channel", ""))) if outbound else (
        dst if EXTENSION.match(dst) else _channel_extension(cdr.get("dstchannel", "")))
    disposition = cdr.get("disposition", "").strip().upper()
    if disposition not in DISPOSITIONS:
        raise ValidationError({"result": [_("Unknown CDR disposition: %(d)s", d=disposition)]})
    duration = _seconds(cdr.get("duration", "0"), "ring_seconds")
    talk = _seconds(cdr.get("billsec", "0"), "talk_seconds")
    call = {
        "direction": "outbound" if outbound else "inbound",
        "number": dst if outbound else src,
        "extension": extension,
        "result": DISPOSITIONS[disposition],
        "started_at": _pbx_time(cdr.get("start", "")),
        "ring_seconds": max(0, duration - talk),
        "talk_seconds": talk,
    }
    userfield = cdr.get("userfield", "").strip()
    if userfield.startswith(("http://", "https://")):
        call["recording_url"] = userfield
    return {**call, **data}


class CallSchema(Schema):
    id = fields.Int(dump_only=True)
    call_id = fields.Str(required=True, validate=validate.Length(min=1, max=64), metadata={"label": _l("Call id")})
    direction = fields.Str(
        load_default="inbound",
        validate=validate.OneOf(DIRECTIONS),
        metadata={"label": _l("Direction"), "choices": lambda: list(DIRECTION_LABELS.items())},
    )
    number = fields.Str(validate=validate.Length(max=40), metadata={"label": _l("Number"), "widget": "phone"})
    extension = fields.Str(validate=validate.Length(max=20), metadata={"label": _l("Extension")})
    result = fields.Str(
        load_default="answered",
        validate=validate.OneOf(RESULTS),
        metadata={"label": _l("Result"), "choices": lambda: list(RESULT_LABELS.items())},
    )
    started_at = fields.AwareDateTime(
        load_default=lambda: datetime.now(UTC), default_timezone=UTC, metadata={"label": _l("Start")}
    )
    ring_seconds = fields.Int(load_default=0, validate=validate.Range(min=0, max=86_400),
                              metadata={"label": _l("Ring (s)")})
    talk_seconds = fields.Int(load_default=0, validate=validate.Range(min=0, max=86_400),
                              metadata={"label": _l("Talk (s)")})
    session_name = fields.Str(dump_only=True, metadata={"label": _l("Client area")})
    element_id = fields.Int(dump_only=True, metadata={"label": _l("Client")})
    notes = fields.Str(metadata={"label": _l("Notes"), "widget": "textarea"})
    recording_url = fields.Str(
        validate=[validate.Length(max=500), validate.URL(schemes={"http", "https"}, require_tld=False)],
        metadata={"label": _l("Recording")},
    )
    owner_id = fields.Int(metadata={"label": _l("Agent")})
    version = fields.Int(dump_only=True)
    # The CDR columns (load only): an imported Master.csv line, turned into the fields above.
    cdr_src = fields.Str(load_only=True, metadata={"label": "CDR src"})
    cdr_dst = fields.Str(load_only=True, metadata={"label": "CDR dst"})
    cdr_channel = fields.Str(load_only=True, metadata={"label": "CDR channel"})
    cdr_dstchannel = fields.Str(load_only=True, metadata={"label": "CDR dstchannel"})
    cdr_start = fields.Str(load_only=True, metadata={"label": "CDR start"})
    cdr_duration = fields.Str(load_only=True, metadata={"label": "CDR duration"})
    cdr_billsec = fields.Str(load_only=True, metadata={"label": "CDR billsec"})
    cdr_disposition = fields.Str(load_only=True, metadata={"label": "CDR disposition"})
    cdr_userfield = fields.Str(load_only=True, metadata={"label": "CDR userfield"})

    @pre_load
    def from_cdr(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        """A CDR line becomes the call it records; the agent is the extension's user. Any ``cdr_*``
        key makes the input a CDR line (a partial one is refused by its disposition), so the CDR
        columns never reach the model as fields."""
        if not isinstance(data, dict) or not any(str(k).startswith("cdr_") for k in data):
            return data
        call = cdr_to_call(dict(data))
        if "owner_id" not in call and call["extension"]:
            from plugins.telephony.services import extension_user_ids

            owner = extension_user_ids().get(call["extension"])
            if owner is not None:
                call["owner_id"] = owner
        return call

    @post_load
    def with_e164(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        """The number's E.164 form for imports, which write without the ORM (models.Call)."""
        if "number" in data:
            data["number_e164"] = e164(data["number"])
        return data
