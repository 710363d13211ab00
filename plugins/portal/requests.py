"""What a customer does with their account's cases on the portal (EXT-13): list, read the
public thread, open a new request, comment, attach a file.

The one rule of the portal realm lives here: a portal user reaches only cases whose
``account_id`` is their own account's; a case of another account is the same 404 as one that
does not exist. Writes to the CRM go through the cases plugin's own rules — the element
services of its session (schema, numbering, SLA, events) and the notes service — acting as a
CRM user: the ``[settings.portal] intake_user`` for a new request, the case's owner for a
comment or file (who may always write their own case); without an intake user, the owner of
the customer's account.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    BusinessRuleError,
    NotFound,
    SessionDef,
    User,
    add_note,
    create_element,
    crm_state,
    load_access,
)
from plugins.portal.models import PortalComment, PortalUser

MAX_COMMENT = 5000
PAGE_SIZE = 20
#: The cases' final states: a closed or cancelled request takes no more comments (a resolved
#: one does: the customer may disagree).
FINAL_STATES = ("closed", "cancelled")


def sdef_with_role(role: str) -> SessionDef:
    """The session whose records are ``role`` ("case", "contact"): found by role, not import."""
    for sdef in crm_state().registry.grid_sessions():
        if role in sdef.roles:
            return sdef
    raise LookupError(f"no session declares the role {role!r}")


def _cases() -> tuple[SessionDef, Any]:
    sdef = sdef_with_role("case")
    return sdef, sdef.model


def own_cases(user: PortalUser) -> Select[Any]:
    """Every case the customer may see: their account's, nothing else."""
    _sdef, Case = _cases()
    return select(Case).where(Case.account_id == user.account_id)


def list_cases(db: DbSession, user: PortalUser, page: int = 1) -> tuple[list[Any], int]:
    _sdef, Case = _cases()
    query = own_cases(user)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Case.id.desc()).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
    return list(rows), int(total)


def get_case(db: DbSession, user: PortalUser, number: str) -> Any:
    """The customer's case numbered ``number``; missing or another account's: the same 404."""
    _sdef, Case = _cases()
    case = db.scalar(own_cases(user).where(Case.number == (number or "")[:24]))
    if case is None:
        raise NotFound(_("No such request."))
    return case


def status_label(case: Any) -> str:
    sdef, _model = _cases()
    return str(crm_state().registry.status_label(sdef, case.status))


def type_choices() -> list[tuple[str, str]]:
    """The case types the cases session offers (its schema field's choices)."""
    sdef, _model = _cases()
    field = sdef.schema().fields.get("type") if sdef.schema else None
    choices = field.metadata.get("choices") if field is not None else None
    return [(str(code), str(name)) for code, name in (choices() if callable(choices) else choices or [])]


def _intake_user(db: DbSession) -> User | None:
    name = crm_state().setting("portal", "intake_user", "")
    return db.scalar(select(User).where(User.username == name, User.active)) if name else None


def _actor(db: DbSession, first: int | None, account_id: int) -> User:
    """The active CRM user to act as: ``first``'s (a case's owner), else the configured intake
    user, else the owner of the customer's account (their account manager)."""
    actor = db.get(User, first) if first else None
    if actor is not None and actor.active:
        return actor
    actor = _intake_user(db)
    if actor is not None:
        return actor
    account_sdef = sdef_with_role("account")
    owner_id = db.scalar(select(account_sdef.model.owner_id).where(account_sdef.model.id == account_id))
    actor = db.get(User, owner_id) if owner_id else None
    if actor is None or not actor.active:
        raise BusinessRuleError(_("The portal cannot take requests now. Please call us."))
    return actor


def open_request(db: DbSession, user: PortalUser, subject: str, description: str, type_: str) -> Any:
    """A new case of the customer's account and contact, origin "web", under the cases rules."""
    sdef, _model = _cases()
    access = load_access(db, _actor(db, None, user.account_id), crm_state().row_filters)
    data = {"account_id": user.account_id, "contact_id": user.contact_id, "subject": (subject or "").strip(),
            "description": (description or "").strip(), "type": type_, "origin": "web"}
    case = create_element(db, sdef, access, data)
    db.add(PortalComment(case_id=case.id, portal_user_id=user.id, body=data["description"]))
    db.flush()
    return case


def comment(db: DbSession, user: PortalUser, case: Any, body: str, upload: tuple[str, bytes] | None) -> PortalComment:
    """The customer's comment and/or file: a note on the case for the agents (checked by the
    notes service: size, type by extension and content) and an entry of the public thread."""
    if case.status in FINAL_STATES:
        raise BusinessRuleError(_("This request is closed. Open a new one if you need more help."),
                                field="body")
    text = (body or "").strip()
    if len(text) > MAX_COMMENT:
        raise BusinessRuleError(_("The comment is longer than %(n)d characters.", n=MAX_COMMENT), field="body")
    if not text and upload is None:
        raise BusinessRuleError(_("Write a comment or choose a file."), field="body")
    sdef, _model = _cases()
    access = load_access(db, _actor(db, case.owner_id, user.account_id), crm_state().row_filters)
    note_text = _("Portal comment from %(name)s <%(email)s>", name=user.full_name, email=user.email)
    note = add_note(db, sdef, access, case, f"{note_text}\n\n{text}".strip(), upload, _upload_limit())
    entry = PortalComment(case_id=case.id, portal_user_id=user.id, body=text, filename=note.filename or "")
    db.add(entry)
    db.flush()
    return entry


def _upload_limit() -> int:
    return int(current_app.config["CRM_UPLOAD_MAX_BYTES"])


def staff_reply(db: DbSession, case: Any, user_id: int, body: str) -> PortalComment:
    """An agent's public answer on the case's thread (the action checked the right to modify)."""
    text = (body or "").strip()
    if not text:
        raise BusinessRuleError(_("Write the answer."), field="body")
    if len(text) > MAX_COMMENT:
        raise BusinessRuleError(_("The answer is longer than %(n)d characters.", n=MAX_COMMENT), field="body")
    entry = PortalComment(case_id=case.id, user_id=user_id, body=text)
    db.add(entry)
    db.flush()
    return entry


def thread(db: DbSession, case: Any) -> list[tuple[PortalComment, str]]:
    """The public history: ``(entry, author's name)``, oldest first."""
    rows = db.execute(
        select(PortalComment, PortalUser.full_name, User.full_name, User.username)
        .outerjoin(PortalUser, PortalUser.id == PortalComment.portal_user_id)
        .outerjoin(User, User.id == PortalComment.user_id)
        .where(PortalComment.case_id == case.id).order_by(PortalComment.id)
    ).all()
    return [(entry, customer if entry.portal_user_id else (staff or login or ""))
            for entry, customer, staff, login in rows]
