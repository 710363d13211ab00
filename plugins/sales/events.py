"""What sales does when contacts and opportunities are created or moved, for one element or a
whole import batch at the same cost: the accounts they point at are checked and loaded in one
query per batch with the access the core resolved, never per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, crm_state, scoped
from plugins.sales import services
from plugins.sales.models import Account, Contact, Opportunity


def visible_accounts(db: DbSession, access: Access, elements: Sequence[Contact | Opportunity]) -> dict[int, Account]:
    """The accounts of ``elements`` by id, which must all be visible to the user (CORE-05):
    contacts and opportunities may only be linked to accounts their user may see.

    One query per kind for the whole batch, with the access the core resolved.
    """
    by_kind: dict[str, set[int]] = {}
    for element in elements:
        by_kind.setdefault(element.kind, set()).add(element.account_id)
    found: dict[int, Account] = {}
    for kind, wanted in by_kind.items():
        sdef = services.sdef_for(kind, "accounts")
        if access.can(sdef, "view"):
            query = scoped(sdef, access, True, select(Account).where(Account.id.in_(wanted)))
            found.update((account.id, account) for account in db.scalars(query))
        if wanted - set(found):
            raise ValidationError({"account_id": [_("No such account.")]})
    return found


def created(db: DbSession, access: Access, elements: Sequence[Any]) -> None:
    """New contacts tell integrations (SAL-08); new opportunities enter the pipeline at the
    first stage (SAL-10), on both kinds. Screens and the API pass one element, imports a batch."""
    linked = [e for e in elements if isinstance(e, Contact | Opportunity)]
    if not linked:
        return
    accounts = visible_accounts(db, access, linked)
    contact_created = crm_state().pm.hook.crm_contact_created
    for contact in (e for e in linked if isinstance(e, Contact)):
        contact_created(contact=contact, account=accounts[contact.account_id], user=access.user, db=db)
    services.start_pipeline(db, [e for e in linked if isinstance(e, Opportunity)], access.user)
    db.flush()


def changed(db: DbSession, access: Access, element: Any, changes: dict[str, Any]) -> None:
    """Moving a contact or opportunity to another account needs that account to be visible."""
    if isinstance(element, Contact | Opportunity) and "account_id" in changes:
        visible_accounts(db, access, [element])
