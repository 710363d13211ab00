"""Demo cases (``crm demo``): for each demo customer, cases in every state of the life cycle —
one overdue, one resolved waiting for the customer, one closed with the agreement, one
cancelled — owned by the customer's owner, so each demo user has open and overdue cases.

Idempotent: every demo case has a fixed uid, so running the demo again adds nothing. States
are reached through the real services, so the audit trail reads as if users had done it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, audit, utcnow
from plugins.cases import services
from plugins.cases.models import Case
from plugins.sales.models import Account, Contact

#: How many customers get the cases of the plan (the first active ones).
ACCOUNTS = 8
DEMO_NAMESPACE = uuid.UUID("0b7f3c52-5a0e-4f43-9d0c-2f1f3e9a6c21")
#: (subject, type, priority, origin, product, symptom, due in hours, final state)
PLAN = (
    ("Factura duplicada de octubre / October invoice charged twice", "billing", "high", "phone",
     "", "", -30, "open"),
    ("El horno no calienta / Oven does not heat", "defect", "urgent", "email",
     "Horno H-200", "No calienta", 20, "gathering"),
    ("Cambio de condiciones de pago / Payment terms change", "sales", "normal", "web",
     "", "", 72, "resolved"),
    ("Retraso en la entrega / Late delivery", "complaint", "normal", "phone",
     "", "", -200, "closed"),
    ("Consulta duplicada / Duplicate request", "billing", "low", "internal",
     "", "", None, "cancelled"),
)


def _steps(db: DbSession, case: Case, owner: User, state: str) -> None:
    sdef = services.cases_sdef()
    if state == "gathering":
        return
    if state == "cancelled":
        services.cancel(db, sdef, case, owner, "Abierto dos veces / opened twice")
        return
    services.start(db, sdef, case, owner)
    if state in ("resolved", "closed"):
        services.resolve(db, sdef, case, owner, "Solución aplicada y comunicada / fix applied and explained")
    if state == "closed":
        services.close(db, sdef, case, owner, "Cliente / customer contact", "phone")


def _contact_of(db: DbSession, account: Account) -> Any:
    return db.scalar(select(Contact).where(Contact.account_id == account.id).order_by(Contact.id).limit(1))


def load(db: DbSession, users: dict[str, User]) -> int:
    """Add the demo cases that are missing; returns how many were added."""
    by_id = {u.id: u for u in users.values()}
    active = select(Account).where(Account.kind == "sale", Account.status == "active").order_by(Account.id)
    accounts = db.scalars(active)
    added = 0
    now = utcnow()
    types = {code for code, _name in services.type_choices()}
    for account in list(accounts)[:ACCOUNTS]:
        owner = by_id.get(account.owner_id)
        if owner is None:
            continue
        contact = _contact_of(db, account)
        for number, (subject, kind, priority, origin, product, symptom, due, state) in enumerate(PLAN):
            uid = str(uuid.uuid5(DEMO_NAMESPACE, f"{account.code}-{number}"))
            if kind not in types or db.scalar(select(Case.id).where(Case.uid == uid)) is not None:
                continue
            case = Case(
                uid=uid, account_id=account.id, contact_id=contact.id if contact is not None else None,
                subject=subject, type=kind, priority=priority, origin=origin, product=product, symptom=symptom,
                due_at=now + timedelta(hours=due) if due is not None else None,
                owner_id=owner.id, creator_id=owner.id, assignee_id=owner.id,
            )
            with audit.audit_context(user=owner):
                db.add(case)
                db.flush()
                services.number_cases(db, [case])
                _steps(db, case, owner, state)
            added += 1
    db.flush()
    return added
