"""The screen pop's card (TEL-01): who is calling, their open records and last activities, built
for the agent whose extension rings and with that agent's permissions — exactly what their
pages would show them. Nothing here knows a business plugin: the caller comes from
``crm_find_by_phone``, related records from the sessions' declared lookups, activities from any
session whose records link to an element (``session_name`` + ``element_id``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy import or_
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, SessionDef, crm_state, scoped

#: Sessions a pop offers to create for an unknown number, when a plugin declares them.
NEW_RECORD_SESSIONS = ("leads", "cases")
LIMIT = 5


@dataclass
class Card:
    number: str
    who: Any = None
    who_session: SessionDef | None = None
    related: list[tuple[SessionDef, list[Any]]] = field(default_factory=list)
    activities: list[tuple[SessionDef, list[Any]]] = field(default_factory=list)
    new_links: list[tuple[SessionDef, str]] = field(default_factory=list)


def _lookups(sdef: SessionDef) -> dict[str, str]:
    """Field → the session it references (declared ``lookups`` and schema field metadata)."""
    out = dict(sdef.lookups)
    if sdef.schema is not None:
        for name, f in sdef.schema._declared_fields.items():
            target = f.metadata.get("lookup")
            if isinstance(target, str):
                out.setdefault(name, target)
    return out


def _grid_sessions() -> list[SessionDef]:
    return [s for s in crm_state().registry.sessions.values() if s.model is not None and s.has_grid]


def _related(db: DbSession, access: Access, targets: dict[str, int], own: str) -> list[tuple[SessionDef, list[Any]]]:
    """Open records of other sessions that reference the caller (or the caller's account)."""
    out = []
    for sdef in _grid_sessions():
        if sdef.name == own or not access.can(sdef, "view"):
            continue
        conditions = [getattr(sdef.model, f) == targets[t] for f, t in _lookups(sdef).items() if t in targets]
        if not conditions:
            continue
        stmt = scoped(sdef, access, all_records=True).where(or_(*conditions))
        open_states = [s.code for s in sdef.statuses if s.open]
        if open_states and hasattr(sdef.model, sdef.status_field):
            stmt = stmt.where(getattr(sdef.model, sdef.status_field).in_(open_states))
        rows = list(db.scalars(stmt.order_by(sdef.model.id.desc()).limit(LIMIT)))
        if rows:
            out.append((sdef, rows))
    return out


def _activities(
    db: DbSession, access: Access, session_name: str, element_id: int
) -> list[tuple[SessionDef, list[Any]]]:
    """The latest records linked to the caller in sessions that link to elements (activities, calls)."""
    out = []
    for sdef in _grid_sessions():
        model = sdef.model
        if not (hasattr(model, "session_name") and hasattr(model, "element_id")) or not access.can(sdef, "view"):
            continue
        stmt = scoped(sdef, access, all_records=True).where(model.session_name == session_name,
                                                            model.element_id == element_id)
        rows = list(db.scalars(stmt.order_by(model.id.desc()).limit(LIMIT)))
        if rows:
            out.append((sdef, rows))
    return out


def build_card(db: DbSession, access: Access, number: str) -> Card:
    card = Card(number=number)
    state = crm_state()
    found = state.pm.hook.crm_find_by_phone(number=number, user=access.user, db=db)
    sdefs = state.registry.sessions_for_model(type(found)) if found is not None else []
    if found is None or not sdefs:
        for name in NEW_RECORD_SESSIONS:
            sdef = state.registry.sessions.get(name)
            if sdef is not None and state.registry.is_available(name) and access.can(sdef, "modify"):
                query = urlencode({"phone": number})
                card.new_links.append((sdef, url_for("screens.new", session_name=name) + "?" + query))
        return card
    card.who, card.who_session = found, sdefs[0]
    targets = {sdefs[0].name: found.id}
    for f, target in _lookups(sdefs[0]).items():
        value = getattr(found, f, None)
        if isinstance(value, int):
            targets.setdefault(target, value)
    card.related = _related(db, access, targets, sdefs[0].name)
    card.activities = _activities(db, access, sdefs[0].name, found.id)
    return card


def label(element: Any) -> str:
    shown = getattr(element, "display_name", None)
    if callable(shown):
        return str(shown())
    return str(getattr(element, "name", None) or getattr(element, "subject", None) or f"#{element.id}")
