"""Apply a client's field declarations to the sessions: checked against what each session
declares, then one replacement ``SessionDef`` per session (schema, columns, search)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import inspect as sa_inspect

from crm_core.custom_fields.declarations import FieldDecl
from crm_core.custom_fields.schema import client_schema
from crm_core.declarations import SessionDef, schema_fields


def supports_custom_fields(sdef: SessionDef) -> bool:
    """Whether the session's model has the ``custom`` column (``CustomFields`` mixin)."""
    return sdef.model is not None and "custom" in {c.key for c in sa_inspect(sdef.model).column_attrs}


def decl_problems(decl: FieldDecl, sessions: Mapping[str, SessionDef]) -> list[str]:
    """What is wrong with one declaration against the declared sessions (empty when nothing)."""
    sdef = sessions.get(decl.session_name)
    if sdef is None or not sdef.has_grid:
        known = ", ".join(sorted(n for n, s in sessions.items() if s.has_grid))
        return [f"unknown session {decl.session_name!r}; sessions with records: {known}"]
    assert sdef.schema is not None and sdef.model is not None
    declared = schema_fields(sdef.schema)
    columns = {c.key for c in sa_inspect(sdef.model).column_attrs}
    problems = []
    if not decl.custom:
        if decl.name not in declared:
            problems.append(
                f"{decl.name!r} is not a field of {decl.session_name!r} (a custom field needs a 'type'); "
                f"fields: {', '.join(sorted(declared))}"
            )
        elif decl.hidden and declared[decl.name].required and decl.required is not False:
            problems.append(f"{decl.name!r} is required, so it cannot be hidden")
        elif decl.hidden and decl.required:
            problems.append(f"{decl.name!r} cannot be both hidden and required")
        return problems
    if decl.name in declared or decl.name in columns or hasattr(sdef.model, decl.name):
        problems.append(
            f"{decl.name!r} is already a field of {decl.session_name!r}: to change its label, order or "
            "requiredness leave out 'type'; a custom field needs a name of its own"
        )
    if not supports_custom_fields(sdef):
        allowed = ", ".join(sorted(n for n, s in sessions.items() if s.has_grid and supports_custom_fields(s)))
        problems.append(f"session {decl.session_name!r} does not take custom fields; sessions that do: {allowed}")
    if decl.hidden:
        problems.append("'hidden' is for built-in fields: remove a custom field instead")
    if decl.type == "lookup":
        target = sessions.get(decl.lookup or "")
        if target is None or not target.has_grid:
            problems.append(f"lookup names unknown session {decl.lookup!r}")
    if decl.default is not None and not problems:
        from crm_core.custom_fields.schema import custom_field

        try:
            custom_field(dataclasses.replace(decl, default=None)).deserialize(decl.default)
        except ValidationError as exc:
            problems.append(f"default {decl.default!r} is not a valid value: {' '.join(map(str, exc.messages))}")
    return problems


def apply_fields(sessions: dict[str, SessionDef], decls: Iterable[FieldDecl]) -> list[tuple[FieldDecl, str]]:
    """Replace each session that has declarations with one that carries them; returns the
    ``(declaration, problem)`` pairs (nothing is applied to a session with a problem)."""
    by_session: dict[str, list[FieldDecl]] = {}
    problems: list[tuple[FieldDecl, str]] = []
    for decl in decls:
        found = decl_problems(decl, sessions)
        same = [d for d in by_session.get(decl.session_name, []) if d.name == decl.name]
        if same:
            found.append(f"{decl.name!r} is declared twice ({same[0].source} and {decl.source})")
        problems += [(decl, p) for p in found]
        if not found:
            by_session.setdefault(decl.session_name, []).append(decl)
    for name, items in by_session.items():
        declared = set(schema_fields(sessions[name].schema)) | {d.name for d in items if d.custom}  # type: ignore[arg-type]
        for decl in [d for d in items if d.parent and d.parent not in declared]:
            problems.append((decl, f"parent {decl.parent!r} is not a field of {name!r}"))
            items.remove(decl)
        sessions[name] = with_fields(sessions[name], items)
    return problems


def with_fields(sdef: SessionDef, decls: list[FieldDecl]) -> SessionDef:
    """The session with the client's schema; listable custom fields join the grid columns (in
    their position), hidden built-in fields leave them, searchable ones join the text search."""
    assert sdef.schema is not None
    custom = tuple(d for d in decls if d.custom)
    hidden = {d.name for d in decls if d.hidden}
    columns: list[str] = [c for c in sdef.columns if c not in hidden]
    for decl in custom:
        if decl.listable and decl.name not in columns:
            columns.insert(min((decl.position or len(columns) + 1) - 1, len(columns)), decl.name)
    search = tuple(sdef.search) + tuple(d.name for d in custom if d.searchable)
    return dataclasses.replace(
        sdef,
        schema=client_schema(sdef.schema, decls),
        columns=tuple(columns),
        search=search,
        custom_fields=sdef.custom_fields + custom,
    )


def custom_by_model(sessions: Iterable[SessionDef]) -> dict[type, dict[str, Any]]:
    """Model → its custom fields by name (over every session of the model)."""
    out: dict[type, dict[str, Any]] = {}
    for sdef in sessions:
        for decl in sdef.custom_fields:
            out.setdefault(sdef.model, {})[decl.name] = decl  # type: ignore[arg-type]
    return out
