"""Replies from a case by e-mail (issue 14, email-to-case): through the outbox, on the
messaging plugin's e-mail topic, threaded on the customer's messages.

The reply goes to the sender of the case's last received message, with the case number in the
subject (so the customer's answer comes back to the case), ``In-Reply-To`` that message and
``References`` the whole thread, and ``X-Loop`` our mailbox address (so our own mail coming back
is dropped). It is recorded in the caller's transaction: the outbox row, the thread row and a
note on the case's history commit together, or nothing does.
"""

from __future__ import annotations

import re
import uuid

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BusinessRuleError, SessionDef, add_note, check_element, crm_state, enqueue
from plugins.cases.mailin import mailbox_address
from plugins.cases.models import Case, CaseMail

#: The messaging plugin's e-mail topic (named, not imported: plugins do not import each other).
EMAIL_TOPIC = "messaging.email"
MAX_BODY = 10_000
#: "Re:", "RE:", "AW:", "RV:", "Fwd:" … in front of a subject, however many.
REPLY_PREFIXES = re.compile(r"^(?:(?:re|aw|sv|rv|fw|fwd)\s*:\s*)+", re.IGNORECASE)


def reply_subject(case: Case, subject: str = "") -> str:
    """``Re: [C-2026-000123] subject``: the number in brackets is what brings answers back."""
    text = REPLY_PREFIXES.sub("", " ".join((subject or case.subject).split()))
    if case.number and case.number not in text:
        text = f"[{case.number}] {text}"
    return f"Re: {text}"


def last_received(db: DbSession, case: Case) -> CaseMail | None:
    return db.scalar(
        select(CaseMail).where(CaseMail.case_id == case.id, CaseMail.direction == "in")
        .order_by(CaseMail.id.desc()).limit(1)
    )


def can_reply(db: DbSession, case: Case) -> bool:
    return last_received(db, case) is not None


def reply(db: DbSession, sdef: SessionDef, access: Access, case: Case, body: str) -> CaseMail:
    """Queue ``body`` as an answer to the case's last received e-mail; see the module docstring."""
    check_element(sdef, access, case, "modify")
    text = (body or "").strip()
    if not text:
        raise BusinessRuleError(_("Write the reply."), field="body")
    if len(text) > MAX_BODY:
        raise BusinessRuleError(_("The reply is longer than %(n)d characters.", n=MAX_BODY), field="body")
    last = last_received(db, case)
    if last is None:
        raise BusinessRuleError(_("This case has no e-mail to reply to."))
    thread = list(db.scalars(select(CaseMail.message_id).where(CaseMail.case_id == case.id).order_by(CaseMail.id)))
    own = mailbox_address()
    domain = (own or str(crm_state().setting("messaging", "sender") or "crm")).rpartition("@")[2] or "crm"
    token = uuid.uuid4().hex
    message_id = f"<case-{case.id}.{token}@{domain}>"
    headers = {"In-Reply-To": last.message_id, "References": " ".join(thread[-20:])}
    if own:
        headers.update({"X-Loop": own, "Reply-To": own})
    subject = reply_subject(case, last.subject)
    payload = {"to": last.sender, "subject": subject[:255], "body": text + "\n",
               "message_id": message_id, "headers": headers}
    enqueue(db, EMAIL_TOPIC, payload, f"cases.reply:{case.id}:{token}", element=case)
    sent = CaseMail(case_id=case.id, message_id=message_id, direction="out", sender=own, subject=subject[:255])
    db.add(sent)
    note = _("Reply by e-mail to %(to)s: %(subject)s", to=last.sender, subject=subject)
    add_note(db, sdef, access, case, f"{note}\n\n{text}", None, 0)
    db.flush()
    return sent
