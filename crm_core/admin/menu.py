"""Stored menu settings: what the configuration screen shows and saves (CORE-06)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.errors import BusinessRuleError
from crm_core.models.menu import MenuSetting
from crm_core.registry import Registry


@dataclass(frozen=True)
class MenuRow:
    kind: str
    name: str
    default_label: str
    label: str
    position: int | None
    hidden: bool
    module: str


def menu_rows(registry: Registry, stored: Mapping[tuple[str, str], Any]) -> list[MenuRow]:
    """Every module followed by its sessions, as declared (with customer-file labels)."""
    rows = []
    for module in sorted(registry.modules.values(), key=lambda m: (m.order, m.name)):
        saved = stored.get(("module", module.name))
        rows.append(
            MenuRow("module", module.name, str(module.label), saved.label or "" if saved else "",
                    saved.position if saved else None, bool(saved and saved.hidden), module.name)
        )
        for sdef in sorted((s for s in registry.sessions.values() if s.module == module.name),
                           key=lambda s: (s.order, s.name)):
            saved = stored.get(("session", sdef.name))
            rows.append(
                MenuRow("session", sdef.name, str(sdef.label), saved.label or "" if saved else "",
                        saved.position if saved else None, bool(saved and saved.hidden), module.name)
            )
    return rows


def save_menu(db: DbSession, registry: Registry, form: Mapping[str, str]) -> None:
    """Store label/position/hidden for every entry; empty values fall back to the defaults."""
    existing = {(r.kind, r.name): r for r in db.scalars(select(MenuSetting))}
    entries = [("module", n) for n in registry.modules] + [("session", n) for n in registry.sessions]
    for kind, name in entries:
        key = f"{kind}:{name}"
        label = form.get(f"{key}:label", "").strip()
        raw_position = form.get(f"{key}:position", "").strip()
        hidden = form.get(f"{key}:hidden") == "1"
        if len(label) > 120:
            raise BusinessRuleError(_("Labels have at most 120 characters (%(name)s).", name=name))
        try:
            position = int(raw_position) if raw_position else None
        except ValueError:
            raise BusinessRuleError(_("The position of %(name)s must be a whole number.", name=name)) from None
        if position is not None and not 0 <= position <= 9999:
            raise BusinessRuleError(_("The position of %(name)s must be between 0 and 9999.", name=name))
        row = existing.get((kind, name))
        if row is None:
            if not (label or position is not None or hidden):
                continue
            row = MenuSetting(kind=kind, name=name)
            db.add(row)
        row.label, row.position, row.hidden = label or None, position, hidden
