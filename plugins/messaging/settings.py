"""``[settings.messaging]`` of customer.toml, validated at start-up (MSG-01)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

SECURITY = ("none", "starttls", "ssl")


class MessagingSettings(Schema):
    smtp_host = fields.Str(load_default="")
    smtp_port = fields.Int(load_default=25, validate=validate.Range(min=1, max=65535))
    #: ``none``, ``starttls`` (port 587) or ``ssl`` (implicit TLS, port 465).
    smtp_security = fields.Str(load_default="none", validate=validate.OneOf(SECURITY))
    smtp_username = fields.Str(load_default="")
    smtp_password = fields.Str(load_default="")
    smtp_timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.05, max=300))
    sender = fields.Email(load_default="crm@localhost")
    #: Public address of the CRM, for links in messages (e.g. https://crm.example.com).
    base_url = fields.Str(load_default="http://localhost:5000")
    #: HTTP SMS provider; empty = no SMS.
    sms_url = fields.Str(load_default="")
    sms_token = fields.Str(load_default="")
    sms_sender = fields.Str(load_default="CRM")
    sms_timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.05, max=300))
    #: Remind owners of activities starting within this many minutes …
    reminder_minutes = fields.Int(load_default=60, validate=validate.Range(min=1, max=7 * 24 * 60))
    #: … checked this often by the ``crm worker``.
    reminder_every_seconds = fields.Int(load_default=300, validate=validate.Range(min=10, max=86400))
    #: Also send reminders by SMS to owners with a phone number (needs ``sms_url``).
    sms_reminders = fields.Bool(load_default=False)
