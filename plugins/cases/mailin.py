"""Email-to-case (issue 14): one received message opens a case or joins the case whose number
is in its subject.

:func:`receive` handles one message in one transaction, as the configured mailbox user
(``[settings.cases] mailbox_user``) through the same services as the screens (the session's
schema and events for a new case, the notes service for text and attachments), so permissions,
numbering and the audit trail are those of a case typed in. It is idempotent on the Message-ID
(``cases_mail`` has it unique): a message delivered twice is recorded once. A message that is
too large or cannot be read as MIME is refused with a log line and writes nothing; auto-replies,
list mail, bounces, our own mail and loops are dropped (:func:`mailparse.ignore_reason`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    BusinessRuleError,
    User,
    add_note,
    create_element,
    crm_state,
    load_access,
    scoped,
    unit_of_work,
)
from plugins.cases import services
from plugins.cases.mailparse import BadMail, ReadMail, ignore_reason, read
from plugins.cases.models import Case, CaseMail
from plugins.sales.models import Account, Contact

log = logging.getLogger(__name__)

#: The largest message accepted unless ``[settings.cases] mailbox_max_bytes`` says otherwise.
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
#: Longest text kept of a message body (the notes service's limit is 20,000 characters).
MAX_TEXT = 19_000


@dataclass(frozen=True)
class Outcome:
    """What became of a message: ``created``, ``added``, ``duplicate``, ``ignored`` (all
    accepted: the sender must not retry) or ``refused`` (a permanent SMTP error)."""

    status: str
    detail: str = ""
    case_number: str | None = None

    @property
    def smtp_reply(self) -> str:
        if self.status == "refused":
            return f"550 5.6.0 {self.detail}" if not self.detail.startswith("552") else self.detail
        if self.status == "ignored":  # accepted so the sender does not retry, and told why
            return f"250 2.0.0 ignored ({self.detail[:120]})"
        return f"250 2.0.0 {self.status} {self.case_number or ''}".rstrip()


def max_bytes() -> int:
    return int(crm_state().setting("cases", "mailbox_max_bytes") or DEFAULT_MAX_BYTES)


def mailbox_address() -> str:
    return str(crm_state().setting("cases", "mailbox_address") or "").lower()


def own_addresses() -> set[str]:
    """Addresses that are the CRM itself: mail from them is ours coming back."""
    return {mailbox_address(), str(crm_state().setting("messaging", "sender") or "").lower()} - {""}


def receive(raw: bytes) -> Outcome:
    """Handle one message (its bytes as received); see the module's docstring."""
    if len(raw) > max_bytes():
        log.warning("email-to-case: message of %d bytes refused (limit %d)", len(raw), max_bytes())
        return Outcome("refused", f"552 5.3.4 Message larger than {max_bytes()} bytes")
    try:
        mail = read(raw)
    except BadMail as exc:
        log.warning("email-to-case: message refused, nothing recorded: %s", exc)
        return Outcome("refused", str(exc)[:200])
    reason = ignore_reason(mail, own_addresses())
    if reason:
        log.info("email-to-case: ignored %s from %s: %s", mail.message_id, mail.sender, reason)
        return Outcome("ignored", reason)
    if not mail.message_id:  # without one, the content identifies a re-delivery
        mail.message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id>"
    try:
        with unit_of_work() as db:
            return _record(db, mail)
    except IntegrityError:  # the same Message-ID committed meanwhile by a concurrent delivery
        log.info("email-to-case: duplicate %s (concurrent delivery)", mail.message_id)
        return Outcome("duplicate", mail.message_id)
    except BusinessRuleError as exc:
        log.warning("email-to-case: message %s refused, nothing recorded: %s", mail.message_id, exc)
        return Outcome("refused", str(exc)[:200])


def _mailbox_user(db: DbSession) -> User:
    name = crm_state().setting("cases", "mailbox_user")
    user = db.scalar(select(User).where(User.username == name, User.active)) if name else None
    if user is None:
        raise BusinessRuleError(_("Email-to-case needs an active mailbox user ([settings.cases] mailbox_user)."))
    return user


