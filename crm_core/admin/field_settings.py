"""Configuration → Fields (EXT-16): the administrator's field declarations, stored as
:class:`~crm_core.models.menu.FieldSetting` rows with the keys of customer.toml's
``[fields.<session>.<name>]``, checked by the same rules and applied to the registry at once in
this process; other processes see a stamp file change and reload (:func:`reload_if_changed`)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session as DbSession

from crm_core.custom_fields.apply import decl_problems, supports_custom_fields
from crm_core.custom_fields.declarations import TYPES, DeclError, FieldDecl, parse_decl
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.menu import FieldSetting

log = logging.getLogger(__name__)
LANGUAGES = ("en", "es")


def stored_decls(db: DbSession) -> list[FieldDecl]:
    out = []
    for row in db.scalars(select(FieldSetting).order_by(FieldSetting.id)):
        try:
            out.append(parse_decl(row.session_name, row.name, row.spec, source="database"))
        except DeclError as exc:
            log.warning("stored field %s.%s ignored: %s", row.session_name, row.name, exc)
    return out


def apply_stored(app: Flask, db: DbSession) -> None:
    """Apply the stored declarations to ``app``'s registry (a problem leaves that one out, logged:
    a row must never stop the app)."""
    for decl, problem in crm_state(app).registry.apply_stored_fields(stored_decls(db)):
        log.warning("stored field %s.%s not applied: %s", decl.session_name, decl.name, problem)
    app.extensions["crm_fields_loaded"] = _stamp_time(app)


def load_at_start(app: Flask) -> None:
    """At start-up: apply what administrators stored (nothing before the first migration)."""
    try:
        with app.app_context():
            from crm_core.db import unit_of_work

            with unit_of_work() as db:
                apply_stored(app, db)
    except (OperationalError, ProgrammingError):
        app.extensions["crm_fields_loaded"] = _stamp_time(app)


def _stamp(app: Flask) -> Path:
    """The instance folder's stamp of the app's database: the processes serving one database
    share it (and test runs on other databases never touch it)."""
    path = app.extensions.get("crm_fields_stamp")
    if path is None:  # derived once per app: it is stat'ed before every request
        url = str(app.config.get("CRM_DATABASE_URL", ""))
        path = Path(app.instance_path) / f"fields-{hashlib.sha256(url.encode()).hexdigest()[:12]}.stamp"
        app.extensions["crm_fields_stamp"] = path
    return path


def _stamp_time(app: Flask) -> float:
    try:
        return _stamp(app).stat().st_mtime
    except OSError:
        return 0.0


def touch_stamp(app: Flask) -> None:
    path = _stamp(app)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()  # updates the time of an existing stamp too
    except OSError:
        log.warning("cannot write %s: other processes see field changes at their restart", path)


def reload_if_changed() -> None:
    """Before a request: another process changed the declarations (the stamp is newer). A
    ``stat`` of the stamp, no query, unless it changed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if _stamp_time(app) > app.extensions.get("crm_fields_loaded", 0.0):
        from crm_core.db import session

        apply_stored(app, session())


def _texts(form: Mapping[str, str], key: str) -> dict[str, str]:
    return {lang: form.get(f"{key}_{lang}", "").strip() for lang in LANGUAGES if form.get(f"{key}_{lang}", "").strip()}


