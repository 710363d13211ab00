"""Per-customer configuration: ``customer_overrides/<client>/customer.toml`` (PLUG-04).

The file is data a consultant edits without code. Every key is validated at start-up and a
mistake stops the app with a message naming the file and the key.

```toml
[plugins]
enabled = ["sales", "purchasing", "activities"]

[menu]
modules = ["sales", "activities"]              # module order; unlisted ones follow

[menu.labels]
sales = { en = "Commercial", es = "Comercial" } # a label: a text, or one per language

[menu.sessions.leads]
label = "Prospects"                            # relabel
order = 5                                      # order inside its module
hidden = false

[grid.leads]
columns = ["name", "company", "status"]

[statuses.leads]                               # visible status → fixed internal state
"New" = "active"
"In progress" = "active"

[statuses.opportunities]                       # or: internal state = its name per language
active = { en = "In progress", es = "En gestión" }
won = { en = "Won", es = "Ganada" }

[fields.leads.segment]                          # a custom field (docs/customer-overrides.md)
type = "choice"
choices = { retail = { en = "Retail", es = "Minorista" }, corporate = { en = "Corporate", es = "Empresas" } }
label = { en = "Segment", es = "Segmento" }

[fields.leads.email]                            # a built-in field's settings
required = true
position = 2

[field_access.leads.Executives]                 # per group: fields hidden or read-only
hidden = ["source"]
read_only = ["company"]

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

from crm_core.branding import Branding, parse_branding
from crm_core.custom_fields.declarations import FieldDecl, parse_fields
from crm_core.custom_fields.texts import Texts
from crm_core.errors import ConfigError
from crm_core.i18n import LANGUAGES

KNOWN_TABLES = {"plugins", "menu", "grid", "statuses", "settings", "fields", "groups", "field_access", "branding"}
#: The default groups a client's own group may be shaped like (crm_core/bootstrap.py makes them).
GROUP_SHAPES = ("Administrators", "Leaders", "Executives")


#: A label of the customer file: one text (every language) or :class:`Texts` per language.
Label = str | Texts


@dataclass(frozen=True)
class SessionMenu:
    label: Label | None = None
    order: int | None = None
    hidden: bool = False


@dataclass(frozen=True)
class ClientGroup:
    """``[groups."<name>"]``: a group of the client's own, made by ``crm init`` when missing."""

    name: str
    description: str = ""
    #: the default group whose rights and ``sees_all`` it starts with (none: no rights).
    like: str | None = None


