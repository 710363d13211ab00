""""Send email" on every element that has an email address (MSG-01).

Contributed through ``crm_element_actions``, so sales, purchasing and any partner session get
it without knowing messaging exists. The email is enqueued in the action's transaction and
listed on the element's Messages tab once the worker has sent it.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from crm_core.toolkit import Action, ActionContext, BusinessRuleError, SessionDef, enqueue
from plugins.messaging.mail import DEFAULT_LANGUAGE, EMAIL_TOPIC


class SendEmailSchema(Schema):
    subject = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": _l("Subject")})
    body = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=20_000),
        metadata={"label": _l("Message"), "widget": "textarea"},
    )


def _address(element: Any) -> str:
    return (getattr(element, "email", "") or "").strip()


def send_email(ctx: ActionContext) -> str:
    address = _address(ctx.element)
    if not address:
        raise BusinessRuleError(_("This record has no email address."))
    payload = {
        "to": address,
        "subject": " ".join(ctx.data["subject"].split()),
        "body": ctx.data["body"].strip() + "\n",
        "language": getattr(ctx.user, "language", DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE,
        "template": "manual",
    }
    key = f"email:{ctx.element.__element_type__}:{ctx.element.id}:{uuid.uuid4().hex}"
    enqueue(ctx.db, EMAIL_TOPIC, payload, key, element=ctx.element)
    return _("Email to %(to)s queued.", to=address)


def email_actions(sdef: SessionDef) -> list[Action]:
    """The action for sessions whose records carry an ``email`` column."""
    if sdef.model is None or not hasattr(sdef.model, "email"):
        return []
    return [
        Action("send_email", _l("Send email"), send_email, schema=SendEmailSchema,
               available=lambda element: bool(_address(element)), composer=True)
    ]
