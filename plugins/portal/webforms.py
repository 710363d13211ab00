"""Web-to-lead forms (EXT-08): what a public form asks, and what a submission does.

A submission is validated by the target session's own schema through the core's element
services — the same rules as the API and the screens — and creates the record as the form's
owner. Spam is kept out without outside services: a hidden honeypot field, a signed issue
time (a form sent back sooner than ``form_min_seconds`` is refused), a limit of accepted
submissions per address and hour, and size limits (the body, each field by the schema). A
submission whose e-mail matches a record of the target session is linked to it (a note on
that record) instead of creating a second one. Every accepted submission is recorded with its
source: the form, the referring page and the UTM parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    SessionDef,
    User,
    add_note,
    create_element,
    crm_state,
    load_access,
    translated_errors,
    utcnow,
)
from plugins.portal.models import WebForm, WebFormSubmission

HONEYPOT = "website_url"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
#: Never asked on a public form, whatever the form's field list says.
NEVER_PUBLIC = frozenset({"id", "owner_id", "version", "status", "kind", "code"})
SALT = "crm.portal.webform"


@dataclass
class Outcome:
    """What a submission came to: ``created``/``linked`` (accepted), ``spam`` (dropped
    silently: the sender sees the thank-you page), ``invalid``, ``too_fast`` or ``limited``."""

    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    element: Any = None


def target(form: WebForm) -> SessionDef:
    return crm_state().registry.sdef(form.target_session)


def lead_sessions() -> list[tuple[str, str]]:
    """Sessions a form may feed: those whose records are leads."""
    return [(s.name, str(s.label)) for s in crm_state().registry.grid_sessions() if "lead" in s.roles]


def writable_fields(sdef: SessionDef) -> dict[str, Any]:
    """The target schema's fields a visitor may fill: loadable, not internal."""
    assert sdef.schema is not None
    return {name: f for name, f in sdef.schema().fields.items() if not f.dump_only and name not in NEVER_PUBLIC}


def field_names(form: WebForm) -> list[str]:
    return [name.strip() for name in form.field_list.split(",") if name.strip()]


def parse_labels(text: str) -> dict[str, str]:
    labels = {}
    for line in (text or "").splitlines():
        name, sep, label = line.partition("=")
        if sep and name.strip() and label.strip():
            labels[name.strip()] = label.strip()
    return labels


def form_fields(form: WebForm) -> list[dict[str, Any]]:
    """``{"name", "label", "required", "max", "type"}`` per field the form asks, in order."""
    sdef = target(form)
    declared = writable_fields(sdef)
    labels = parse_labels(form.labels)
    out = []
    for name in field_names(form):
        f = declared.get(name)
        if f is None:
            continue
        maximum = next((getattr(v, "max", None) for v in _validators(f) if getattr(v, "max", None)), None)
        kind = "email" if "email" in type(f).__name__.lower() or name == "email" else "text"
        out.append({"name": name, "label": labels.get(name) or str(f.metadata.get("label") or name),
                    "required": bool(f.required), "max": maximum, "type": kind})
    return out


def _validators(f: Any) -> list[Any]:
    validators = list(getattr(f, "validators", []) or [])
    return validators


def issue_token(form_id: int, issued_at: float | None = None) -> str:
    """The signed issue time put in each served form (the minimum fill time is measured from it)."""
    stamp = int(issued_at if issued_at is not None else time.time())
    return URLSafeSerializer(current_app.secret_key, salt=SALT).dumps([form_id, stamp])


def _filled_in(form: WebForm, token: str) -> float | None:
    """Seconds since the form was served, or None when the token is not this form's."""
    try:
        form_id, stamp = URLSafeSerializer(current_app.secret_key, salt=SALT).loads(token or "")
    except (BadSignature, ValueError, TypeError):
        return None
    if form_id != form.id or not isinstance(stamp, int):
        return None
    return time.time() - stamp


def _limited(db: DbSession, address: str) -> bool:
    per_hour = int(crm_state().setting("portal", "form_per_hour", 10))
    since = utcnow() - timedelta(hours=1)
    count = db.scalar(select(func.count()).where(WebFormSubmission.address == address,
                                                 WebFormSubmission.created_at >= since)) or 0
    return count >= per_hour


def _duplicate(db: DbSession, sdef: SessionDef, values: dict[str, Any]) -> Any:
    email = str(values.get("email") or "").strip().lower()
    model = sdef.model
    if not email or not hasattr(model, "email"):
        return None
    query = select(model).where(func.lower(model.email) == email)
    for key, value in sdef.where.items():
        query = query.where(getattr(model, key) == value)
    return db.scalar(query.order_by(model.id).limit(1))


def _owner(db: DbSession, user_id: int | None) -> User | None:
    user = db.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def submit(db: DbSession, form: WebForm, posted: dict[str, str], address: str, referrer: str) -> Outcome:
    """Take one submission of ``form`` (the caller's transaction; nothing is written unless it
    is accepted)."""
    if (posted.get(HONEYPOT) or "").strip():
        return Outcome("spam")
    elapsed = _filled_in(form, posted.get("form_token", ""))
    if elapsed is None:
        return Outcome("spam")
    if elapsed < int(crm_state().setting("portal", "form_min_seconds", 3)):
        return Outcome("too_fast")
    if _limited(db, address):
        return Outcome("limited")
    sdef = target(form)
    wanted = {f["name"] for f in form_fields(form)}
    data: dict[str, Any] = {name: (posted.get(name) or "").strip() for name in wanted}
    declared = writable_fields(sdef)
    if "source" in declared and "source" not in wanted:
        data["source"] = f"web form {form.slug}"[:80]
    owner = _owner(db, form.owner_id)
    if owner is None:
        return Outcome("invalid", {"": [_("This form is not taking submissions now.")]})
    utm = {key: (posted.get(key) or "")[:200] for key in UTM_KEYS if posted.get(key)}
    existing = _duplicate(db, sdef, data)
    try:
        if existing is not None:
            element, linked = existing, True
            sdef.schema().load(dict(data))  # the same validation, though nothing new is created
            who = _owner(db, existing.owner_id) or owner
            lines = [f"{f['label']}: {data.get(f['name'], '')}" for f in form_fields(form)]
            text = _("Web form “%(form)s” sent again by this person:", form=form.name) + "\n" + "\n".join(lines)
            add_note(db, sdef, load_access(db, who, crm_state().row_filters), existing, text, None, 0)
        else:
            element, linked = create_element(db, sdef, load_access(db, owner, crm_state().row_filters), data), False
    except ValidationError as exc:
        return Outcome("invalid", translated_errors(exc.messages))
    db.add(WebFormSubmission(
        form_id=form.id, element_type=element.element_type, element_id=element.id, duplicate=linked,
        referrer=(referrer or "")[:500], utm=utm, data={k: v for k, v in data.items() if v}, address=address[:64],
    ))
    db.flush()
    return Outcome("linked" if linked else "created", element=element)


def submissions(db: DbSession, form: WebForm, limit: int = 50) -> list[WebFormSubmission]:
    return list(db.scalars(select(WebFormSubmission).where(WebFormSubmission.form_id == form.id)
                           .order_by(WebFormSubmission.id.desc()).limit(limit)))
