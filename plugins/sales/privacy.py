"""Sales' part of the privacy erase (CORE-21): the client account, its contacts, the leads it
came from, and the free text of its opportunities. Purchasing's suppliers live in the same
tables (``kind = "purchase"``) and are erased here too.

Names become ``[erased]``; e-mail addresses, phones, addresses, tax ids and positions become
empty. Codes, amounts, dates, stages and states stay (the client's history of facts).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from crm_core.toolkit import privacy
from plugins.sales.models import Account, Contact, Lead, Opportunity

PLUGIN = "sales"
ACCOUNT_FIELDS = ("name", "tax_id", "email", "phone", "address", "city", "country")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "position")
LEAD_FIELDS = ("name", "company", "contact_person", "email", "phone", "address", "city", "country", "disqualify_reason")
OPPORTUNITY_FIELDS = ("close_reason",)
#: Fields that keep a placeholder (their column is required or shown as the record's name).
NAMED = {"name", "last_name", "company"}


def _records(db: Any, plan: privacy.ErasurePlan) -> tuple[Account | None, list[Contact], list[Lead], list[Opportunity]]:
    account = plan.client if isinstance(plan.client, Account) else None
    if account is None:
        return None, [], [], []
    contacts = list(db.scalars(select(Contact).where(Contact.account_id == account.id).order_by(Contact.id)))
    opportunities = list(db.scalars(
        select(Opportunity).where(Opportunity.account_id == account.id).order_by(Opportunity.id)
    ))
    emails = sorted({e.lower() for e in [account.email, *(c.email for c in contacts)] if e})
    lead_ids = {o.lead_id for o in opportunities if o.lead_id is not None}
    leads = list(db.scalars(
        select(Lead).where(or_(Lead.id.in_(sorted(lead_ids)), func.lower(Lead.email).in_(emails))).order_by(Lead.id)
    ))
    return account, contacts, leads, opportunities


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    account, contacts, leads, opportunities = _records(db, plan)
    if account is None:
        return None
    values = privacy.found_values(
        (account.name, account.tax_id, account.email, account.phone, account.phone_e164, account.address),
        *((c.display_name(), c.email, c.phone, c.phone_e164) for c in contacts),
        *((ld.name, ld.company, ld.contact_person, ld.email, ld.phone, ld.phone_e164, ld.address) for ld in leads),
    )
    counts = (("accounts", _l("Clients"), 1), ("contacts", _l("Contacts"), len(contacts)),
              ("leads", _l("Leads"), len(leads)), ("opportunities", _l("Opportunities"), len(opportunities)))
    return privacy.PersonalData(
        PLUGIN,
        items=tuple(privacy.ErasedItem(key, label, n) for key, label, n in counts if n),
        elements=frozenset(
            (r.__element_type__, r.id) for r in (account, *contacts, *leads, *opportunities)
        ),
        values=values,
        names=privacy.found_values(
            *((c.first_name, c.last_name) for c in contacts),
            *(name.split() for name in (account.name, *(ld.name for ld in leads))),
            *(ld.contact_person.split() for ld in leads),
        ),
        fields={
            Account.__element_type__: frozenset(ACCOUNT_FIELDS),
            Contact.__element_type__: frozenset(CONTACT_FIELDS),
            Lead.__element_type__: frozenset(LEAD_FIELDS),
            Opportunity.__element_type__: frozenset(OPPORTUNITY_FIELDS),
        },
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    account, contacts, leads, opportunities = _records(db, plan)
    if account is None:
        return
    _blank(account, ACCOUNT_FIELDS)
    for contact in contacts:
        _blank(contact, CONTACT_FIELDS)
    for lead in leads:
        _blank(lead, LEAD_FIELDS)
    for opportunity in opportunities:
        opportunity.name = plan.redact(opportunity.name, own=True)
        _blank(opportunity, OPPORTUNITY_FIELDS)


def _blank(record: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        value = getattr(record, name)
        setattr(record, name, privacy.erased(value) if name in NAMED else ("" if value else value))
