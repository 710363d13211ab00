"""The registry: every module and session the enabled plugins declared, as the customer sees them.

Built once at start-up from ``crm_register_modules``/``crm_register_sessions``. Customer
configuration (labels, order, hidden sessions, grid columns, status names) is applied here and
validated against what was declared, so a typo in customer.toml stops start-up.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pluggy

from crm_core.checks import check_registry, known_fields, raise_if_any
from crm_core.custom_fields.apply import apply_fields, custom_by_model
from crm_core.custom_fields.declarations import FieldDecl
from crm_core.custom_fields.field_rules import rule_problems
from crm_core.customer import GROUP_SHAPES, CustomerConfig
from crm_core.declarations import Action, Module, SessionDef
from crm_core.errors import ConfigError, PluginError


@dataclass
class Registry:
    modules: dict[str, Module] = field(default_factory=dict)
    sessions: dict[str, SessionDef] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    #: plugin that declared each session (for messages and ``crm plugins list``).
    owners: dict[str, str] = field(default_factory=dict)
    #: visible status name (a text or per-language ``Texts``) → internal code, per session (CORE-14).
    status_maps: dict[str, dict[Any, str]] = field(default_factory=dict)
    module_order: tuple[str, ...] = ()
    #: model → its custom fields by name (read by ``CustomFields.__getattr__``).
    custom_by_model: dict[type, dict[str, FieldDecl]] = field(default_factory=dict)
    #: the sessions before any field declaration, and the customer file: what
    #: :meth:`apply_stored_fields` starts again from.
    base_sessions: dict[str, SessionDef] = field(default_factory=dict)
    customer: CustomerConfig | None = None
    #: the administrator's field declarations in force (Configuration → Fields).
    stored_fields: tuple[FieldDecl, ...] = ()

    def apply_stored_fields(self, stored: list[FieldDecl]) -> list[tuple[FieldDecl, str]]:
        """Apply the customer file's and the administrator's field declarations again, from the
        declared sessions; a stored declaration with a problem (its session was disabled since,
        or the customer file now declares the same field) is left out and returned with it, the
        others apply. The sessions are swapped in one assignment."""
        assert self.customer is not None
        taken = {(d.session_name, d.name) for d in self.customer.fields}
        fresh = [d for d in stored if (d.session_name, d.name) not in taken]
        problems = [(d, "also declared in customer.toml, which wins") for d in stored if d not in fresh]
        sessions = dict(self.base_sessions)
        problems += apply_fields(sessions, [*self.customer.fields, *fresh])
        _apply_grid(sessions, self.customer)
        self.sessions = sessions
        self.stored_fields = tuple(d for d in fresh if all(d is not p for p, _m in problems))
        self.custom_by_model = custom_by_model(sessions.values())
        return problems

    def sdef(self, name: str) -> SessionDef:
        """The declaration of session ``name`` (``KeyError`` naming it when there is none)."""
        try:
            return self.sessions[name]
        except KeyError:
            raise KeyError(f"unknown session {name!r}") from None

    def is_available(self, name: str) -> bool:
        """THE rule for whether session ``name`` can be used at all: declared and not hidden in
        customer.toml. ``Access.can``/``require`` ask it, so every path — screens, listings,
        exports, imports, the API, lookups, search, the menu, plugin pages — refuses a hidden
        session alike, for administrators too; its permission rows stay manageable."""
        return name in self.sessions and name not in self.hidden

    def grid_sessions(self) -> Iterator[SessionDef]:
        return (s for s in self.sessions.values() if s.has_grid)

    def sessions_for_model(self, model: type) -> list[SessionDef]:
        return [s for s in self.grid_sessions() if s.model is model]

    def session_of(self, element: Any) -> SessionDef:
        """The session an element belongs to: same model and matching ``where`` values."""
        for s in self.sessions_for_model(type(element)):
            if all(getattr(element, k) == v for k, v in s.where.items()):
                return s
        raise KeyError(f"no session serves {type(element).__name__} #{element.id}")

    def menu(
        self, stored: Mapping[tuple[str, str], Any] | None = None, with_unavailable: bool = False
    ) -> list[tuple[Module, list[SessionDef]]]:
        """Modules in configured order, each with its available sessions in order.

        ``stored`` holds the administrator's menu settings by ``(kind, name)`` (objects with
        ``label``, ``position``, ``hidden``); they win over the customer file, which wins over
        the declarations. ``with_unavailable`` keeps the sessions hidden in customer.toml (the
        permission matrix, where their rights stay manageable).
        """
        stored = stored or {}
        order = {name: i for i, name in enumerate(self.module_order)}

        def adjusted(kind: str, item: Any, default_order: Any) -> tuple[Any, Any, bool]:
            row = stored.get((kind, item.name))
            if row is None:
                return item, default_order, False
            label_changed = dataclasses.replace(item, label=row.label) if row.label else item
            position = (row.position,) if row.position is not None else default_order
            return label_changed, position, bool(row.hidden)

        modules = []
        for mod in self.modules.values():
            item, key, hidden = adjusted("module", mod, (order.get(mod.name, 1000), mod.order))
            if not hidden:
                modules.append((key, mod.name, item))
        out = []
        for _key, name, mod in sorted(modules, key=lambda t: (t[0], t[1])):
            items = []
            for s in self.sessions.values():
                if s.module != name or not (with_unavailable or self.is_available(s.name)):
                    continue
                item, key, hidden = adjusted("session", s, (s.order,))
                if not hidden:
                    items.append((key, s.name, item))
            if items:
                out.append((mod, [i for _k, _n, i in sorted(items, key=lambda t: (t[0], t[1]))]))
        return out

    def visible_statuses(self, sdef: SessionDef) -> list[tuple[Any, str]]:
        """``(visible name, internal code)`` pairs for filters and pickers; a name may be a
        per-language text (``str()`` shows it in the user's language)."""
        mapping = self.status_maps.get(sdef.name)
        if mapping:
            return list(mapping.items())
        return [(st.label, st.code) for st in sdef.statuses]

    def status_choices(self, sdef: SessionDef) -> list[tuple[str, str]]:
        """:meth:`visible_statuses` with each name as text in the current user's language."""
        return [(str(label), code) for label, code in self.visible_statuses(sdef)]

    def status_label(self, sdef: SessionDef, code: str) -> Any:
        """The first visible name mapped to ``code`` (or the declared label)."""
        for label, internal in self.visible_statuses(sdef):
            if internal == code:
                return label
        status = sdef.status(code)
        return status.label if status else code


def collect(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call a registration hook through pluggy and yield ``(plugin name, item)`` pairs.

    Pluggy makes the call, so wrappers (``wrapper=True`` / ``hookwrapper=True``), ``tryfirst``
    and ``trylast`` work as on every other hook; items arrive in pluggy's call order (tryfirst
    first, trylast last, otherwise the most recently registered plugin first). Each
    implementation is instrumented once so that its items remember the plugin that made them
    (for duplicate and error messages) and its failures name it. An item a wrapper replaced
    (same type and ``name``) stays credited to the plugin that declared it; one a wrapper added
    is credited to the wrapping plugin(s).
    """
    caller = getattr(pm.hook, hook)
    impls = caller.get_hookimpls()
    for impl in impls:
        _instrument(impl, hook)
    origins: dict[Any, str] = {}
    token = _ORIGINS.set(origins)
    try:
        results = caller(**kwargs)
    except PluginError:
        raise
    except Exception as exc:
        wrappers = ", ".join(repr(i.plugin_name) for i in impls if i.wrapper or i.hookwrapper)
        raise PluginError(f"hook wrapper {wrappers or '?'} failed in {hook}: {exc!r}") from exc
    finally:
        _ORIGINS.reset(token)
    wrapped_by = " / ".join(i.plugin_name for i in impls if i.wrapper or i.hookwrapper) or "?"
    for items in results:
        for item in items or ():
            origin = origins.get(id(item)) or origins.get(_name_key(item)) or wrapped_by
            yield origin, item


def _name_key(item: Any) -> tuple[type, Any]:
    return type(item), getattr(item, "name", None)


#: While :func:`collect` runs: ``id(item)`` and ``(type, name)`` → the plugin whose
#: implementation returned the item.
_ORIGINS: ContextVar[dict[Any, str] | None] = ContextVar("crm_hook_origins", default=None)


def _instrument(impl: pluggy.HookImpl, hook: str) -> None:
    """Make a (non-wrapper) implementation record its items' origin and name itself on failure."""
    if impl.wrapper or impl.hookwrapper or getattr(impl.function, "crm_collect_proxy", False):
        return
    original, plugin = impl.function, impl.plugin_name

    @functools.wraps(original)
    def proxy(*args: Any) -> Any:
        try:
            result = original(*args)
            items = None if result is None else list(result)
        except Exception as exc:
            raise PluginError(f"plugin {plugin!r} failed in {hook}: {exc!r}") from exc
        origins = _ORIGINS.get()
        if origins is not None and items:
            for item in items:
                origins[id(item)] = plugin
                origins.setdefault(_name_key(item), plugin)
        return items

    proxy.crm_collect_proxy = True  # type: ignore[attr-defined]
    impl.function = proxy


def build_registry(pm: pluggy.PluginManager, customer: CustomerConfig) -> Registry:
    reg = Registry()
    module_owner: dict[str, str] = {}
    for plugin, mod in collect(pm, "crm_register_modules"):
        if mod.name in reg.modules:
            first, second = sorted((module_owner[mod.name], plugin))
            raise ConfigError(f"module {mod.name!r} is declared by both {first!r} and {second!r}")
        reg.modules[mod.name], module_owner[mod.name] = mod, plugin
    for plugin, sdef in collect(pm, "crm_register_sessions"):
        if sdef.name in reg.sessions:
            first, second = sorted((reg.owners[sdef.name], plugin))
            raise ConfigError(f"session {sdef.name!r} is declared by both {first!r} and {second!r}")
        if sdef.module not in reg.modules:
            raise ConfigError(f"plugin {plugin!r}: session {sdef.name!r} names unknown module {sdef.module!r}")
        reg.sessions[sdef.name], reg.owners[sdef.name] = sdef, plugin
    for name, sdef in list(reg.sessions.items()):
        extra: list[Action] = [a for _p, a in collect(pm, "crm_element_actions", sdef=sdef)]
        if extra:
            reg.sessions[name] = dataclasses.replace(sdef, actions=sdef.actions + tuple(extra))
    apply_customer(reg, customer)
    reg.custom_by_model = custom_by_model(reg.sessions.values())
    raise_if_any(check_registry(reg.sessions, reg.owners))
    return reg


def apply_customer(reg: Registry, customer: CustomerConfig) -> None:
    """Apply and validate the customer's menu, grid and status configuration."""
    for name in customer.module_order:
        if name not in reg.modules:
            raise ConfigError(f"{customer.where('menu.modules')}: unknown module {name!r}")
    reg.module_order = customer.module_order
    for name, label in customer.module_labels.items():
        if name not in reg.modules:
            raise ConfigError(f"{customer.where('menu.labels.' + name)}: unknown module {name!r}")
        reg.modules[name] = dataclasses.replace(reg.modules[name], label=label)
    for name, menu in customer.sessions.items():
        key = f"menu.sessions.{name}"
        if name not in reg.sessions:
            raise ConfigError(f"{customer.where(key)}: unknown session {name!r}")
        changes: dict[str, Any] = {}
        if menu.label:
            changes["label"] = menu.label
        if menu.order is not None:
            changes["order"] = menu.order
        if changes:
            reg.sessions[name] = dataclasses.replace(reg.sessions[name], **changes)
        if menu.hidden:
            reg.hidden.add(name)
    reg.base_sessions, reg.customer = dict(reg.sessions), customer
    problems = apply_fields(reg.sessions, customer.fields)
    if problems:
        raise ConfigError("\n  ".join(
            f"{customer.where(f'fields.{decl.session_name}.{decl.name}')}: {problem}" for decl, problem in problems
        ))
    _apply_grid(reg.sessions, customer)
    _check_field_access(reg.sessions, customer)
    for name, mapping in customer.statuses.items():
        key = f"statuses.{name}"
        sdef = reg.sessions.get(name)
        if sdef is None or not sdef.statuses:
            raise ConfigError(f"{customer.where(key)}: unknown session {name!r} or it has no statuses")
        codes = {st.code for st in sdef.statuses}
        for visible, internal in mapping.items():
            if internal not in codes:
                line = visible if isinstance(visible, str) else internal
                raise ConfigError(
                    f"{customer.where(key + '.' + line)}: unknown internal state {internal!r}; "
                    f"states: {', '.join(sorted(codes))}"
                )
        missing = codes - set(mapping.values())
        if missing:
            raise ConfigError(
                f"{customer.where(key)}: every internal state needs a visible name; "
                f"missing: {', '.join(sorted(missing))}"
            )
        reg.status_maps[name] = dict(mapping)


def _check_field_access(sessions: dict[str, SessionDef], customer: CustomerConfig) -> None:
    """``[field_access]``: each session has records, each group is a default group or one of
    ``[groups]``, each field a field of the session that a group may be kept from (every
    problem named at once)."""
    groups = {*GROUP_SHAPES, *(g.name for g in customer.groups)}
    problems = []
    for name, by_group in customer.field_access.items():
        sdef = sessions.get(name)
        if sdef is None or not sdef.has_grid:
            known = ", ".join(sorted(n for n, s in sessions.items() if s.has_grid))
            problems.append(f"{customer.where('field_access.' + name)}: unknown session {name!r}; sessions: {known}")
            continue
        for group, names in by_group.items():
            key = f"field_access.{name}.{group}"
            if group not in groups:
                problems.append(f"{customer.where(key)}: unknown group {group!r}; groups: {', '.join(sorted(groups))}")
            problems += [f"{customer.where(key)}: {p}" for p in rule_problems(sdef, names)]
    if problems:
        raise ConfigError("\n  ".join(problems))


def _apply_grid(sessions: dict[str, SessionDef], customer: CustomerConfig) -> None:
    """The customer's grid columns (after the field declarations: a column may be a custom field)."""
    for name, columns in customer.grid_columns.items():
        key = f"grid.{name}.columns"
        sdef = sessions.get(name)
        if sdef is None or not sdef.has_grid:
            raise ConfigError(f"{customer.where(key)}: unknown session {name!r}")
        known = known_fields(sdef)
        for col in columns:
            if col not in known:
                raise ConfigError(
                    f"{customer.where(key)}: unknown column {col!r} for session {name!r}; "
                    f"known: {', '.join(sorted(known))}"
                )
        sessions[name] = dataclasses.replace(sdef, columns=columns)


__all__ = ["Registry", "build_registry"]
