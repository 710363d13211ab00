"""The pipeline board of a session (EXT-04): columns by the value of its board field, with
count, sum of amounts and probability-weighted sum, and a page of cards per column.

Every figure and card goes through the grid's one list query (:func:`crm_core.services.queries.build`,
hence ``scoped`` and its ownership filter): a board never shows or sums a record its viewer may
not see. Totals are one ``GROUP BY``; cards are fetched per column with ``LIMIT``, so a board over
tens of thousands of records reads only what it shows (bench: ``python -m bench board``).
A move is the board's declared action run through :func:`crm_core.services.elements.run_action`,
the same path as the action's form, so the workflow and every rule apply alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import Board, SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.security.access import Access
from crm_core.services import elements, workflow
from crm_core.services.display import choices_of
from crm_core.services.queries import Criterion, ListQuery, Page, build, column, fetch_page

CARDS_PER_COLUMN = 20


@dataclass(frozen=True)
class Totals:
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def board_of(sdef: SessionDef) -> Board:
    assert sdef.board is not None
    return sdef.board


def stages(sdef: SessionDef) -> list[tuple[str, str]]:
    """``(value, label)`` of every column, in the order of the field's choices."""
    assert sdef.schema is not None
    return list(choices_of(schema_fields(sdef.schema)[board_of(sdef).field]) or ())


def totals(db: DbSession, sdef: SessionDef, access: Access, q: ListQuery) -> dict[str, Totals]:
    """Count, amount and weighted amount per column value, in one ``GROUP BY`` over what ``q``
    selects for ``access``."""
    board = board_of(sdef)
    field = column(sdef, board.field)
    amount = column(sdef, board.amount) if board.amount else literal(0)
    weight = column(sdef, board.probability) if board.probability else literal(100)
    stmt = (
        build(sdef, access, replace(q, sort="id"))
        .order_by(None)
        .with_only_columns(field, func.count(), func.sum(amount), func.sum(amount * weight))
        .group_by(field)
    )
    out = {}
    for value, count, total, weighted in db.execute(stmt):
        out[str(value)] = Totals(count, Decimal(total or 0), Decimal(weighted or 0) / 100)
    return out


def cards(db: DbSession, sdef: SessionDef, access: Access, q: ListQuery, value: str, page: int = 1) -> Page:
    """One page of the column ``value`` (cards in the grid's default order)."""
    criteria = (*q.criteria, Criterion(board_of(sdef).field, "=", value))
    column_query = replace(q, criteria=criteria, match="all", page=page, per_page=CARDS_PER_COLUMN)
    return fetch_page(db, sdef, access, column_query)


def move_refusal(sdef: SessionDef, element: Any) -> str | None:
    """Why the board's action cannot run on ``element`` now (its workflow state, ``available``)."""
    action = sdef.action(board_of(sdef).action)
    assert action is not None
    return workflow.action_refusal(sdef, action, element)


def move(db: DbSession, sdef: SessionDef, access: Access, element: Any, value: str) -> None:
    """Move ``element`` to the column ``value`` by running the board's action (its schema, its
    permission, the workflow and the handler's rules); raises what the action raises."""
    board = board_of(sdef)
    refusal = move_refusal(sdef, element)
    if refusal is not None:
        raise BusinessRuleError(refusal)
    elements.run_action(db, sdef, access, element, board.action, {board.field: value})
