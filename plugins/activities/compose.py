""""Add activity" on every other record (issue 17 item 2): an action the timeline's composer offers
in place. It creates the activity through the toolkit's ``create_element``, so the activities
schema, the link rule (a record the user may see), the permission to modify activities and the
audit apply exactly as on the activity form."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from crm_core.toolkit import Action, ActionContext, SessionDef, create_element, current_access
from plugins.activities.models import TYPES, Activity
from plugins.activities.schemas import MAX_DURATION, TYPE_LABELS, LocalDateTime
from plugins.activities.services import SESSION, activities_sdef


class AddActivitySchema(Schema):
    type = fields.Str(
        required=True,
        validate=validate.OneOf(TYPES),
        metadata={"label": _l("Type"), "choices": lambda: [(t, TYPE_LABELS[t]) for t in TYPES]},
    )
    subject = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Subject")})
    starts_at = LocalDateTime(required=True, metadata={"label": _l("Date and time"), "widget": "datetime-local"})
    duration = fields.Int(load_default=30, validate=validate.Range(min=0, max=MAX_DURATION),
                          metadata={"label": _l("Duration (minutes)")})
    description = fields.Str(load_default="", metadata={"label": _l("Description"), "widget": "textarea"})


def add_activity(ctx: ActionContext) -> Activity:
    """A planned activity linked to the record, owned by the acting user."""
    data = {
        **ctx.data,
        "starts_at": ctx.data["starts_at"].isoformat(),
        "session_name": ctx.sdef.name,
        "element_id": ctx.element.id,
    }
    return create_element(ctx.db, activities_sdef(), ctx.access, data)


def _may_add(_element: object) -> bool:
    """Offered to users who may create activities (the handler's ``create_element`` checks it
    on every path; outside a request there is no one to offer it to)."""
    return not has_request_context() or current_access().can(SESSION, "modify")


def compose_actions(sdef: SessionDef) -> list[Action]:
    """The action on records of every other session with a screen (activities link to those)."""
    if sdef.model is None or sdef.model is Activity or not sdef.has_grid:
        return []
    return [Action("add_activity", _l("Add activity"), add_activity, schema=AddActivitySchema,
                   available=_may_add, permission="view", composer=True)]
