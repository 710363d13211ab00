""""Send to inbox" on every session's records (EXT-12).

Contributed through ``crm_element_actions`` to each session with a model, so sales, purchasing,
activities and any partner session get it without knowing inboxes exist. The action needs only
the view right on the element (``permission="view"``): sending is a message about a record, not
a change of it; :func:`plugins.inboxes.services.send` checks what the recipient may see.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from crm_core.toolkit import Action, ActionContext, SessionDef
from crm_core.toolkit import session as db_session
from plugins.inboxes import services
from plugins.inboxes.settings import vocabulary


class SendSchema(Schema):
    recipient = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"label": _l("Send to"), "choices": lambda: services.recipient_choices(db_session())},
    )
    requested_action = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"label": _l("Requested action"), "choices": lambda: list(vocabulary().items())},
    )
    action_text = fields.Str(load_default="", validate=validate.Length(max=200), metadata={"label": _l("Details")})
    note = fields.Str(load_default="", validate=validate.Length(max=2000),
                      metadata={"label": _l("Note"), "widget": "textarea"})


def send_to_inbox(ctx: ActionContext) -> str:
    data = ctx.data
    item = services.send(ctx.db, ctx.sdef, ctx.access, ctx.element, data["recipient"], data["requested_action"],
                         data.get("action_text", ""), data.get("note", ""))
    if item.group_id is not None:
        return _("Sent to the group's inbox.")
    return _("Sent to the user's inbox.")


def inbox_actions(sdef: SessionDef) -> list[Action]:
    """The action for every session with records."""
    if sdef.model is None:
        return []
    return [Action(services.SEND_ACTION, _l("Send to inbox"), send_to_inbox, schema=SendSchema, permission="view")]
