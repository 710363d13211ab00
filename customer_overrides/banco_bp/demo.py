"""Banco BP's demo data (``CRM_CUSTOMER=banco_bp crm demo``): its executives, leader and branch
manager, clients with Core-system codes, a pre-approved campaign with its opportunities, and
cases of the bank's types. Idempotent: every record has a fixed uid or a unique code, so running
the demo again adds nothing. Records are made through the toolkit's services, so the audit
trail and events read as if users had made them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from crm_core.toolkit import DemoUser, Group, User, create_element, crm_state, ensure_group, load_access

NAMESPACE = uuid.UUID("6a0c1d7e-3b1f-4f0e-8c55-0d1b2a3c4e5f")
BRANCH_MANAGERS = "Branch managers"

USERS = (
    DemoUser("mlopez", "María López", "Executives", language="es", timezone="America/Guayaquil"),
    DemoUser("jperez", "Juan Pérez", "Executives", language="es", timezone="America/Guayaquil"),
    DemoUser("lider", "Lucía Andrade", "Leaders", language="es", timezone="America/Guayaquil"),
)
#: (Core code, name, city, phone, email, owner)
CLIENTS = (
    ("0912345678", "Carlos Mendoza", "Guayaquil", "+593 4 256 1000", "cmendoza@example.com", "mlopez"),
    ("1712345678", "Ana Torres", "Quito", "+593 2 245 2000", "atorres@example.com", "mlopez"),
    ("0102345678", "Pedro Salazar", "Cuenca", "+593 7 283 3000", "psalazar@example.com", "jperez"),
    ("1312345678", "Rosa Vera", "Manta", "+593 5 262 4000", "rvera@example.com", "jperez"),
)
#: (subject, type, priority, client index)
CASES = (
    ("Cobro duplicado de comisión / Fee charged twice", "claim", "high", 0),
    ("Actualizar dirección / Update address", "account_change", "normal", 1),
    ("Transferencia no acreditada / Transfer not credited", "transaction", "urgent", 2),
)


def _uid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def _manager(db: Any, users: dict[str, User], group: Group) -> User:
    manager = users.get("gerente") or db.scalar(select(User).where(User.username == "gerente"))
    if manager is None:
        template = users["lider"]
        manager = User(username="gerente", full_name="Jorge Castillo", email="gerente@example.com",
                       password_hash=template.password_hash, group_id=group.id, language="es",
                       timezone="America/Guayaquil")
        db.add(manager)
        db.flush()
    return manager


def load(db: Any, users: dict[str, User]) -> None:
    """Add what is missing of the bank's demo records."""
    if "lider" not in users:
        return  # another client's users (tests make their own)
    registry = crm_state().registry
    _manager(db, users, ensure_group(db, BRANCH_MANAGERS, "Gerentes de agencia / branch managers", like="Leaders"))
    access = {name: load_access(db, users[name], crm_state().row_filters) for name in ("mlopez", "jperez", "lider")}
    accounts_sdef, campaigns_sdef = registry.sdef("accounts"), registry.sdef("campaigns")
    opps_sdef, cases_sdef = registry.sdef("opportunities"), registry.sdef("cases")
    accounts = []
    for code, name, city, phone, email, owner in CLIENTS:
        account = db.scalar(select(accounts_sdef.model).where(accounts_sdef.model.code == code))
        if account is None:
            account = create_element(db, accounts_sdef, access[owner], {
                "code": code, "name": name, "city": city, "phone": phone, "email": email,
                "owner_id": users[owner].id, "marketing_consent": code < "1000000000",
            })
        accounts.append(account)
    campaign = db.scalar(select(campaigns_sdef.model).where(campaigns_sdef.model.code == "PRE-2026-12"))
    if campaign is None:
        campaign = create_element(db, campaigns_sdef, access["lider"], {
            "code": "PRE-2026-12", "name": "Crédito preaprobado diciembre / Pre-approved credit December",
            "start": "2026-12-01", "end": "2026-12-31", "status": "active",
        })
    for index, account in enumerate(accounts):
        uid = _uid(f"opp-{account.code}")
        if db.scalar(select(opps_sdef.model.id).where(opps_sdef.model.uid == uid)) is None:
            owner = CLIENTS[index][5]
            opp = create_element(db, opps_sdef, access["lider"], {  # the campaign is the leader's
                "name": f"Crédito preaprobado / Pre-approved credit {account.name}", "account_id": account.id,
                "campaign_id": campaign.id, "amount": "5000.00", "owner_id": users[owner].id,
            })
            opp.uid = uid
    for subject, kind, priority, index in CASES:
        uid = _uid(f"case-{index}-{kind}")
        if db.scalar(select(cases_sdef.model.id).where(cases_sdef.model.uid == uid)) is None:
            owner = CLIENTS[index][5]
            case = create_element(db, cases_sdef, access[owner], {
                "subject": subject, "type": kind, "priority": priority, "origin": "phone",
                "account_id": accounts[index].id, "owner_id": users[owner].id,
            })
            case.uid = uid
    db.flush()
