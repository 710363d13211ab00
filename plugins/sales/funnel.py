"""The sales funnel (SAL-11, EXT-07): leads → qualified → opportunities → won, with the losses of
each step, the opportunities' amounts and each step's conversion from the one before.

Counted as cohorts of the period: leads *created* in the period and what became of them, and
opportunities *created* in the period and how they closed. Two grouped queries, both through the
one ownership filter (``crm_core.security.access.scoped``): a user who sees all records may pick
an owner (or everyone); anybody else always sees their own. :func:`records` drills a step down
to the records it counts, through the same filter and conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, scoped
from plugins.sales.models import Lead, Opportunity
from plugins.sales.services import sdef_for


@dataclass(frozen=True)
class Step:
    key: str
    label: Any
    count: int
    lost: int | None = None
    lost_label: Any = None
    #: the opportunities' summed amount (opportunity steps only)
    amount: Decimal | None = None
    lost_amount: Decimal | None = None
    #: share of the step before that reached this one (0–100), ``None`` for a cohort's first step
    conversion: float | None = None


#: step → (session, statuses it counts; ``None`` = every status) and its losses' statuses
STEPS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "leads": ("leads", None),
    "qualified": ("leads", ("qualified",)),
    "disqualified": ("leads", ("disqualified",)),
    "opportunities": ("opportunities", None),
    "won": ("opportunities", ("won",)),
    "lost": ("opportunities", ("lost",)),
}


def _period(model: Any, start: date | None, end: date | None) -> list[Any]:
    conds = []
    if start is not None:
        conds.append(model.created_at >= datetime.combine(start, time.min, tzinfo=UTC))
    if end is not None and end < date.max:  # the last day there is has no day after it
        conds.append(model.created_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))
    return conds


def _cohort(
    access: Access, what: str, stmt: Any, start: date | None, end: date | None, owner_id: int | None
) -> Any:
    """``stmt`` narrowed to the records of ``what`` the funnel counts: the reader's ownership
    filter, created in the period, of ``owner_id`` when the reader sees all records."""
    sdef = sdef_for("sale", what)
    model = sdef.model
    stmt = scoped(sdef, access, access.sees_all, stmt=stmt).where(*_period(model, start, end))
    if owner_id is not None and access.sees_all:
        stmt = stmt.where(model.owner_id == owner_id)
    return stmt


def _by_status(
    db: DbSession, access: Access, what: str, model: Any, start: date | None, end: date | None, owner_id: int | None,
    amount: Any = None,
) -> dict[str, tuple[int, Decimal]]:
    total = func.coalesce(func.sum(amount), 0) if amount is not None else func.count()
    stmt = _cohort(access, what, select(model.status, func.count(), total).select_from(model), start, end, owner_id)
    return {status: (n, Decimal(summed)) for status, n, summed in db.execute(stmt.group_by(model.status)).all()}


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute(
    db: DbSession, access: Access, start: date | None = None, end: date | None = None, owner_id: int | None = None
) -> list[Step]:
    """The funnel steps for the period and owner, as ``access`` may see them."""
    access.require("funnel", "view")
    leads = _by_status(db, access, "leads", Lead, start, end, owner_id)
    opps = _by_status(db, access, "opportunities", Opportunity, start, end, owner_id, Opportunity.amount)

    def n(rows: dict[str, tuple[int, Decimal]], status: str | None = None) -> int:
        return sum(c for _a, (c, _s) in rows.items()) if status is None else rows.get(status, (0, 0))[0]

    def summed(status: str | None = None) -> Decimal:
        return sum((a for st, (_c, a) in opps.items() if status in (None, st)), Decimal(0))

    return [
        Step("leads", _l("Leads"), n(leads)),
        Step("qualified", _l("Qualified"), n(leads, "qualified"), n(leads, "disqualified"), _l("Disqualified"),
             conversion=_share(n(leads, "qualified"), n(leads))),
        Step("opportunities", _l("Opportunities"), n(opps), amount=summed()),
        Step("won", _l("Won"), n(opps, "won"), n(opps, "lost"), _l("Lost"), amount=summed("won"),
             lost_amount=summed("lost"), conversion=_share(n(opps, "won"), n(opps))),
    ]


def records(
    db: DbSession, access: Access, step: str, start: date | None = None, end: date | None = None,
    owner_id: int | None = None, before: int | None = None, limit: int = 50,
) -> tuple[str, list[Any], bool]:
    """The records a step counts (``step`` one of :data:`STEPS`, e.g. ``"won"`` or ``"lost"``),
    newest first, ``limit`` at a time (keyset: ids below ``before``): the session's name, the
    records, and whether more follow. The same cohort, filter and permission as :func:`compute`."""
    access.require("funnel", "view")
    what, statuses = STEPS[step]
    model = sdef_for("sale", what).model
    stmt = _cohort(access, what, select(model), start, end, owner_id)
    if statuses is not None:
        stmt = stmt.where(model.status.in_(statuses))
    if before:
        stmt = stmt.where(model.id < before)
    rows = list(db.scalars(stmt.order_by(model.id.desc()).limit(limit + 1)))
    return sdef_for("sale", what).name, rows[:limit], len(rows) > limit