def spec_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The customer.toml keys of a declaration typed on the screen."""
    kind = form.get("type", "").strip()
    spec: dict[str, Any] = {}
    if kind:
        spec["type"] = kind
    for key in ("label", "help"):
        texts = _texts(form, key)
        if texts:
            spec[key] = texts
    for flag in ("required", "searchable", "listable", "hidden"):
        if form.get(flag) == "1":
            spec[flag] = True
    position = form.get("position", "").strip()
    if position:
        if not position.isdigit():
            raise BusinessRuleError(_("The position must be a whole number from 1."), field="position")
        spec["position"] = int(position)
    vocabulary = form.get("vocabulary", "").strip()
    if vocabulary:
        spec["vocabulary"] = vocabulary
        if form.get("parent", "").strip():
            spec["parent"] = form.get("parent", "").strip()
    elif kind in ("choice", "multi_choice"):
        spec["choices"] = _choices(form.get("choices", ""))
    if kind == "lookup":
        spec["lookup"] = form.get("lookup", "").strip()
    return spec


def _choices(text: str) -> dict[str, dict[str, str]]:
    """``code = English | Español`` per line."""
    out: dict[str, dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, labels = line.partition("=")
        parts = [p.strip() for p in labels.split("|")] if sep else [code.strip()]
        if not code.strip() or not parts[0]:
            raise BusinessRuleError(_("Choice line %(n)s: write code = English label | Spanish label.", n=number),
                                    field="choices")
        out[code.strip()] = dict(zip(LANGUAGES, [p for p in parts if p], strict=False))
    return out


def save_field(db: DbSession, session_name: str, name: str, spec: dict[str, Any]) -> FieldDecl:
    """Check and store one declaration (new, or a change of a stored one); the caller applies it
    once committed (:func:`apply_committed`)."""
    registry = crm_state().registry
    try:
        decl = parse_decl(session_name, name, spec, source="database")
    except DeclError as exc:
        # the declaration rules word their problems once, for customer.toml and this screen alike
        raise BusinessRuleError(_("The declaration is refused: %(key)s: %(problem)s", key=exc.key or name,
                                  problem=str(exc)), field=exc.key or "name") from None
    if any(d.session_name == session_name and d.name == name for d in registry.customer.fields):  # type: ignore[union-attr]
        raise BusinessRuleError(_("%(f)s is declared in customer.toml: change it there.", f=name), field="name")
    problems = decl_problems(decl, registry.base_sessions)
    if problems:
        raise BusinessRuleError(_("The declaration is refused: %(key)s: %(problem)s", key=name,
                                  problem="; ".join(problems)), field="name")
    row = db.scalar(select(FieldSetting).where(FieldSetting.session_name == session_name, FieldSetting.name == name))
    if row is None:
        row = FieldSetting(session_name=session_name, name=name)
        db.add(row)
    row.spec = spec
    db.flush()
    return decl


def delete_field(db: DbSession, row: FieldSetting) -> None:
    """Remove a stored declaration; the records keep their values until ``crm fields drop``."""
    db.delete(row)
    db.flush()


def apply_committed() -> None:
    """After a change is committed: apply the declarations here, and tell the other processes
    (a rolled-back change never reaches the registry)."""
    from crm_core.db import session

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    apply_stored(app, session())
    touch_stamp(app)
    app.extensions["crm_fields_loaded"] = _stamp_time(app)


def field_rows(db: DbSession) -> list[dict[str, Any]]:
    """Every declaration in force, customer file first, for the screen."""
    registry = crm_state().registry
    stored = {(r.session_name, r.name): r for r in db.scalars(select(FieldSetting))}
    rows = []
    for decl in registry.customer.fields:  # type: ignore[union-attr]
        rows.append({"decl": decl, "row": None})
    in_force = {(d.session_name, d.name) for d in registry.stored_fields}
    for key, row in sorted(stored.items()):
        decl = next((d for d in registry.stored_fields if (d.session_name, d.name) == key), None)
        rows.append({"decl": decl, "row": row, "applied": key in in_force})
    return rows


def custom_sessions() -> list[Any]:
    registry = crm_state().registry
    return [s for s in registry.base_sessions.values() if supports_custom_fields(s)]


def grid_sessions() -> list[Any]:
    return [s for s in crm_state().registry.base_sessions.values() if s.has_grid]


__all__ = ["TYPES", "apply_stored", "delete_field", "field_rows", "load_at_start", "reload_if_changed", "save_field"]
