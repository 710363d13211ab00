"""One timeline per record (issue 17 item 2): the record's change sets and notes, merged with what
plugins contribute through ``crm_timeline_entries`` (activities, calls, messages …), newest first
and paged with a cursor.

The record's own part comes from the audit trail (one row per change set, so one entry per save
or action) and the notes table. Field changes read as the history tab reads them — the
session's field labels (custom fields' in the user's language), values through
``services.display`` (status and choice labels, user names, names of referenced records the
reader may see, linked) — and which changed fields an entry shows is decided by ONE function,
:func:`shown_changes`. An action that created other records (``qualify`` creating an
opportunity and a customer) names them as links, found through their own audit rows.

Every source answers at most ``limit + 1`` entries at or before the cursor's moment; the merge
keeps only what lies above the newest "floor" of a source that answered in full, so no entry of
one source is skipped while older entries of another are shown (:func:`merge`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef, TimelineEntry, TimelineLine, TimelineLink, schema_fields
from crm_core.extensions import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.notes import Note
from crm_core.request_input import BadInput
from crm_core.screens.history import action_label, what_happened
from crm_core.security.access import Access, scoped
from crm_core.services import display
from crm_core.services.elements import lookup_targets

#: Entries per page (the "load more" button asks for the next page).
PAGE = 30
#: How far apart the rows of one action's transaction may be written (qualify's opportunity
#: and customer are written in the same transaction as the lead's change, within moments).
SAME_ACTION = timedelta(seconds=30)
#: Longest cursor accepted (an ISO moment, a bar and a key).
MAX_CURSOR = 120

Cursor = tuple[datetime, str]


@dataclass(frozen=True)
class TimelinePage:
    """One page of a timeline: its entries, newest first, and the cursor of the next page."""

    entries: tuple[TimelineEntry, ...]
    more: str | None


def cursor_text(entry: TimelineEntry) -> str:
    return f"{entry.at.isoformat()}|{entry.key}"


def parse_cursor(text: str | None) -> Cursor | None:
    """The ``before`` parameter of a timeline page; a 400 naming it when malformed."""
    if not text:
        return None
    moment, bar, key = text.partition("|")
    try:
        if len(text) > MAX_CURSOR or not bar or not key:
            raise ValueError(text)
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None:
            raise ValueError(text)
    except ValueError:
        raise BadInput(_("“%(name)s” is not a position in the timeline.", name="before"), field="before") from None
    return at, key


def _order(entry: TimelineEntry) -> Cursor:
    return entry.at, entry.key


def merge(sources: Sequence[Sequence[TimelineEntry]], cursor: Cursor | None, limit: int,
          floors: Iterable[Cursor | None] = ()) -> TimelinePage:
    """One page from the sources' answers (each newest first, at most ``limit + 1`` long).

    A source that answered ``limit + 1`` entries may hold older ones it did not send: only
    entries at or above the newest such floor are certain to be in order, so the page stops
    there (``floors`` adds floors a source computed itself, e.g. before hiding entries)."""
    full = [_order(s[-1]) for s in sources if len(s) > limit]
    full += [f for f in floors if f is not None]
    floor = max(full) if full else None
    merged = sorted((e for s in sources for e in s), key=_order, reverse=True)
    if cursor is not None:
        merged = [e for e in merged if _order(e) < cursor]
    certain = [e for e in merged if floor is None or _order(e) >= floor] or merged
    page = tuple(certain[:limit])
    more = bool(page) and (len(certain) > limit or floor is not None)
    return TimelinePage(page, cursor_text(page[-1]) if more else None)


def timeline(db: DbSession, sdef: SessionDef, element: Any, access: Access, before: str | None = None,
             limit: int = PAGE) -> TimelinePage:
    """A page of ``element``'s timeline for ``access`` (who must be allowed to view it)."""
    cursor = parse_cursor(before)
    moment = cursor[0] if cursor else None
    own, floor = record_entries(db, sdef, element, access, moment, limit + 1)
    answers = crm_state().pm.hook.crm_timeline_entries(
        sdef=sdef, element=element, access=access, db=db, before=moment, limit=limit + 1
    )
    sources = [own, *(list(a)[: limit + 1] for a in answers if a)]
    return merge(sources, cursor, limit, [floor])


# --- the record's own entries: change sets and notes ----------------------------------------


def shown_changes(sdef: SessionDef, access: Access, changes: dict[str, Any]) -> dict[str, Any]:
    """THE decision of which changed fields a timeline entry shows ``access``: fields of the
    session's schema (so bookkeeping columns and codes never show). Field-level access (a field
    hidden from a group, ``[field_access]``) is applied here, and only here."""
    assert sdef.schema is not None
    declared = schema_fields(sdef.schema)
    hidden = access.field_rules(sdef).hidden
    return {name: pair for name, pair in (changes or {}).items() if name in declared and name not in hidden}


