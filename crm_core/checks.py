"""Start-up checks: every name a declaration uses is resolved before the app serves anyone.

A typo in a ``SessionDef`` (a column, a search or sort field, a status field, a lookup's target
session, an import key) used to start fine and answer 500 later, or — for a lookup — silently
skip the reference check. :func:`check_registry` finds every such problem at once and
:func:`check_plugin_modules` finds hook functions a plugin forgot to mark; ``create_app`` raises
one :class:`~crm_core.errors.ConfigError` listing them all, and ``crm check`` prints the same
report without serving.
"""

from __future__ import annotations

import inspect
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import inspect as sa_inspect

from crm_core.declarations import SessionDef, schema_fields
from crm_core.errors import ConfigError


def model_columns(sdef: SessionDef) -> set[str]:
    """Names queries may filter and sort by: the model's columns and the custom fields."""
    if sdef.model is None:
        return set()
    return {c.key for c in sa_inspect(sdef.model).column_attrs} | {f.name for f in sdef.custom_fields}


def known_fields(sdef: SessionDef) -> set[str]:
    """Names a grid column may show: model columns and schema fields."""
    return model_columns(sdef) | (set(schema_fields(sdef.schema)) if sdef.schema else set())


def _unknown(names: Iterable[str], known: set[str]) -> list[str]:
    return [n for n in names if n not in known]


def session_problems(sdef: SessionDef, sessions: dict[str, SessionDef]) -> list[str]:
    """What is wrong in one session's declaration (empty when nothing is)."""
    problems: list[str] = []
    names = Counter(a.name for a in sdef.actions)
    problems += [f"action {n!r} is declared {c} times (only one would be reachable)" for n, c in names.items() if c > 1]
    if sdef.model is None:
        return problems
    columns, fields = model_columns(sdef), known_fields(sdef)
    schema = set(schema_fields(sdef.schema)) if sdef.schema else set()

    def report(what: str, bad: list[str], known: set[str]) -> None:
        for name in bad:
            problems.append(f"unknown field {name!r} in {what}; known: {', '.join(sorted(known))}")

    report("columns", _unknown(sdef.columns, fields), fields)
    report("search", _unknown(sdef.search, columns), columns)
    report("default_sort", _unknown([sdef.default_sort.lstrip("-")], columns), columns)
    report("sorts", _unknown(sdef.sorts or (), columns), columns)
    report("where", _unknown(sdef.where, columns), columns)
    report("shared", _unknown(sdef.shared, columns), columns)
    report("import_keys", _unknown(sdef.import_keys, schema), schema)
    loadable = {n for n, f in schema_fields(sdef.schema).items() if not f.dump_only} if sdef.schema else set()
    report("inline_edit", _unknown(sdef.inline_edit, loadable), loadable)
    if sdef.statuses:
        report("status_field", _unknown([sdef.status_field], columns), columns)
    if sdef.workflow is not None:
        problems += workflow_problems(sdef, columns)
    if sdef.board is not None:
        problems += board_problems(sdef, columns)
    targets = dict(sdef.lookups)
    for name, fld in (schema_fields(sdef.schema).items() if sdef.schema else ()):
        if fld.metadata.get("lookup"):
            targets.setdefault(name, fld.metadata["lookup"])
    for name, target in targets.items():
        if name not in fields:
            problems.append(f"lookup field {name!r} is not a field; known: {', '.join(sorted(fields))}")
        target_def = sessions.get(target)
        if target_def is None or not target_def.has_grid:
            grids = ", ".join(sorted(n for n, s in sessions.items() if s.has_grid))
            problems.append(f"lookup {name!r} names unknown session {target!r}; sessions with records: {grids}")
    return problems


