"""Per-customer configuration: ``customer_overrides/<client>/customer.toml`` (PLUG-04).

The file is data a consultant edits without code. Every key is validated at start-up and a
mistake stops the app with a message naming the file and the key.

```toml
[plugins]
enabled = ["sales", "purchasing", "activities"]

[menu]
modules = ["sales", "activities"]              # module order; unlisted ones follow

[menu.sessions.leads]
label = "Prospects"                            # relabel
order = 5                                      # order inside its module
hidden = false

[grid.leads]
columns = ["name", "company", "status"]

[statuses.leads]                               # visible status → fixed internal state
"New" = "active"
"In progress" = "active"

[fields.leads.segment]                          # a custom field (docs/customer-overrides.md)
type = "choice"
choices = { retail = { en = "Retail", es = "Minorista" }, corporate = { en = "Corporate", es = "Empresas" } }
label = { en = "Segment", es = "Segmento" }

[fields.leads.email]                            # a built-in field's settings
required = true
position = 2

[settings.core]
home_shortcut_label = "Open GL7"
home_shortcut_url = "https://gl7.example.com"
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_core.custom_fields.declarations import FieldDecl, parse_fields
from crm_core.errors import ConfigError

KNOWN_TABLES = {"plugins", "menu", "grid", "statuses", "settings", "fields"}


@dataclass(frozen=True)
class SessionMenu:
    label: str | None = None
    order: int | None = None
    hidden: bool = False


@dataclass(frozen=True)
class CustomerConfig:
    """The parsed, shape-checked customer.toml (checked against the registry later)."""

    name: str
    path: Path | None = None
    plugins: tuple[str, ...] | None = None
    module_order: tuple[str, ...] = ()
    module_labels: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, SessionMenu] = field(default_factory=dict)
    grid_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    statuses: dict[str, dict[str, str]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``[fields.<session>.<field>]``: custom fields and built-in field settings (EXT-16).
    fields: tuple[FieldDecl, ...] = ()

    @property
    def directory(self) -> Path | None:
        return self.path.parent if self.path else None

    @property
    def overrides_file(self) -> Path | None:
        d = self.directory
        return d / "overrides.py" if d and (d / "overrides.py").is_file() else None

    @property
    def templates_dir(self) -> Path | None:
        d = self.directory
        return d / "templates" if d and (d / "templates").is_dir() else None

    def where(self, key: str) -> str:
        """``file [key]`` for error messages."""
        return f"{self.path or '<no customer file>'} [{key}]"


def _expect(cond: bool, path: Path, key: str, message: str) -> None:
    if not cond:
        raise ConfigError(f"{path} [{key}]: {message}")


def _str_list(value: Any, path: Path, key: str) -> tuple[str, ...]:
    _expect(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        path,
        key,
        "must be a list of strings",
    )
    return tuple(value)


def load_customer(overrides_dir: Path, name: str) -> CustomerConfig:
    """Read and shape-check ``<overrides_dir>/<name>/customer.toml``."""
    path = overrides_dir / name / "customer.toml"
    if not path.is_file():
        raise ConfigError(f"customer {name!r}: {path} does not exist")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    return parse_customer(raw, name, path)


def parse_customer(raw: dict[str, Any], name: str, path: Path) -> CustomerConfig:
    for key in raw:
        _expect(key in KNOWN_TABLES, path, key, f"unknown table; expected one of {sorted(KNOWN_TABLES)}")
    plugins = None
    if "plugins" in raw:
        _expect(isinstance(raw["plugins"], dict), path, "plugins", "must be a table")
        unknown = set(raw["plugins"]) - {"enabled"}
        _expect(not unknown, path, f"plugins.{next(iter(unknown), '')}", "unknown key")
        if "enabled" in raw["plugins"]:
            plugins = _str_list(raw["plugins"]["enabled"], path, "plugins.enabled")
    menu = raw.get("menu", {})
    _expect(isinstance(menu, dict), path, "menu", "must be a table")
    for key in menu:
        _expect(key in {"modules", "sessions", "labels"}, path, f"menu.{key}", "unknown key")
    module_order = _str_list(menu.get("modules", []), path, "menu.modules")
    module_labels = menu.get("labels", {})
    _expect(
        isinstance(module_labels, dict) and all(isinstance(v, str) for v in module_labels.values()),
        path,
        "menu.labels",
        "must map module names to labels",
    )
    sessions: dict[str, SessionMenu] = {}
    for sname, spec in menu.get("sessions", {}).items():
        key = f"menu.sessions.{sname}"
        _expect(isinstance(spec, dict), path, key, "must be a table")
        for k in spec:
            _expect(k in {"label", "order", "hidden"}, path, f"{key}.{k}", "unknown key")
        _expect(isinstance(spec.get("label", ""), str), path, f"{key}.label", "must be a string")
        order = spec.get("order")
        _expect(order is None or isinstance(order, int), path, f"{key}.order", "must be an integer")
        _expect(isinstance(spec.get("hidden", False), bool), path, f"{key}.hidden", "must be true/false")
        sessions[sname] = SessionMenu(spec.get("label"), order, spec.get("hidden", False))
    grid: dict[str, tuple[str, ...]] = {}
    for sname, spec in raw.get("grid", {}).items():
        key = f"grid.{sname}"
        _expect(isinstance(spec, dict) and set(spec) <= {"columns"}, path, key, "only 'columns' is allowed")
        grid[sname] = _str_list(spec.get("columns", []), path, f"{key}.columns")
    statuses: dict[str, dict[str, str]] = {}
    for sname, spec in raw.get("statuses", {}).items():
        key = f"statuses.{sname}"
        _expect(
            isinstance(spec, dict) and all(isinstance(v, str) for v in spec.values()),
            path,
            key,
            "must map visible status names to internal states",
        )
        statuses[sname] = dict(spec)
    settings = raw.get("settings", {})
    _expect(
        isinstance(settings, dict) and all(isinstance(v, dict) for v in settings.values()),
        path,
        "settings",
        "must hold one table per plugin, e.g. [settings.erp_gl7]",
    )
    decls, problems = parse_fields(raw.get("fields", {}))
    if problems:
        raise ConfigError("\n  ".join(f"{path} [{key}]: {message}" for key, message in problems))
    return CustomerConfig(
        name=name,
        path=path,
        plugins=plugins,
        module_order=module_order,
        module_labels=dict(module_labels),
        sessions=sessions,
        grid_columns=grid,
        statuses=statuses,
        settings=settings,
        fields=tuple(decls),
    )
