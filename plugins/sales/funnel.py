"""The sales funnel (SAL-11): leads → qualified → opportunities → won, with the losses of each step.

Counted as cohorts of the period: leads *created* in the period and what became of them, and
opportunities *created* in the period and how they closed. Two grouped queries, both through the
one ownership filter (``crm_core.security.access.scoped``): a user who sees all records may pick
an owner (or everyone); anybody else always sees their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


def _period(model: Any, start: date | None, end: date | None) -> list[Any]:
    conds = []
    if start is not None:
        conds.append(model.created_at >= datetime.combine(start, time.min, tzinfo=UTC))
    if end is not None and end < date.max:  # the last day there is has no day after it
        conds.append(model.created_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))
    return conds


def _by_status(
    db: DbSession, access: Access, what: str, model: Any, start: date | None, end: date | None, owner_id: int | None
) -> dict[str, int]:
    sdef = sdef_for("sale", what)
    all_records = access.sees_all
    stmt = scoped(sdef, access, all_records, stmt=select(model.status, func.count()).select_from(model))
    stmt = stmt.where(*_period(model, start, end))
    if owner_id is not None and access.sees_all:
        stmt = stmt.where(model.owner_id == owner_id)
    return dict(db.execute(stmt.group_by(model.status)).all())


def compute(
    db: DbSession, access: Access, start: date | None = None, end: date | None = None, owner_id: int | None = None
) -> list[Step]:
    """The funnel steps for the period and owner, as ``access`` may see them."""
    access.require("funnel", "view")
    leads = _by_status(db, access, "leads", Lead, start, end, owner_id)
    opportunities = _by_status(db, access, "opportunities", Opportunity, start, end, owner_id)
    return [
        Step("leads", _l("Leads"), sum(leads.values())),
        Step("qualified", _l("Qualified"), leads.get("qualified", 0), leads.get("disqualified", 0), _l("Disqualified")),
        Step("opportunities", _l("Opportunities"), sum(opportunities.values())),
        Step("won", _l("Won"), opportunities.get("won", 0), opportunities.get("lost", 0), _l("Lost")),
    ]

