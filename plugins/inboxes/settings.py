"""``[settings.inboxes]`` of customer.toml, validated at start-up (EXT-12).

``requested_actions`` is the client's vocabulary of requests, code → label in the client's
language, e.g. ``{ review = "Revisar", call_back = "Llamar" }``. Without it the defaults below
apply, translated to each user's language.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from crm_core.toolkit import crm_state

DEFAULT_ACTIONS = {
    "review": _l("Review"),
    "call_back": _l("Call back"),
    "approve": _l("Approve"),
    "resolve": _l("Resolve"),
    "follow_up": _l("Follow up"),
    "for_information": _l("For information"),
}
CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="Codes are 1 to 40 lowercase letters, digits or _.")


def _check_vocabulary(value: dict[str, str]) -> None:
    if not value:
        raise ValidationError(_("Give at least one requested action."))
    for code, label in value.items():
        CODE(code)
        if not label.strip() or len(label) > 80:
            raise ValidationError(_("The label of %(code)s must have 1 to 80 characters.", code=code))


class InboxesSettings(Schema):
    requested_actions = fields.Dict(keys=fields.Str(), values=fields.Str(), load_default=None,
                                    validate=_check_vocabulary)
    #: Items per page on the inbox screens and the API.
    page_size = fields.Int(load_default=25, validate=validate.Range(min=5, max=200))


def vocabulary() -> dict[str, str]:
    """The requested actions users pick from, code → label."""
    configured = crm_state().setting("inboxes", "requested_actions", None)
    if configured:
        return dict(configured)
    return {code: str(label) for code, label in DEFAULT_ACTIONS.items()}


def action_label(code: str) -> str:
    """The visible name of a requested action; a code the client removed later shows as is."""
    return vocabulary().get(code, code)


def page_size() -> int:
    return int(crm_state().setting("inboxes", "page_size", 25))
