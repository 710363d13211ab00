"""What erp_gl7 sends to GL7 and what it keeps of the answers (ERP-01, seed 3.1.2.2 step 5, 8.3.2).

Event hooks only *enqueue* (in the business transaction); the outbox worker calls the
``deliver_*`` handlers later, which talk to GL7 and store its code in :class:`Gl7Link`.
Elements are read by attribute name (``uid``, ``name`` …), never by importing sales.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import crm_state, enqueue, unit_of_work
from plugins.erp_gl7.client import Gl7Client, Gl7Error
from plugins.erp_gl7.models import Gl7Link

CREATE_ENTITY = "gl7.create_potential_entity"
PROMOTE = "gl7.promote_customer"
CREATE_CONTACT = "gl7.create_contact"
ACCOUNT_FIELDS = ("name", "tax_id", "email", "phone", "address", "city", "country")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "position")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name, "")) for name in names if getattr(obj, name, None) is not None}


def link_for(db: DbSession, crm_uid: str) -> Gl7Link | None:
    return db.scalar(select(Gl7Link).where(Gl7Link.crm_uid == crm_uid))


def _mark_queued(db: DbSession, element: Any, stage: str) -> None:
    link = link_for(db, element.uid)
    if link is None:
        db.add(Gl7Link(crm_uid=element.uid, element_type=element.element_type, element_id=element.id, stage=stage))
    elif stage != link.stage:
        link.stage, link.sync = stage, "queued"


# --- event side (inside the business transaction) -------------------------------------------


def lead_qualified(db: DbSession, lead: Any, account: Any) -> None:
    """Qualify step 5: the provisional account becomes a potential entity in GL7."""
    payload = {
        "crm_uid": account.uid,
        "provisional_code": getattr(account, "code", ""),
        **_fields(account, ACCOUNT_FIELDS),
        "lead": {"crm_uid": getattr(lead, "uid", None), **_fields(lead, ("name", "company", "source"))},
    }
    enqueue(db, CREATE_ENTITY, payload, f"gl7:entity:{account.uid}", element=account)
    _mark_queued(db, account, "potential")


def opportunity_won(db: DbSession, opportunity: Any, account: Any) -> None:
    """Won: GL7 turns the potential entity into a customer with the definitive code."""
    payload = {
        "crm_uid": account.uid,
        "definitive_code": getattr(account, "code", ""),
        **_fields(account, ACCOUNT_FIELDS),
        "opportunity": {
            "crm_uid": getattr(opportunity, "uid", None),
            **_fields(opportunity, ("name", "amount", "currency")),
        },
    }
    enqueue(db, PROMOTE, payload, f"gl7:promote:{account.uid}", element=account)
    _mark_queued(db, account, "customer")


def contact_created(db: DbSession, contact: Any, account: Any) -> None:
    """A new contact of an account is created in GL7 under that account's entity."""
    payload = {
        "crm_uid": contact.uid,
        "account_uid": getattr(account, "uid", None),
        **_fields(contact, CONTACT_FIELDS),
    }
    enqueue(db, CREATE_CONTACT, payload, f"gl7:contact:{contact.uid}", element=contact)
    _mark_queued(db, contact, "contact")


# --- delivery side (outbox worker) ----------------------------------------------------------


def _client() -> Gl7Client:
    return Gl7Client.from_settings(crm_state().settings.get("erp_gl7", {}))


def _store_code(crm_uid: str, answer: dict[str, Any], stage: str) -> None:
    code = answer.get("code")
    if not isinstance(code, str) or not code:
        raise Gl7Error(f"GL7 answered without an entity code: {answer!r}")
    with unit_of_work() as db:
        link = link_for(db, crm_uid)
        if link is not None:
            link.gl7_code, link.sync = code, "synced" if link.stage == stage else link.sync


def deliver_create_entity(payload: dict[str, Any], key: str) -> None:
    _store_code(payload["crm_uid"], _client().post("/api/entities", payload, key), "potential")


def deliver_promote(payload: dict[str, Any], key: str) -> None:
    path = f"/api/entities/{payload['crm_uid']}/promote"
    _store_code(payload["crm_uid"], _client().post(path, payload, key), "customer")


def deliver_create_contact(payload: dict[str, Any], key: str) -> None:
    _store_code(payload["crm_uid"], _client().post("/api/contacts", payload, key), "contact")


HANDLERS = {CREATE_ENTITY: deliver_create_entity, PROMOTE: deliver_promote, CREATE_CONTACT: deliver_create_contact}
