"""Loyalty's part of the privacy erase (CORE-21): the client's points entries keep their points
(a fact) and lose any personal value in their reason."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_core.toolkit import privacy
from crm_loyalty.models import PointsEntry

PLUGIN = "loyalty"


def _entries(db: Any, plan: privacy.ErasurePlan) -> list[PointsEntry]:
    ids = plan.ids("sales_account")
    return list(db.scalars(select(PointsEntry).where(PointsEntry.account_id.in_(ids)).order_by(PointsEntry.id)))


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    entries = _entries(db, plan)
    if not entries:
        return None
    return privacy.PersonalData(
        PLUGIN,
        items=(privacy.ErasedItem("points", _l("Loyalty points entries"), len(entries)),),
        elements=frozenset((PointsEntry.__element_type__, e.id) for e in entries),
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    for entry in _entries(db, plan):
        entry.reason = plan.redact(entry.reason, own=True)
