"""The history tab's rows as people read them (CORE-15).

Audit rows store field names, codes and ids (``crm_core.services.audit``); the tab shows the
field labels of the session's schema, values through ``services.display`` (status names, user
names, choice labels, names of referenced records the reader may see), what happened in words
(*Changed*, *Note added* …) and the action that did it. Rows written before the central audit
(no ``operation``) read as they always did: their action and raw values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm_core.declarations import SessionDef, schema_fields
from crm_core.extensions import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.notes import GroupingMember, Note
from crm_core.services import audit, display

OPERATIONS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted")}
#: What a change of a record attached to the element reads as, per table and operation.
ATTACHED = {
    Note.__tablename__: {"create": _l("Note added"), "delete": _l("Note deleted")},
    GroupingMember.__tablename__: {"create": _l("Member added"), "delete": _l("Member removed")},
}
ATTACHED_FIELDS = {
    Note.__tablename__: {"text": _l("Note"), "filename": _l("File"), "size": _l("Size (bytes)")},
    GroupingMember.__tablename__: {"element_id": _l("Member")},
}


@dataclass(frozen=True)
class Line:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    lines: tuple[Line, ...]


def action_label(sdef: SessionDef, name: str) -> str:
    """An action's visible label: this session's, another session's (``qualify`` creating an
    opportunity shows on the opportunity), or the stored name."""
    for candidate in (sdef, *crm_state().registry.sessions.values()):
        action = candidate.action(name)
        if action is not None:
            return str(action.label)
    return name


def what_happened(sdef: SessionDef, entry: AuditEntry) -> str:
    if entry.operation is None:  # written before the central audit
        return str(OPERATIONS[entry.action]) if entry.action in OPERATIONS else action_label(sdef, entry.action)
    words = ATTACHED.get(entry.object_type or "", OPERATIONS)
    what = str(words.get(entry.operation, OPERATIONS.get(entry.operation, entry.operation)))
    if entry.action != entry.operation:
        what = _("%(what)s by “%(action)s”", what=what, action=action_label(sdef, entry.action))
    return what


def _labels(sdef: SessionDef) -> dict[str, str]:
    assert sdef.schema is not None
    return {name: str(f.metadata.get("label") or name) for name, f in schema_fields(sdef.schema).items()}


def _lines(
    sdef: SessionDef, entry: AuditEntry, labels: dict[str, str], names: display.Names, hidden: frozenset[str]
) -> tuple[Line, ...]:
    own = entry.object_type is None
    field_labels = labels if own else {k: str(v) for k, v in ATTACHED_FIELDS.get(entry.object_type, {}).items()}
    out = []
    for name, pair in (entry.changes or {}).items():
        if own and name in hidden:
            continue  # a field the reader's group may not see: neither its values nor its change
        label = field_labels.get(name, name)
        if not isinstance(pair, list):  # a secret: that it changed, never the value
            out.append(Line(label, None, _("changed")))
            continue
        before, after = (
            (display.shown(sdef, SimpleNamespace(**{name: v}), name, names) for v in pair) if own else pair
        )
        out.append(Line(label, before, after))
    return tuple(out)


def history_entries(db: Any, sdef: SessionDef, element: Any, hidden: frozenset[str] = frozenset()) -> list[Entry]:
    """The element's history, newest first, ready for the tab; the changes of ``hidden`` fields
    (those the reader's group may not see, field-level access) are left out."""
    rows = audit.history(db, element.element_type, element.id)
    labels = {k: v for k, v in _labels(sdef).items() if k not in hidden}
    values = [
        SimpleNamespace(**{name: v})
        for row in rows if row.object_type is None
        for name, pair in (row.changes or {}).items() if isinstance(pair, list) and name in labels
        for v in pair
    ]
    columns = sorted({next(iter(vars(v))) for v in values})
    names = display.value_names(sdef, values, columns) if columns else {}
    who = display.user_names(db, {row.user_id for row in rows})
    return [
        Entry(row.at, who.get(row.user_id, _("system")), what_happened(sdef, row),
              _lines(sdef, row, labels, names, hidden))
        for row in rows
    ]
