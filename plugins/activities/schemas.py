"""Marshmallow schemas of the activities session and its actions (ACT-01, ACT-02, ACT-03)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from plugins.activities.calendar import user_zone
from plugins.activities.models import TYPES

TYPE_LABELS = {
    "meeting": _l("Meeting"),
    "call": _l("Call"),
    "fax": _l("Fax"),
    "letter": _l("Letter"),
    "task": _l("Task"),
}
MAX_DURATION = 7 * 24 * 60


def _viewer_zone() -> Any:
    """The zone a naive date-time typed by the current user is meant in (UTC outside a login)."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return user_zone(current_user)
    return UTC


def linkable_sessions() -> list[tuple[str, str]]:
    """``(name, label)`` of the areas an activity may be linked to: every other grid session."""
    from crm_core.toolkit import crm_state

    return [(s.name, str(s.label)) for s in crm_state().registry.grid_sessions() if s.name != "activities"]


class LocalDateTime(fields.DateTime):
    """An ISO date-time; one without an offset is read in the user's zone, stored as UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=_viewer_zone())
        return parsed.astimezone(UTC)


class ActivitySchema(Schema):
    id = fields.Int(dump_only=True)
    type = fields.Str(
        required=True,
        validate=validate.OneOf(TYPES),
        metadata={"label": _l("Type"), "choices": lambda: [(t, TYPE_LABELS[t]) for t in TYPES]},
    )
    subject = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Subject")})
    description = fields.Str(metadata={"label": _l("Description"), "widget": "textarea"})
    starts_at = LocalDateTime(required=True, metadata={"label": _l("Date and time"), "widget": "datetime-local"})
    duration = fields.Int(
        load_default=30,
        validate=validate.Range(min=0, max=MAX_DURATION),
        metadata={"label": _l("Duration (minutes)")},
    )
    location = fields.Str(validate=validate.Length(max=200), metadata={"label": _l("Location")})
    status = fields.Str(dump_only=True, metadata={"label": _l("Status")})
    done_at = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Done at")})
    session_name = fields.Str(allow_none=True, metadata={"label": _l("Linked to (area)"), "choices": linkable_sessions})
    element_id = fields.Int(allow_none=True, metadata={"label": _l("Linked record"), "lookup_from": "session_name"})
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)

    @validates("session_name")
    def _known_session(self, value: str | None, **_kwargs: Any) -> None:
        if not value:
            return
        if value not in dict(linkable_sessions()):
            raise ValidationError(_("Activities can be linked only to records of another area."))

    @validates_schema
    def _link_is_a_pair(self, data: dict[str, Any], **_kwargs: Any) -> None:
        partial_link = bool(data.get("session_name")) != (data.get("element_id") is not None)
        if ("session_name" in data or "element_id" in data) and partial_link:
            raise ValidationError(_("Give both the area and the record, or neither."), "element_id")


class GenerateSchema(Schema):
    """Input of "generate for a grouping" (ACT-03)."""

    grouping_id = fields.Int(required=True, metadata={"label": _l("Grouping"), "lookup": "groupings"})