def record_entries(db: DbSession, sdef: SessionDef, element: Any, access: Access, before: datetime | None,
                   n: int) -> tuple[list[TimelineEntry], Cursor | None]:
    """The newest ``n`` change sets and notes of ``element`` at or before ``before``, and the
    floor below which this source did not look (``None`` when it gave everything)."""
    rows = _audit_rows(db, element, before, n)
    notes = _notes(db, element, before, n)
    users = display.user_names(db, {r.user_id for r in rows} | {note.creator_id for note in notes})
    names = _value_names(sdef, rows, access)
    created = _created_by_actions(db, sdef, element, access, rows)
    entries: list[TimelineEntry] = []
    floors: list[Cursor] = []
    if len(rows) == n:
        floors.append((rows[-1].at, _audit_key(rows[-1])))
    if len(notes) == n:
        floors.append((notes[-1].created_at, _note_key(notes[-1])))
    for row in rows:
        entry = _change_entry(sdef, access, row, users, names, created.get(row.id, ()))
        if entry is not None:
            entries.append(entry)
    entries.extend(_note_entry(sdef, element, note, users) for note in notes)
    entries.sort(key=_order, reverse=True)
    return entries, max(floors) if floors else None


def _audit_key(row: AuditEntry) -> str:
    return f"change:{row.id:012d}"


def _note_key(note: Note) -> str:
    return f"note:{note.id:012d}"


def _audit_rows(db: DbSession, element: Any, before: datetime | None, n: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.element_type == element.element_type,
        AuditEntry.element_id == element.id,
        # notes are read from their own table (whole text, file link)
        (AuditEntry.object_type.is_(None)) | (AuditEntry.object_type != Note.__tablename__),
    )
    if before is not None:
        stmt = stmt.where(AuditEntry.at <= before)
    return list(db.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(n)))


def _notes(db: DbSession, element: Any, before: datetime | None, n: int) -> list[Note]:
    stmt = select(Note).where(Note.element_type == element.element_type, Note.element_id == element.id)
    if before is not None:
        stmt = stmt.where(Note.created_at <= before)
    return list(db.scalars(stmt.order_by(Note.created_at.desc(), Note.id.desc()).limit(n)))


def _value_names(sdef: SessionDef, rows: Sequence[AuditEntry], access: Access) -> display.Names:
    """Names of every coded, user and referenced value on the page: one query per column."""
    values = [
        SimpleNamespace(**{name: v})
        for row in rows if row.object_type is None
        for name, pair in shown_changes(sdef, access, row.changes).items() if isinstance(pair, list)
        for v in pair
    ]
    columns = sorted({next(iter(vars(v))) for v in values})
    return display.value_names(sdef, values, columns) if columns else {}


def _change_entry(sdef: SessionDef, access: Access, row: AuditEntry, users: dict[int, str],
                  names: display.Names, links: Sequence[TimelineLink]) -> TimelineEntry | None:
    who = users.get(row.user_id, _("system")) if row.user_id is not None else _("system")
    lines: tuple[TimelineLine, ...] = ()
    if row.object_type is None and row.operation != "create":
        lines = _lines(sdef, access, row.changes, names)
        if not lines and row.action == row.operation:
            return None  # nothing this reader may see changed
    title = what_happened(sdef, row)
    if links:  # "Qualified → Opportunity X, Account Y"
        status = (row.changes or {}).get(sdef.status_field) if sdef.statuses else None
        done = crm_state().registry.status_label(sdef, status[1]) if isinstance(status, list) else None
        title = _("%(what)s →", what=done or action_label(sdef, row.action))
    return TimelineEntry(row.at, _audit_key(row), "change", title, who=who, lines=lines, links=tuple(links))


def _lines(sdef: SessionDef, access: Access, changes: dict[str, Any], names: display.Names) -> tuple[TimelineLine, ...]:
    assert sdef.schema is not None
    declared = schema_fields(sdef.schema)
    targets = lookup_targets(sdef)
    registry = crm_state().registry
    out = []
    for name, pair in shown_changes(sdef, access, changes).items():
        label = str(declared[name].metadata.get("label") or name)
        if not isinstance(pair, list):  # a secret: that it changed, never the value
            out.append(TimelineLine(label, None, _("changed")))
            continue
        before, after = (_readable(sdef, name, v, names, targets) for v in pair)
        url = None
        target = registry.sessions.get(targets.get(name, ""))
        if target is not None and pair[1] is not None and (name, pair[1]) in names:
            url = url_for("screens.detail", session_name=target.name, element_id=pair[1])
        out.append(TimelineLine(label, before, after, url))
    return tuple(out)


def _readable(sdef: SessionDef, name: str, value: Any, names: display.Names, targets: dict[str, str]) -> Any:
    shown = display.shown(sdef, SimpleNamespace(**{name: value}), name, names)
    if value is not None and shown == value and (name in targets or name in display.user_fields(sdef)):
        return _("a record you may not see") if name in targets else _("a former user")
    if isinstance(shown, bool):
        return _("Yes") if shown else _("No")
    if isinstance(shown, str) and shown == value:
        return _formatted(schema_fields(sdef.schema)[name], shown)  # type: ignore[arg-type]
    return shown


