"""Telephony's part of the privacy erase (CORE-21): the calls with the client — linked to any of
its records, or from or to one of its numbers — lose the number, notes and recording link; the
screen pops of its numbers are deleted. Direction, agent, extension, times and result stay
(the call figures keep counting them).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select

from crm_core.toolkit import crm_state, e164, privacy
from plugins.telephony.models import Call, Pop

PLUGIN = "telephony"
ERASED_FIELDS = ("number", "notes", "recording_url")


def _numbers(plan: privacy.ErasurePlan) -> list[str]:
    return sorted({n for n in (e164(v) for v in plan.values if any(ch.isdigit() for ch in v)) if n})


def _linked_condition(plan: privacy.ErasurePlan) -> Any:
    """Calls keep the session of their record, not its table: map the plan's records back."""
    conds = []
    for name, sdef in sorted(crm_state().registry.sessions.items()):
        if sdef.model is not None and hasattr(sdef.model, "__element_type__"):
            ids = plan.ids(sdef.model.__element_type__)
            if ids:
                conds.append(and_(Call.session_name == name, Call.element_id.in_(ids)))
    return or_(*conds, Call.number_e164.in_(_numbers(plan)))


def _calls(db: Any, plan: privacy.ErasurePlan) -> list[Call]:
    return list(db.scalars(select(Call).where(_linked_condition(plan)).order_by(Call.id)))


def _pops(plan: privacy.ErasurePlan) -> Any:
    numbers = _numbers(plan)
    return or_(Pop.number.in_(numbers), Pop.call_id.in_(select(Call.call_id).where(_linked_condition(plan))))


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    calls = _calls(db, plan)
    pops = db.scalar(select(func.count()).select_from(Pop).where(_pops(plan))) or 0
    if not (calls or pops):
        return None
    items = (("calls", _l("Calls"), len(calls)), ("pops", _l("Screen pops"), pops))
    return privacy.PersonalData(
        PLUGIN,
        items=tuple(privacy.ErasedItem(key, label, n) for key, label, n in items if n),
        elements=frozenset((Call.__element_type__, c.id) for c in calls),
        values=privacy.found_values(c.number for c in calls),
        fields={Call.__element_type__: frozenset(ERASED_FIELDS)},
    )


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    db.execute(delete(Pop).where(_pops(plan)).execution_options(synchronize_session=False))
    for call in _calls(db, plan):
        for name in ERASED_FIELDS:
            setattr(call, name, "")
