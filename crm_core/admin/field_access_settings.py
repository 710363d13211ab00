"""Configuration → Fields → Access by group (EXT-16): which fields of a session a group's members
may not see (*hidden*) or not change (*read-only*), stored as
:class:`~crm_core.models.auth.FieldAccess` rows and read with the group's permissions on every
request (``crm_core.security.access.load_access``), so a change applies at once in every
server process. Rules of customer.toml's ``[field_access]`` are shown and cannot be changed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.custom_fields.field_rules import HIDDEN, MODES, READ_ONLY, name_fields, rule_problems
from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.auth import FieldAccess, Group

VISIBLE = "visible"
CHOICES = (VISIBLE, *MODES)


@dataclass(frozen=True)
class FieldRow:
    """One field of the session on the screen: its label, the stored access, and the file's."""

    name: str
    label: str
    mode: str
    from_file: str | None
    #: required fields cannot be restricted (a group that creates records must fill them).
    fixed: bool
    #: part of the record's name (shown on every link): read-only at most, never hidden
    name_part: bool = False


def sessions() -> list[SessionDef]:
    """The sessions with records, as the menu names them."""
    registry = crm_state().registry
    return sorted((s for s in registry.sessions.values() if s.has_grid and s.schema is not None),
                  key=lambda s: str(s.label))


def file_rules(group: Group, session_name: str) -> dict[str, str]:
    """customer.toml's ``[field_access.<session>."<group>"]`` for this group."""
    customer = crm_state().customer
    return dict(customer.field_access.get(session_name, {}).get(group.name, {}))


def rows(db: DbSession, group: Group, sdef: SessionDef) -> list[FieldRow]:
    assert sdef.schema is not None
    stored = dict(db.execute(
        select(FieldAccess.field_name, FieldAccess.mode)
        .where(FieldAccess.group_id == group.id, FieldAccess.session_name == sdef.name)
    ).all())
    from_file = file_rules(group, sdef.name)
    in_name = name_fields(sdef)
    out = []
    for name, field in schema_fields(sdef.schema).items():
        if name == "id" or name in sdef.where:
            continue
        label = str(field.metadata.get("label") or name)
        out.append(FieldRow(name, label, stored.get(name, VISIBLE), from_file.get(name), bool(field.required),
                            name in in_name))
    return out


def save(db: DbSession, group: Group, sdef: SessionDef, form: Mapping[str, Any]) -> int:
    """Store the choices of the form (``field:<name>`` = visible / hidden / read_only) for the
    group on the session, in one transaction; refuses an unknown choice or a field the rules
    refuse (a required one) with a message naming it. Returns how many fields are restricted."""
    wanted: dict[str, str] = {}
    fixed = file_rules(group, sdef.name)
    for key, value in form.items():
        if not key.startswith("field:"):
            continue
        name = key.removeprefix("field:")
        if value not in CHOICES:
            raise BusinessRuleError(_("Choose visible, read-only or hidden for %(f)s.", f=name), field=key)
        if value != VISIBLE and name not in fixed:
            wanted[name] = value
    problems = rule_problems(sdef, wanted)
    if problems:
        unknown = [n for n in wanted if n not in schema_fields(sdef.schema)]  # type: ignore[arg-type]
        name = unknown[0] if unknown else next(n for n in wanted if repr(n) in problems[0])
        message = (
            _("The field %(f)s makes up the record's name, shown wherever it is linked: it can be read-only, "
              "not hidden.", f=name)
            if wanted.get(name) == HIDDEN and name in name_fields(sdef)
            else _("The field %(f)s cannot be hidden or read-only for a group (unknown or required).", f=name)
        )
        raise BusinessRuleError(message, field=f"field:{name}")
    current = {
        row.field_name: row
        for row in db.scalars(
            select(FieldAccess).where(FieldAccess.group_id == group.id, FieldAccess.session_name == sdef.name)
        )
    }
    for name, row in current.items():
        if name not in wanted:
            db.delete(row)
        elif row.mode != wanted[name]:
            row.mode = wanted[name]
    for name, mode in wanted.items():
        if name not in current:
            db.add(FieldAccess(group_id=group.id, session_name=sdef.name, field_name=name, mode=mode))
    db.flush()
    return len(wanted)


__all__ = ["CHOICES", "HIDDEN", "READ_ONLY", "VISIBLE", "FieldRow", "rows", "save", "sessions"]
