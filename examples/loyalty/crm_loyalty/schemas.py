"""Validation and API shape of a points entry (the generic screens and the API use it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate


class PointsEntrySchema(Schema):
    id = fields.Int(dump_only=True)
    account_id = fields.Int(required=True, metadata={"label": _l("Account"), "lookup": "accounts"})
    opportunity_id = fields.Int(dump_only=True, metadata={"label": _l("Opportunity"), "lookup": "opportunities"})
    points = fields.Int(
        required=True, validate=validate.Range(min=-100_000, max=100_000), metadata={"label": _l("Points")}
    )
    reason = fields.Str(validate=validate.Length(max=200), metadata={"label": _l("Reason")})
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)
