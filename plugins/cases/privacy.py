"""Cases' part of the privacy erase (CORE-21): the client's cases (of its account, contacts or
opportunities, and those opened by mail from one of its addresses) lose their description,
resolution, cancel reason and the name of who agreed to close them, and have the client's names
redacted from their subject; their mails lose the sender and redact the subject; triage answers
are redacted. Number, type, product, priority, dates, SLA and state stay.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from crm_core.toolkit import privacy
from plugins.cases.models import Case, CaseMail
from plugins.cases.triage_models import TriageAnswer

PLUGIN = "cases"
ERASED_FIELDS = ("description", "resolution", "cancel_reason", "agreed_by")


def _cases(db: Any, plan: privacy.ErasurePlan) -> list[Case]:
    emails = sorted({v.lower() for v in plan.values if "@" in v})
    by_mail = select(CaseMail.case_id).where(func.lower(CaseMail.sender).in_(emails))
    stmt = select(Case).where(or_(
        Case.account_id.in_(plan.ids("sales_account")),
        Case.contact_id.in_(plan.ids("sales_contact")),
        Case.opportunity_id.in_(plan.ids("sales_opportunity")),
        Case.id.in_(by_mail),
    ))
    return list(db.scalars(stmt.order_by(Case.id)))


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    cases = _cases(db, plan)
    if not cases:
        return None
    ids = [c.id for c in cases]
    mails = db.scalar(select(func.count()).select_from(CaseMail).where(CaseMail.case_id.in_(ids))) or 0
    items = (("cases", _l("Cases"), len(cases)), ("case_mails", _l("Case e-mails"), mails))
    return privacy.PersonalData(
        PLUGIN,
        items=tuple(privacy.ErasedItem(key, label, n) for key, label, n in items if n),
        elements=frozenset((Case.__element_type__, c.id) for c in cases),
        values=privacy.found_values(c.agreed_by for c in cases),
        fields={Case.__element_type__: frozenset(ERASED_FIELDS)},
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    cases = _cases(db, plan)
    ids = [c.id for c in cases]
    for case in cases:
        case.subject = plan.redact(case.subject, own=True)
        for name in ERASED_FIELDS:
            setattr(case, name, "")
    for mail in db.scalars(select(CaseMail).where(CaseMail.case_id.in_(ids))):
        mail.sender = ""
        mail.subject = plan.redact(mail.subject, own=True)
    for answer in db.scalars(select(TriageAnswer).where(TriageAnswer.case_id.in_(ids))):
        answer.answer = plan.redact(answer.answer, own=True)
        answer.outcome = plan.redact(answer.outcome, own=True)
