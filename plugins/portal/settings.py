"""``[settings.portal]`` of the customer file, validated at start-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate


class PortalSettings(Schema):
    #: The CRM user the portal acts as when it opens a customer's request (the new case's owner
    #: unless the cases' rules assign one); empty: the owner of the customer's account.
    intake_user = fields.Str(load_default="", metadata={"label": _l("Portal intake user")})
    #: Public address of the CRM, in front of the links sent by e-mail.
    base_url = fields.Str(load_default="", validate=validate.Length(max=200))
    invite_hours = fields.Int(load_default=72, validate=validate.Range(min=1, max=24 * 30))
    reset_minutes = fields.Int(load_default=60, validate=validate.Range(min=5, max=24 * 60))
    code_minutes = fields.Int(load_default=10, validate=validate.Range(min=1, max=60))
    session_hours = fields.Int(load_default=12, validate=validate.Range(min=1, max=24 * 30))
    #: Web-to-lead spam protection: a form sent back sooner than this is refused.
    form_min_seconds = fields.Int(load_default=3, validate=validate.Range(min=0, max=3600))
    #: Accepted submissions per address and hour, over every form.
    form_per_hour = fields.Int(load_default=10, validate=validate.Range(min=1, max=10_000))
    #: Largest form body accepted, in bytes.
    form_max_bytes = fields.Int(load_default=16_384, validate=validate.Range(min=1024, max=1_048_576))
