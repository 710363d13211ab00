"""The plugin manager: entry points, enable list per customer, dependency order, validation.

One manager per app (``app.extensions['crm'].pm``), never a module global. Plugins are modules
found through the ``crm.plugins`` entry point group; each declares
``meta = PluginMeta(requires=(...), requires_contract=">=2.1,<3")``, checked against the core's
hook contract before it is registered. Customer overrides are registered last.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from crm_core import __version__, events, hookspecs
from crm_core.customer import CustomerConfig
from crm_core.declarations import PluginMeta
from crm_core.errors import PluginError

ENTRY_POINT_GROUP = "crm.plugins"
hookimpl = pluggy.HookimplMarker("crm")

#: Imports a plugin module on demand (an entry point's ``load``).
Loader = Callable[[], ModuleType]

#: Core features registered as plugins first, so every hook has a real user.
CORE_PLUGINS = ("crm_core.defaults", "crm_core.privacy.hooks", "crm_core.notification_hooks")


@dataclass(frozen=True)
class LoadedPlugin:
    name: str
    module: ModuleType
    meta: PluginMeta
    version: str
    origin: str  # "core", "entry point <dist>", "extra", "customer override"

    @property
    def is_override(self) -> bool:
        return self.origin == "customer override"

    @property
    def source(self) -> str:
        """Where the plugin comes from, in the words of ``crm plugins list``: shipped with the
        core (``plugins/``), an installed package, the client folder, or passed in by tests."""
        if self.is_override:
            return "client folder"
        if self.origin.startswith("entry point"):
            if self.module.__name__.startswith("plugins."):
                return "bundled"
            return "installed package " + self.origin.removeprefix("entry point ")
        return self.origin

    @property
    def directory(self) -> Path | None:
        """The plugin's package folder (None for modules built in memory by tests)."""
        file = getattr(self.module, "__file__", None)
        return Path(file).parent if file else None


def discover() -> dict[str, Any]:
    """Entry points of the ``crm.plugins`` group by name (not imported yet)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def meta_of(module: ModuleType) -> PluginMeta:
    meta = getattr(module, "meta", None)
    return meta if isinstance(meta, PluginMeta) else PluginMeta()


def current_contract_range() -> str:
    """The range a plugin written for this core's contract declares (``">=2.1,<3"``)."""
    return f">={hookspecs.HOOKS_VERSION},<{Version(hookspecs.HOOKS_VERSION).major + 1}"


def check_contract(name: str, meta: PluginMeta) -> None:
    """Refuse a plugin written for another hook contract, before any of its hooks can run.

    A plugin without ``requires_contract`` is refused since contract 2.1 (it was accepted with a
    ``DeprecationWarning`` in 2.0: the deprecation policy in docs/plugin-guide.md).
    """
    if not meta.requires_contract:
        raise PluginError(
            f"plugin {name!r} does not declare requires_contract; add "
            f"PluginMeta(requires_contract={current_contract_range()!r}) (required since hook contract 2.1)"
        )
    try:
        wanted = SpecifierSet(meta.requires_contract)
    except InvalidSpecifier:
        raise PluginError(
            f"plugin {name!r}: requires_contract {meta.requires_contract!r} is not a version range "
            f"(e.g. {current_contract_range()!r})"
        ) from None
    if not wanted.contains(hookspecs.HOOKS_VERSION, prereleases=True):
        raise PluginError(
            f"plugin {name!r} requires hook contract {meta.requires_contract}, but this core "
            f"provides contract {hookspecs.HOOKS_VERSION}; install a version of the plugin made "
            f"for contract {hookspecs.HOOKS_VERSION} or disable it"
        )


def from_entry_point(name: str, entry_point: Any, module: ModuleType) -> LoadedPlugin:
    """What is known of an installed plugin before it is registered: its version is the
    plugin's own ``meta.version`` when given, else its distribution's (importlib.metadata)."""
    dist = getattr(entry_point, "dist", None)
    meta = meta_of(module)
    version = meta.version or (dist.version if dist is not None else "") or __version__
    return LoadedPlugin(name, module, meta, version, f"entry point {dist.name if dist else '?'}")


