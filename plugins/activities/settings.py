"""``[settings.activities]`` of customer.toml: the working hours the calendar opens its week and
day views at (ACT-05)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class ActivitiesSettings(Schema):
    #: First and last working hour of the day (local time of the viewer), 0..24.
    working_hours_start = fields.Int(load_default=8, validate=validate.Range(min=0, max=23))
    working_hours_end = fields.Int(load_default=19, validate=validate.Range(min=1, max=24))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["working_hours_start"] >= data["working_hours_end"]:
            raise ValidationError(_("The working day must end after it starts."), "working_hours_end")
