"""A customer created from the account picker of a form (issue 17 item 6: "create a missing
account from the picker").

A user filling an opportunity or a contact for a company that is not in the CRM yet types its
name and picks "+ New customer “…”": the account is created *potential*, under the next
provisional "OP" code — exactly what qualifying a lead creates (SAL-02) — so the definitive code
is given when its first opportunity is won (``services.close_won``, SAL-07). The user needs the
right to modify accounts; the insert is in the form's picker request's own transaction and goes
through the core's create path (``add_element``): audited under the user, ``crm_element_created``
fired — notifications, integrations and a client's hookimpls see it as they see a form's create.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, SessionDef, add_element
from plugins.sales.models import Account
from plugins.sales.services import next_provisional_code

#: The longest account name (the account schema's and the column's limit).
MAX_NAME = 120


def quick_account(db: DbSession, access: Access, sdef: SessionDef, text: str) -> Account:
    """A potential account named ``text`` of ``sdef``'s kind, owned by the user."""
    access.require(sdef, "modify")
    name = " ".join(text.split())
    if not name:
        raise ValidationError({"name": [_("Type the name of the new record.")]})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": [_("A name has at most %(n)d characters.", n=MAX_NAME)]})
    values: dict[str, Any] = dict(sdef.where)
    account = Account(
        code=next_provisional_code(db),
        name=name,
        status="potential",
        owner_id=access.user.id,
        creator_id=access.user.id,
        **values,
    )
    return add_element(db, sdef, access, account)
