"""``[settings.telephony]`` of customer.toml, checked at start-up. The PBX secrets (AMI password,
webhook secret) are read here and never written to a log or a page."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate


def _zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(_("Unknown time zone %(name)s.", name=name))


class TelephonySettings(Schema):
    #: The AMI (Asterisk Manager Interface) of the PBX: host, port, user and secret.
    ami_host = fields.Str(load_default="127.0.0.1")
    ami_port = fields.Int(load_default=5038, validate=validate.Range(min=1, max=65535))
    ami_username = fields.Str(load_default="")
    ami_secret = fields.Str(load_default="")
    #: Context and how long the agent's phone rings for click-to-call (Originate).
    originate_channel = fields.Str(load_default="PJSIP/{extension}")
    originate_context = fields.Str(load_default="from-internal")
    originate_timeout = fields.Int(load_default=30, validate=validate.Range(min=5, max=120))
    #: Reconnection back-off of ``crm telephony listen``: first and longest wait in seconds.
    reconnect_min = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False))
    reconnect_max = fields.Float(load_default=60.0, validate=validate.Range(min=0, min_inclusive=False))
    #: The hosted PBX's webhook secret (HMAC-SHA256) and the replay window in seconds.
    webhook_secret = fields.Str(load_default="")
    webhook_window = fields.Int(load_default=300, validate=validate.Range(min=1, max=3600))
    #: The PBX's clock (CDR times are local), and who owns calls of an unknown extension.
    pbx_timezone = fields.Str(load_default="UTC", validate=_zone)
    unassigned_owner = fields.Str(load_default="")