def workflow_problems(sdef: SessionDef, columns: set[str]) -> list[str]:
    """A workflow's field must be a column, its states declared statuses (when it governs the
    status field) and its actions declared actions: a typo would otherwise refuse every move."""
    workflow = sdef.workflow
    assert workflow is not None
    problems = []
    if workflow.field not in columns:
        problems.append(f"workflow field {workflow.field!r} is not a column; known: {', '.join(sorted(columns))}")
    states = workflow.states | ({workflow.initial} if workflow.initial else set())
    declared = {st.code for st in sdef.statuses}
    if workflow.field == sdef.status_field and declared:
        problems += [
            f"workflow state {state!r} is not a declared status; statuses: {', '.join(sorted(declared))}"
            for state in sorted(states - declared)
        ]
    actions = {a.name for a in sdef.actions}
    for t in workflow.transitions:
        if t.action is not None and t.action not in actions:
            problems.append(
                f"workflow transition {t.source!r} → {t.target!r} names unknown action {t.action!r}; "
                f"actions: {', '.join(sorted(actions)) or 'none'}"
            )
    return problems


def board_problems(sdef: SessionDef, columns: set[str]) -> list[str]:
    """A board's field, amount and probability must be columns, its field a choice field of the
    schema (the columns come from the choices) and its action a declared action whose schema
    takes the field: otherwise every card would stay where it is."""
    board = sdef.board
    assert board is not None and sdef.schema is not None
    problems = [
        f"board {what} {name!r} is not a column; known: {', '.join(sorted(columns))}"
        for what, name in (("field", board.field), ("amount", board.amount), ("probability", board.probability))
        if name is not None and name not in columns
    ]
    fld = schema_fields(sdef.schema).get(board.field)
    if fld is None or not (fld.metadata.get("choices") or _one_of(fld)):
        problems.append(f"board field {board.field!r} has no choices in the schema (metadata 'choices' or OneOf)")
    action = sdef.action(board.action)
    if action is None:
        known = ", ".join(sorted(a.name for a in sdef.actions)) or "none"
        problems.append(f"board action {board.action!r} is not a declared action; actions: {known}")
    elif action.schema is None or board.field not in schema_fields(action.schema):
        problems.append(f"board action {board.action!r} does not take the field {board.field!r}")
    return problems


def _one_of(fld: Any) -> bool:
    return any(hasattr(v, "choices") for v in getattr(fld, "validators", ()))


def check_registry(sessions: dict[str, SessionDef], owners: dict[str, str]) -> list[str]:
    """Every problem of every session, each prefixed with its plugin and session."""
    return [
        f"plugin {owners.get(name, '?')!r}: session {name!r}: {problem}"
        for name, sdef in sessions.items()
        for problem in session_problems(sdef, sessions)
    ]


def check_plugin_modules(modules: dict[str, Any], hook_names: set[str]) -> list[str]:
    """Functions named like a hook but not marked ``@hookimpl`` (pluggy would ignore them)."""
    problems = []
    for plugin, module in modules.items():
        for attr, value in vars(module).items():
            if attr in hook_names and inspect.isfunction(value) and not hasattr(value, "crm_impl"):
                problems.append(
                    f"plugin {plugin!r}: {attr} is not marked @hookimpl, so it is never called; "
                    "decorate it with crm_core.plugins.hookimpl"
                )
    return problems


_SELF_REFERENCE = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def check_client_templates(templates_dir: Path | None) -> list[str]:
    """A client template that extends (or includes) the very template it replaces would recurse
    forever; the replaced one is reachable as ``parent:<name>``."""
    if templates_dir is None:
        return []
    problems = []
    for path in sorted(templates_dir.rglob("*.html")):
        name = path.relative_to(templates_dir).as_posix()
        if name in _SELF_REFERENCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            problems.append(
                f"{path}: refers to itself ({name!r}); to extend the template it replaces, "
                f"write {{% extends \"parent:{name}\" %}}"
            )
    return problems


def raise_if_any(problems: list[str]) -> None:
    if problems:
        raise ConfigError("\n  ".join([f"{len(problems)} configuration problem(s):", *problems]))
