"""Who is calling? Find the contact, account or lead behind a phone number (TEL-01's screen pop),
through the same ownership rules as every other read.

The number is brought to E.164 (``crm_core.toolkit.e164``, national numbers read in the client's
region) and compared with the indexed ``phone_e164`` column each of the three tables keeps in
step with ``phone`` (models.CallerNumber): one statement (a ``UNION ALL`` of one index lookup
per session the user may view, most specific first) finds the element's id, a second loads it —
the bench (bench/phone_bench.py) keeps it within 5 ms p95 among 1M rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, crm_state, e164, load_access, scoped
from plugins.sales.models import Account, Contact, Lead

#: Most specific first: a contact is a person, an account a company, a lead a prospect.
SEARCH_ORDER = (Contact, Account, Lead)


def find_by_phone(db: DbSession, number: str, user: User) -> Any | None:
    """The first element the user may see whose phone is the same number, or None (also for
    text that is not a valid phone number)."""
    wanted = e164(number)
    if not wanted:
        return None
    state = crm_state()
    access = load_access(db, user, state.row_filters)
    models: list[Any] = []
    branches = []
    for model in SEARCH_ORDER:
        for sdef in state.registry.sessions_for_model(model):
            if not access.can(sdef, "view"):
                continue
            rank = len(models)
            models.append(model)
            lookup = select(literal(rank).label("rank"), model.id.label("id"))
            branches.append(scoped(sdef, access, all_records=True, stmt=lookup).where(model.phone_e164 == wanted))
    if not branches:
        return None
    found = db.execute(union_all(*branches).order_by("rank", "id").limit(1)).first()
    return None if found is None else db.get(models[found.rank], found.id)