@dataclass(frozen=True)
class CustomerConfig:
    """The parsed, shape-checked customer.toml (checked against the registry later)."""

    name: str
    path: Path | None = None
    plugins: tuple[str, ...] | None = None
    module_order: tuple[str, ...] = ()
    module_labels: dict[str, Label] = field(default_factory=dict)
    sessions: dict[str, SessionMenu] = field(default_factory=dict)
    grid_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: per session: visible name (a text, or :class:`Texts` per language) → internal state.
    statuses: dict[str, dict[Label, str]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: ``[fields.<session>.<field>]``: custom fields and built-in field settings (EXT-16).
    fields: tuple[FieldDecl, ...] = ()
    #: ``[groups]``: the client's own user groups (e.g. a bank's branch managers).
    groups: tuple[ClientGroup, ...] = ()
    #: ``[field_access.<session>."<group>"]``: session → group name → field → ``hidden`` or
    #: ``read_only`` (checked against the sessions and groups at start-up).
    field_access: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    #: ``[branding]``: the client's name, logo and colour (crm_core/branding.py).
    branding: Branding = field(default_factory=Branding)

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


def parse_label(value: Any, path: Path, key: str) -> Label:
    """A label: one non-empty text, or a table giving it in every language of the app,
    ``{ en = "Commercial", es = "Comercial" }`` (shown in the user's language)."""
    if isinstance(value, str) and value.strip():
        return value
    example = ", ".join(f'{lang} = "..."' for lang in LANGUAGES)
    _expect(isinstance(value, dict), path, key, f"must be a text or a table of texts by language, {{ {example} }}")
    unknown = sorted(set(value) - set(LANGUAGES))
    _expect(not unknown, path, key, f"unknown language {', '.join(unknown)}; languages: {', '.join(LANGUAGES)}")
    missing = [lang for lang in LANGUAGES if not (isinstance(value.get(lang), str) and value[lang].strip())]
    _expect(not missing, path, key, f"missing the text in {', '.join(missing)}")
    return Texts(value)


def _statuses(spec: Any, path: Path, key: str) -> dict[Label, str]:
    """``"Visible name" = "state"`` lines, or ``state = { en = "...", es = "..." }`` lines (one
    form per table)."""
    _expect(isinstance(spec, dict) and spec, path, key, "must be a table of statuses")
    if all(isinstance(v, str) for v in spec.values()):
        return {parse_label(visible, path, f"{key}.{visible}"): state for visible, state in spec.items()}
    _expect(
        all(isinstance(v, dict) for v in spec.values()),
        path,
        key,
        'use one form per table: "Visible name" = "state", or state = { en = "...", es = "..." }',
    )
    return {parse_label(texts, path, f"{key}.{state}"): state for state, texts in spec.items()}


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
    raw_labels = menu.get("labels", {})
    _expect(isinstance(raw_labels, dict), path, "menu.labels", "must map module names to labels")
    module_labels = {name: parse_label(v, path, f"menu.labels.{name}") for name, v in raw_labels.items()}
    sessions: dict[str, SessionMenu] = {}
    for sname, spec in menu.get("sessions", {}).items():
        key = f"menu.sessions.{sname}"
        _expect(isinstance(spec, dict), path, key, "must be a table")
        for k in spec:
            _expect(k in {"label", "order", "hidden"}, path, f"{key}.{k}", "unknown key")
        label = parse_label(spec["label"], path, f"{key}.label") if "label" in spec else None
        order = spec.get("order")
        _expect(order is None or isinstance(order, int), path, f"{key}.order", "must be an integer")
        _expect(isinstance(spec.get("hidden", False), bool), path, f"{key}.hidden", "must be true/false")
        sessions[sname] = SessionMenu(label, order, spec.get("hidden", False))
    grid: dict[str, tuple[str, ...]] = {}
    for sname, spec in raw.get("grid", {}).items():
        key = f"grid.{sname}"
        _expect(isinstance(spec, dict) and set(spec) <= {"columns"}, path, key, "only 'columns' is allowed")
        grid[sname] = _str_list(spec.get("columns", []), path, f"{key}.columns")
    statuses = {sname: _statuses(spec, path, f"statuses.{sname}") for sname, spec in raw.get("statuses", {}).items()}
    settings = raw.get("settings", {})
    _expect(
        isinstance(settings, dict) and all(isinstance(v, dict) for v in settings.values()),
        path,
        "settings",
        "must hold one table per plugin, e.g. [settings.erp_gl7]",
    )
    groups = _groups(raw.get("groups", {}), path)
    decls, problems = parse_fields(raw.get("fields", {}))
    if problems:
        raise ConfigError("\n  ".join(f"{path} [{key}]: {message}" for key, message in problems))
    return CustomerConfig(
        name=name,
        path=path,
        plugins=plugins,
        module_order=module_order,
        module_labels=module_labels,
        sessions=sessions,
        grid_columns=grid,
        statuses=statuses,
        settings=settings,
        fields=tuple(decls),
        groups=groups,
        field_access=_field_access(raw.get("field_access", {}), path),
        branding=parse_branding(raw["branding"], path.parent, str(path), parse_label)
        if "branding" in raw
        else Branding(),
    )


def _field_access(raw: Any, path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """``[field_access.<session>."<group>"]`` with ``hidden`` and ``read_only`` lists of fields;
    whether the session, group and fields exist is checked against the registry later."""
    example = 'e.g. [field_access.leads."Executives"] hidden = ["source"]'
    _expect(isinstance(raw, dict), path, "field_access", f"must hold one table per session and group, {example}")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for session_name, groups in raw.items():
        key = f"field_access.{session_name}"
        _expect(isinstance(groups, dict) and groups, path, key, f"must hold one table per group, {example}")
        for group, spec in groups.items():
            gkey = f"{key}.{group}"
            _expect(isinstance(spec, dict), path, gkey, "must be a table with hidden and read_only lists")
            for k in spec:
                _expect(k in {"hidden", "read_only"}, path, f"{gkey}.{k}", "unknown key; expected hidden, read_only")
            modes: dict[str, str] = {}
            for mode in ("hidden", "read_only"):
                for name in _str_list(spec.get(mode, []), path, f"{gkey}.{mode}"):
                    _expect(name not in modes, path, f"{gkey}.{mode}", f"{name!r} is listed twice")
                    modes[name] = mode
            out.setdefault(session_name, {})[group] = modes
    return out


def _groups(raw: Any, path: Path) -> tuple[ClientGroup, ...]:
    _expect(isinstance(raw, dict), path, "groups", 'must hold one table per group, e.g. [groups."Branch managers"]')
    out = []
    for name, spec in raw.items():
        key = f"groups.{name}"
        _expect(isinstance(spec, dict), path, key, "must be a table")
        _expect(0 < len(name.strip()) <= 80 and name == name.strip(), path, key, "a group name has 1 to 80 characters")
        for k in spec:
            _expect(k in {"description", "like"}, path, f"{key}.{k}", "unknown key; expected description, like")
        description, like = spec.get("description", ""), spec.get("like")
        _expect(isinstance(description, str), path, f"{key}.description", "must be a text")
        _expect(like is None or like in GROUP_SHAPES, path, f"{key}.like", f"must be one of {list(GROUP_SHAPES)}")
        out.append(ClientGroup(name, description, like))
    return tuple(out)
