"""Scoped element events: an implementation says which sessions or models it handles.

``crm_element_created``, ``crm_elements_created``, ``crm_element_changed`` and
``crm_element_deleted`` fire for every session, and most implementations care about one or two
of them; before scoping, each one ran (and cost) on every write and every imported row. An
implementation declares its scope with :func:`handles` next to ``@hookimpl``, like Indico's
``sender=`` signal receivers, and :func:`caller` gives the core a hook caller holding only the
implementations in scope (``PluginManager.subset_hook_caller``). The hook is still called by
pluggy, so wrappers, ``tryfirst``/``trylast`` and the call order are those of any other hook: the
scope only removes implementations, it never reorders or calls them itself.

An implementation without a scope is still called for every session, with a
``DeprecationWarning`` at start-up (:func:`warn_unscoped`): it will need a scope in contract 3.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import pluggy

from crm_core.declarations import SessionDef

#: The element events that take a scope.
SCOPED_EVENTS = ("crm_element_created", "crm_elements_created", "crm_element_changed", "crm_element_deleted")
_ATTRIBUTE = "crm_event_scope"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Scope:
    """The sessions (by name) or models (and their subclasses) an implementation handles, or every session."""

    sessions: frozenset[str] = frozenset()
    models: tuple[type, ...] = ()
    every_session: bool = False

    def covers(self, sdef: SessionDef) -> bool:
        if self.every_session or sdef.name in self.sessions:
            return True
        return sdef.model is not None and issubclass(sdef.model, self.models)


def handles(
    *, sessions: Iterable[str] = (), models: Iterable[type] = (), every_session: bool = False
) -> Callable[[F], F]:
    """Declare the scope of an element event implementation (use together with ``@hookimpl``).

    ``sessions`` are session names, ``models`` model classes (a session whose model is one of
    them or a subclass is covered: ``models=(Contact,)`` covers sales and purchasing contacts);
    ``every_session=True`` says on purpose that the implementation concerns every session (the
    core's notes follow every deleted element).
    """
    scope = Scope(frozenset(sessions), tuple(models), every_session)
    if every_session == bool(scope.sessions or scope.models):
        raise TypeError("handles() takes sessions and/or models, or every_session=True alone")

    def mark(function: F) -> F:
        setattr(function, _ATTRIBUTE, scope)
        return function

    return mark


def scope_of(impl: pluggy.HookImpl) -> Scope | None:
    """The declared scope of a hook implementation, ``None`` when it declared none."""
    return getattr(impl.function, _ATTRIBUTE, None)


def caller(pm: pluggy.PluginManager, name: str, sdef: SessionDef, without: Iterable[Any] = ()) -> pluggy.HookCaller:
    """The hook ``name`` restricted to the implementations whose scope covers ``session`` (and
    the unscoped ones), minus the plugins in ``without``; call it like ``pm.hook.<name>``."""
    hook: pluggy.HookCaller = getattr(pm.hook, name)
    out = set(without)
    for impl in hook.get_hookimpls():
        scope = scope_of(impl)
        if scope is not None and not scope.covers(sdef):
            out.add(impl.plugin)
    return pm.subset_hook_caller(name, out)


def warn_unscoped(pm: pluggy.PluginManager) -> None:
    """Warn, once per start-up, about each element event implementation without a scope."""
    for name in SCOPED_EVENTS:
        for impl in getattr(pm.hook, name).get_hookimpls():
            if scope_of(impl) is None:
                warnings.warn(
                    f"plugin {impl.plugin_name!r}: {name} has no scope and runs for every session; "
                    "declare the sessions or models it handles with @crm_core.events.handles(...)",
                    DeprecationWarning,
                    stacklevel=2,
                )