def dependency_order(modules: dict[str, ModuleType], where: str, installed: set[str] | None = None) -> list[str]:
    """Names in an order where every plugin follows what it requires; errors name the plugin
    and say whether the missing one is installed but not enabled, or not installed at all."""
    installed = set(modules) if installed is None else installed
    for name, module in modules.items():
        for dep in meta_of(module).requires:
            if dep in modules:
                continue
            if dep in installed:
                raise PluginError(f"plugin {name!r} requires {dep!r}, which is not enabled ({where})")
            raise PluginError(
                f"plugin {name!r} requires {dep!r}, which is not installed; "
                f"installed plugins: {', '.join(sorted(installed)) or 'none'}"
            )
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise PluginError(f"plugin dependency cycle: {cycle}")
        state[name] = "visiting"
        for dep in meta_of(modules[name]).requires:
            visit(dep, [*path, name])
        state[name] = "done"
        order.append(name)

    for name in sorted(modules):
        visit(name, [])
    return order


def _load_override(customer: CustomerConfig) -> ModuleType | None:
    path = customer.overrides_file
    if path is None:
        return None
    modname = f"crm_customer_overrides_{customer.name}"
    # A package whose path is the client folder: overrides.py may split its code into sibling
    # modules and import them relatively (``from . import core_system``).
    spec = importlib.util.spec_from_file_location(modname, path, submodule_search_locations=[str(path.parent)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    for name in [n for n in sys.modules if n == modname or n.startswith(modname + ".")]:
        del sys.modules[name]  # a second app in one process loads the folder afresh
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(modname, None)
        raise PluginError(f"customer override {path} failed to load: {exc!r}") from exc
    return module


def build_plugin_manager(
    enabled: tuple[str, ...] | None,
    customer: CustomerConfig,
    extra: dict[str, ModuleType] | None = None,
) -> tuple[pluggy.PluginManager, dict[str, LoadedPlugin]]:
    """Load core defaults, the enabled plugins in dependency order, then the customer override.

    ``enabled=None`` enables every discovered plugin. ``extra`` registers plugin modules that
    are not installed as entry points (partner tests, the test kit).
    """
    pm = pluggy.PluginManager("crm")
    pm.add_hookspecs(hookspecs)
    where = customer.where("plugins.enabled") if customer.path else "CRM_PLUGINS"
    found = discover()
    extra = dict(extra or {})
    names = tuple(found) + tuple(n for n in extra if n not in found) if enabled is None else enabled
    modules: dict[str, ModuleType] = {}
    origins: dict[str, str] = {}
    versions: dict[str, str] = {}
    for name in names:
        if name in extra:
            modules[name], origins[name] = extra[name], "extra"
            continue
        if name not in found:
            known = ", ".join(sorted(set(found) | set(extra))) or "none"
            raise PluginError(f"unknown plugin {name!r} in {where}; installed plugins: {known}")
        try:
            modules[name] = found[name].load()
        except Exception as exc:
            raise PluginError(f"plugin {name!r} failed to import: {exc!r}") from exc
        known = from_entry_point(name, found[name], modules[name])
        origins[name], versions[name] = known.origin, known.version
    loaded: dict[str, LoadedPlugin] = {}
    order = dependency_order(modules, where, set(found) | set(extra))
    add_plugin_specs(pm, {name: modules[name] for name in order})
    for core_name in CORE_PLUGINS:
        module = importlib.import_module(core_name)
        _register(pm, core_name, module, "core", loaded)
    for name in order:
        _register(pm, name, modules[name], origins[name], loaded, versions.get(name, ""))
    override = _load_override(customer)
    if override is not None:
        _register(pm, f"customer:{customer.name}", override, "customer override", loaded)
    not_enabled = {n: ep.load for n, ep in found.items() if n not in modules}
    not_enabled.update({n: (lambda m=m: m) for n, m in extra.items() if n not in modules})
    _validate(pm, loaded, not_enabled, where)
    events.warn_unscoped(pm)
    return pm, loaded


def add_plugin_specs(pm: pluggy.PluginManager, modules: dict[str, ModuleType]) -> None:
    """Add the events each plugin specifies (``PluginMeta(hookspecs=...)``) before any plugin is
    registered, so a listener validates whatever its load order; a name specified twice (by two
    plugins, or by a plugin and the core) is refused, naming the plugin."""
    for name, module in modules.items():
        specs = meta_of(module).hookspecs
        if specs is None:
            continue
        try:
            pm.add_hookspecs(specs)
        except ValueError as exc:
            raise PluginError(f"plugin {name!r}: its hookspecs {specs.__name__} cannot be added: {exc}") from exc


def spec_owner(hook: str, not_enabled: dict[str, Loader]) -> str | None:
    """The installed but not enabled plugin whose ``hookspecs`` specify ``hook``, if any (only
    asked when a start-up error is being explained, so the imports cost nothing otherwise)."""
    for name in sorted(not_enabled):
        try:
            specs = meta_of(not_enabled[name]()).hookspecs
        except Exception:  # noqa: BLE001 - a broken plugin that is not enabled owns nothing here
            continue
        if specs is not None and callable(getattr(specs, hook, None)):
            return name
    return None


def _unknown_hooks_error(name: str, unknown: list[str], not_enabled: dict[str, Loader], where: str) -> PluginError:
    for hook in unknown:
        owner = spec_owner(hook, not_enabled)
        if owner is not None:
            return PluginError(
                f"plugin {name!r} implements {hook}, an event specified by plugin {owner!r}, which is "
                f"not enabled ({where}); enable {owner!r}, or mark the implementation "
                "@hookimpl(optionalhook=True) if the plugin must also run without it"
            )
    return PluginError(
        f"plugin {name!r} implements unknown hook(s) {', '.join(unknown)}; check the spelling "
        "against crm_core/hookspecs.py and the hookspecs of the plugins it listens to"
    )


def _register(
    pm: pluggy.PluginManager,
    name: str,
    module: ModuleType,
    origin: str,
    loaded: dict[str, LoadedPlugin],
    version: str = "",
) -> None:
    meta = meta_of(module)
    if origin != "core":
        check_contract(name, meta)
    try:
        pm.register(module, name=name)
    except Exception as exc:
        raise PluginError(f"plugin {name!r} failed to register: {exc}") from exc
    loaded[name] = LoadedPlugin(name, module, meta, version or meta.version or __version__, origin)


def _impl_opts(value: Any) -> dict[str, Any]:
    """The ``@hookimpl`` options of ``value`` (empty when it is no implementation)."""
    return getattr(value, "crm_impl", None) or {}


def _validate(
    pm: pluggy.PluginManager,
    loaded: dict[str, LoadedPlugin],
    not_enabled: dict[str, Loader],
    where: str,
) -> None:
    for name, plugin in pm.list_name_plugin():
        unknown = sorted(
            attr
            for attr in dir(plugin)
            if not _impl_opts(getattr(plugin, attr, None)).get("optionalhook", True)
            and getattr(pm.hook, attr, None) is not None
            and getattr(pm.hook, attr).spec is None
        )
        if unknown:
            raise _unknown_hooks_error(name, unknown, not_enabled, where)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {pm.get_name(exc.plugin)!r}: {exc}") from exc
    for hook_name in dir(pm.hook):
        caller = getattr(pm.hook, hook_name)
        if not hook_name.startswith("crm_") or not caller.spec:
            continue
        if not caller.spec.opts.get("firstresult"):
            continue
        answering = [
            impl.plugin_name
            for impl in caller.get_hookimpls()
            if not impl.wrapper and not impl.hookwrapper and not loaded[impl.plugin_name].is_override
        ]
        if len(answering) > 1:
            raise PluginError(
                f"plugins {' and '.join(sorted(answering))} both answer {hook_name}, where the "
                "first answer wins; disable one or decide in the customer override"
            )


def hooks_implemented(pm: pluggy.PluginManager, name: str) -> list[str]:
    plugin = pm.get_plugin(name)
    return sorted(c.name for c in pm.get_hookcallers(plugin) or [])
