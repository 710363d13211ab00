"""The web form schema (validation for the form screen, the API and imports) and the schema of
the agents' public answer on a case."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from crm_core.toolkit import crm_state, edited_element, session
from plugins.portal.models import WebForm
from plugins.portal.webforms import lead_sessions, writable_fields

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(?::\d{1,5})?$")
STATUSES = ("active", "inactive")


class WebFormSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=120), metadata={"label": _l("Name")})
    slug = fields.Str(
        required=True, validate=validate.Length(min=1, max=60),
        metadata={"label": _l("Address (/forms/…)")},
    )
    target_session = fields.Str(
        load_default="leads", validate=validate.Length(min=1, max=60),
        metadata={"label": _l("Creates records in"), "choices": lead_sessions},
    )
    field_list = fields.Str(
        load_default="name, email", validate=validate.Length(max=500),
        metadata={"label": _l("Fields asked (separated by commas)")},
    )
    labels = fields.Str(validate=validate.Length(max=5000),
                        metadata={"label": _l("Labels (one “field = label” per line)"), "widget": "textarea"})
    intro = fields.Str(validate=validate.Length(max=5000), metadata={"label": _l("Introduction"), "widget": "textarea"})
    thank_you = fields.Str(validate=validate.Length(max=5000),
                           metadata={"label": _l("Thank-you text"), "widget": "textarea"})
    embed_origins = fields.Str(validate=validate.Length(max=500),
                               metadata={"label": _l("Sites that may embed it (separated by spaces)")})
    status = fields.Str(load_default="active", validate=validate.OneOf(STATUSES),
                        metadata={"label": _l("Status"), "choices": lambda: [("active", _("Active")),
                                                                              ("inactive", _("Inactive"))]})
    owner_id = fields.Int(metadata={"label": _l("Owner of new records")})
    version = fields.Int(dump_only=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        edited = edited_element()
        slug = data.get("slug")
        if slug is not None:
            if not SLUG.match(slug):
                errors["slug"] = [_("Use lower-case letters, digits and hyphens.")]
            else:
                other = session().scalar(select(WebForm.id).where(WebForm.slug == slug))
                if other is not None and (edited is None or other != edited.id):
                    errors["slug"] = [_("Another form already uses this address.")]
        target = data.get("target_session") or (edited.target_session if edited is not None else "leads")
        registry = crm_state().registry
        if target not in registry.sessions or "lead" not in registry.sdef(target).roles:
            errors["target_session"] = [_("Choose a session of leads.")]
        elif "field_list" in data:
            allowed = writable_fields(registry.sdef(target))
            names = [n.strip() for n in data["field_list"].split(",") if n.strip()]
            unknown = [n for n in names if n not in allowed]
            if not names:
                errors["field_list"] = [_("Name at least one field.")]
            elif unknown:
                errors["field_list"] = [_("Unknown fields: %(names)s. Possible: %(allowed)s.",
                                      names=", ".join(unknown), allowed=", ".join(allowed))]
            else:
                missing = [n for n, f in allowed.items() if f.required and n not in names]
                if missing:
                    errors["field_list"] = [_("The form must ask the required fields: %(names)s.",
                                          names=", ".join(missing))]
        origins = (data.get("embed_origins") or "").split()
        bad = [o for o in origins if not ORIGIN.match(o.lower())]
        if bad:
            errors["embed_origins"] = [_("Not a site address (https://example.com): %(value)s.", value=" ".join(bad))]
        if errors:
            raise ValidationError(errors)


class PublicAnswerSchema(Schema):
    body = fields.Str(required=True, validate=validate.Length(min=1, max=5000),
                      metadata={"label": _l("Answer (the customer reads it on the portal)"), "widget": "textarea"})


class InviteSchema(Schema):
    language = fields.Str(
        load_default=None, validate=validate.OneOf(("en", "es")),
        metadata={"label": _l("Language of the portal and its e-mails"),
                  "choices": lambda: [("en", "English"), ("es", "Español")]},
    )