def _formatted(field: fields.Field, value: str) -> str:
    """A stored date, date-time or number (ISO text, decimal string in the audit row) as the
    reader's locale and time zone write it."""
    try:
        if isinstance(field, fields.DateTime):
            moment = datetime.fromisoformat(value)
            return format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC), "short")
        if isinstance(field, fields.Date):
            return format_date(date.fromisoformat(value), "short")
        if isinstance(field, fields.Decimal | fields.Float):
            return format_decimal(Decimal(value))
    except (ValueError, ArithmeticError):
        return value
    return value


def _note_entry(sdef: SessionDef, element: Any, note: Note, users: dict[int, str]) -> TimelineEntry:
    links: tuple[TimelineLink, ...] = ()
    if note.filename:
        url = url_for("screens.note_download", session_name=sdef.name, element_id=element.id, note_id=note.id)
        links = (TimelineLink(note.filename, url),)
    return TimelineEntry(note.created_at, _note_key(note), "note", _("Note"),
                         who=users.get(note.creator_id, ""), body=note.text, links=links)


def _created_by_actions(db: DbSession, sdef: SessionDef, element: Any, access: Access,
                        rows: Sequence[AuditEntry]) -> dict[int, list[TimelineLink]]:
    """For each action row of the page (``qualify`` …), the records the same action created in
    the same moment that refer to ``element`` (and the records those refer to that the action
    created too: the customer of the new opportunity), as links the reader may open.
    One query for the page's candidates and one per session they belong to."""
    acting = [r for r in rows if r.object_type is None and r.operation and r.action != r.operation]
    if not acting:
        return {}
    candidates = list(db.scalars(
        select(AuditEntry).where(
            AuditEntry.operation == "create",
            AuditEntry.object_type.is_(None),
            AuditEntry.action.in_({r.action for r in acting}),
            AuditEntry.at >= min(r.at for r in acting) - SAME_ACTION,
            AuditEntry.at <= max(r.at for r in acting) + SAME_ACTION,
        ).order_by(AuditEntry.id).limit(50 * len(acting))
    ))
    sessions = _sessions_by_type()
    found: dict[int, list[tuple[SessionDef, int]]] = {}
    for row in acting:
        near = [c for c in candidates if c.action == row.action and c.user_id == row.user_id
                and abs(c.at - row.at) <= SAME_ACTION]
        made = {(c.element_type, c.element_id) for c in near}
        picked: list[tuple[SessionDef, int]] = []
        for c in near:
            target = _refers(sessions.get(c.element_type, ()), c.changes, sdef.name, element.id)
            if target is None:
                continue
            picked.append((target, c.element_id))
            for field, pair in (c.changes or {}).items():
                ref_sdef = crm_state().registry.sessions.get(lookup_targets(target).get(field) or "")
                if ref_sdef is None or ref_sdef.model is None or not isinstance(pair, list):
                    continue
                if (ref_sdef.model.__element_type__, pair[1]) in made:
                    picked.append((ref_sdef, pair[1]))
        unique = {(s.name, i): (s, i) for s, i in picked}
        if unique:
            found[row.id] = list(unique.values())
    visible = _visible_names(db, access, [p for ps in found.values() for p in ps])
    return {
        row_id: [
            TimelineLink(f"{target.singular or target.label} {visible[(target.name, i)]}",
                         url_for("screens.detail", session_name=target.name, element_id=i))
            for target, i in picked if (target.name, i) in visible
        ]
        for row_id, picked in found.items()
    }


def _sessions_by_type() -> dict[str, tuple[SessionDef, ...]]:
    out: dict[str, list[SessionDef]] = {}
    for s in crm_state().registry.sessions.values():
        if s.model is not None and s.has_grid:
            out.setdefault(s.model.__element_type__, []).append(s)
    return {k: tuple(v) for k, v in out.items()}


def _refers(candidates: Iterable[SessionDef], changes: dict[str, Any], session_name: str, element_id: int
            ) -> SessionDef | None:
    """The session of a created record whose reference fields point at ``element_id`` of
    ``session_name`` (with its fixed ``where`` met, e.g. a sales, not a purchase, opportunity)."""
    for target in candidates:
        for field, ref in lookup_targets(target).items():
            pair = (changes or {}).get(field)
            if ref == session_name and isinstance(pair, list) and pair[1] == element_id:
                where = all((changes.get(k) or [None, None])[1] == v for k, v in target.where.items())
                if where:
                    return target
    return None


def _visible_names(db: DbSession, access: Access,
                   wanted: Sequence[tuple[SessionDef, int]]) -> dict[tuple[str, int], str]:
    by_session: dict[str, tuple[SessionDef, set[int]]] = {}
    for target, i in wanted:
        by_session.setdefault(target.name, (target, set()))[1].add(i)
    out: dict[tuple[str, int], str] = {}
    for name, (target, ids) in by_session.items():
        if not access.can(target, "view"):
            continue
        stmt = scoped(target, access, all_records=True).where(target.model.id.in_(ids))
        out.update(((name, el.id), el.display_name()) for el in db.scalars(stmt))
    return out
