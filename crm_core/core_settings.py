"""``[settings.core]`` of customer.toml: the core's own settings, checked at start-up like a
plugin's ``settings_schema`` (a misspelled key used to be accepted and ignored)."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from crm_core.phones import is_region


def _known_region(code: str) -> None:
    if not is_region(code):
        raise ValidationError(_("Unknown phone region %(code)s: use an ISO code such as ES, GB, US, RO.", code=code))


class CoreSettings(Schema):
    """Home page shortcut, the outbox worker's delivery policy (docs/outbox.md), the region
    national phone numbers are read in (``phone_region``, e.g. "ES", "GB": crm_core/phones.py)
    and how long the bell's notifications are kept (docs/screens.md)."""

    home_shortcut_label = fields.Str(validate=validate.Length(min=1, max=80))
    home_shortcut_url = fields.Url(require_tld=False, schemes={"http", "https"})
    outbox_max_attempts = fields.Int(strict=True, validate=validate.Range(min=1))
    outbox_base_delay = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    outbox_max_delay = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    outbox_lease_seconds = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    phone_region = fields.Str(validate=_known_region)
    #: in-app notifications kept after they were read / after they were written unread (days)
    notifications_keep_read_days = fields.Int(strict=True, validate=validate.Range(min=1, max=36500))
    notifications_keep_unread_days = fields.Int(strict=True, validate=validate.Range(min=1, max=36500))
    notifications_purge_every_seconds = fields.Int(strict=True, validate=validate.Range(min=60))
