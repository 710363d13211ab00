"""Previous and next record of a filtered, sorted grid, seen from one record's detail (issue 17
item 4).

The grid's own statement (:func:`crm_core.services.queries.build`: the ownership filter, row
filters, status, text and named filters, the sort with the id breaking ties) gets one keyset
condition and ``LIMIT 1`` each way: the list is never loaded, and the answer is the row the
grid would show just before or after this one, whichever page it is on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql import ColumnElement

from crm_core.declarations import SessionDef
from crm_core.security.access import Access
from crm_core.services.queries import ListQuery, build, column, order_by


def _beyond(col: Any, ident: Any, value: Any, element_id: int, larger: bool,
            nulls_large: bool) -> ColumnElement[bool]:
    """Rows whose ``(col, id)`` key comes after (``larger``) or before ``(value, element_id)`` in
    ascending order, NULLs placed as the database places them (PostgreSQL: after every value;
    SQLite: before)."""
    tie = ident > element_id if larger else ident < element_id
    if value is None:
        if larger == nulls_large:  # heading towards the NULLs: only the NULL rows further on
            return and_(col.is_(None), tie)
        return or_(col.is_not(None), and_(col.is_(None), tie))
    cond = or_(col > value if larger else col < value, and_(col == value, tie))
    return or_(cond, col.is_(None)) if larger == nulls_large else cond


def neighbours(db: DbSession, sdef: SessionDef, access: Access, query: ListQuery,
               element: Any) -> tuple[int | None, int | None]:
    """``(previous id, next id)`` of ``element`` in the grid ``query`` describes (``None`` at
    either end); two ``LIMIT 1`` statements through the grid's query."""
    spec = query.sort or sdef.default_sort
    desc = spec.startswith("-")
    name = spec.lstrip("-")
    model = sdef.model
    col = column(sdef, name)
    if sdef.custom_field(name) is None:
        value = getattr(element, name)
    else:  # a custom field's value as the database compares it
        value = db.scalar(select(col).where(model.id == element.id))
    nulls_large = db.get_bind().dialect.name == "postgresql"
    after = _beyond(col, model.id, value, element.id, not desc, nulls_large)
    before = _beyond(col, model.id, value, element.id, desc, nulls_large)
    ids = build(sdef, access, query).with_only_columns(model.id).limit(1)
    following = db.scalar(ids.where(after))
    reverse = name if desc else f"-{name}"
    preceding = db.scalar(ids.where(before).order_by(None).order_by(*order_by(sdef, reverse)))
    return preceding, following
