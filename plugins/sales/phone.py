"""Who is calling? Find the contact, account or lead behind a phone number (groundwork for
TEL-01's screen pop), through the same ownership rules as every other read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, crm_state, like_text, load_access, scoped
from plugins.sales.models import Account, Contact, Lead

#: Most specific first: a contact is a person, an account a company, a lead a prospect.
SEARCH_ORDER = (Contact, Account, Lead)
MIN_DIGITS = 6
#: Compare the national part only, so "+34 912 345 678" matches "912345678".
TAIL_DIGITS = 9
_SEPARATORS = (" ", "-", ".", "(", ")", "+", "/")


def digits(number: str) -> str:
    return re.sub(r"\D", "", number or "")


def _normalised(column: Any) -> Any:
    for sep in _SEPARATORS:
        column = func.replace(column, sep, "")
    return column


def find_by_phone(db: DbSession, number: str, user: User) -> Any | None:
    """The first element the user may see whose phone ends with the same digits, or None."""
    wanted = digits(number)
    if len(wanted) < MIN_DIGITS:
        return None
    tail = wanted[-TAIL_DIGITS:]
    state = crm_state()
    access = load_access(db, user, state.row_filters)
    for model in SEARCH_ORDER:
        for sdef in state.registry.sessions_for_model(model):
            if not access.can(sdef, "view"):
                continue
            stmt = scoped(sdef, access, all_records=True).where(like_text(_normalised(model.phone), tail, "endswith"))
            found = db.scalars(stmt.order_by(model.id).limit(1)).first()
            if found is not None:
                return found
    return None
