"""Global search (EXT-15): the first few records of every given session that match a text.

Each session is asked through the grid's one list query (:func:`crm_core.services.queries.fetch_page`:
``scoped``, so the ownership rules and row filters apply, and the text filter served by the
session's search index — the pg_trgm GIN index on PostgreSQL, docs/performance.md), one
``LIMIT``-ed statement per session. The caller passes only the sessions the user may view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef
from crm_core.security.access import Access
from crm_core.security.field_access import restricted
from crm_core.services.queries import ListQuery, fetch_page

PER_SESSION = 5
MIN_CHARS = 2
MAX_CHARS = 100


@dataclass(frozen=True)
class Hits:
    sdef: SessionDef
    elements: list[Any]
    more: bool


def searchable(sdefs: Iterable[SessionDef], access: Access) -> list[SessionDef]:
    """The sessions with records and search fields that ``access`` may view, each searched only
    by the fields the user's group may see (field-level access)."""
    views = [restricted(s, access) for s in sdefs if s.has_grid and access.can(s, "view")]
    return [s for s in views if s.search]


def search(db: DbSession, access: Access, sdefs: Iterable[SessionDef], text: str,
           per_session: int = PER_SESSION) -> list[Hits]:
    """Up to ``per_session`` matches of ``text`` in each session (those with none left out);
    administrators and leaders search every record, others their own (as their grids)."""
    text = " ".join(text.split())[:MAX_CHARS]
    if len(text) < MIN_CHARS:
        return []
    query = ListQuery(all_records=access.sees_all, text=text, per_page=per_session)
    found = []
    for sdef in searchable(sdefs, access):
        page = fetch_page(db, sdef, access, query)
        if page.items:
            found.append(Hits(sdef, page.items, page.has_next))
    return found