def _record(db: DbSession, mail: ReadMail) -> Outcome:
    known = db.scalar(select(CaseMail.case_id).where(CaseMail.message_id == mail.message_id))
    if known is not None:
        log.info("email-to-case: duplicate %s ignored", mail.message_id)
        return Outcome("duplicate", mail.message_id)
    sdef = services.cases_sdef()
    access = load_access(db, _mailbox_user(db))
    case = _thread_case(db, mail, access)
    text = _note_text(mail)
    if case is not None:
        add_note(db, sdef, access, case, text, None, max_bytes())
        status = "added"
    else:
        case = _new_case(db, mail, access)
        status = "created"
    _attach(db, mail, case, access)
    db.add(CaseMail(case_id=case.id, message_id=mail.message_id, direction="in",
                    sender=mail.sender, subject=mail.subject[:255]))
    db.flush()
    log.info("email-to-case: %s %s from %s → %s", status, mail.message_id, mail.sender, case.number)
    return Outcome(status, mail.message_id, case.number)


def _thread_case(db: DbSession, mail: ReadMail, access: object) -> Case | None:
    """The case the message answers: its number in the subject, else a message it refers to."""
    sdef = services.cases_sdef()
    number = mail.case_number()
    if number:
        case = db.scalar(scoped(sdef, access).where(Case.number == number))  # type: ignore[arg-type]
        if case is not None:
            return case
    if mail.references:
        case_id = db.scalar(select(CaseMail.case_id).where(CaseMail.message_id.in_(mail.references)).limit(1))
        if case_id is not None:
            return db.scalar(scoped(sdef, access).where(Case.id == case_id))  # type: ignore[arg-type]
    return None


def _sender_links(db: DbSession, address: str) -> dict[str, int]:
    """The account (and contact) of a sender the CRM knows: a contact's e-mail first (its
    account), else a customer account's own e-mail. Unknown: no links, the case is to triage."""
    row = db.execute(
        select(Contact.id, Contact.account_id).where(func.lower(Contact.email) == address).order_by(Contact.id).limit(1)
    ).first()
    if row is not None and row.account_id is not None:
        return {"contact_id": row.id, "account_id": row.account_id}
    account_id = db.scalar(
        select(Account.id).where(func.lower(Account.email) == address, Account.kind == "sale")
        .order_by(Account.id).limit(1)
    )
    return {"account_id": account_id} if account_id is not None else {}


def _new_case(db: DbSession, mail: ReadMail, access: object) -> Case:
    links = _sender_links(db, mail.sender)
    types = [code for code, _name in services.type_choices()]
    wanted = crm_state().setting("cases", "mailbox_type")
    data = {
        **links,
        "subject": (mail.subject or _("(no subject)"))[:200],
        "description": _note_text(mail),
        "origin": "email",
        "type": wanted if wanted in types else types[0],
    }
    return create_element(db, services.cases_sdef(), access, data)  # type: ignore[arg-type]


def _note_text(mail: ReadMail) -> str:
    who = f"{mail.sender_name} <{mail.sender}>" if mail.sender_name else mail.sender
    subject = mail.subject[:200] or _("(no subject)")
    head = _("E-mail from %(sender)s: %(subject)s", sender=who[:300], subject=subject)
    return f"{head}\n\n{mail.text[:MAX_TEXT]}".strip()


def _attach(db: DbSession, mail: ReadMail, case: Case, access: object) -> None:
    """Each attachment becomes a note with the file. One the notes service refuses (a type
    not allowed, too large) is named in a note instead: the message itself is kept."""
    sdef = services.cases_sdef()
    limit = current_app.config["CRM_UPLOAD_MAX_BYTES"]
    for item in mail.attachments:
        text = _("Attachment of the e-mail from %(sender)s", sender=mail.sender)
        try:
            with db.begin_nested():
                add_note(db, sdef, access, case, text, (item.filename, item.data), limit)  # type: ignore[arg-type]
        except BusinessRuleError as exc:
            refusal = _("Attachment %(name)s of the e-mail from %(sender)s was not kept: %(reason)s",
                        name=item.filename, sender=mail.sender, reason=str(exc))
            add_note(db, sdef, access, case, refusal, None, limit)  # type: ignore[arg-type]
