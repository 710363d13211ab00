"""``crm demo``: the demo users the plugins declare (``crm_demo_users``), then each plugin's
``crm_demo_data``, in dependency order (a plugin's data is made after the data of the plugins it
requires). The core knows no demo user: a platform without business plugins has none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy
from flask import current_app
from sqlalchemy import select

from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.declarations import DemoUser
from crm_core.errors import PluginError
from crm_core.models.auth import User
from crm_core.plugins import LoadedPlugin
from crm_core.registry import collect
from crm_core.security.passwords import hash_password

DEMO_PASSWORD = "demo1234"


def demo_users(pm: pluggy.PluginManager, groups: Mapping[str, Any]) -> list[DemoUser]:
    """The declared demo users, first declaration of a username first; a group that does not
    exist is a ``PluginError`` naming the plugin and the user."""
    chosen: dict[str, DemoUser] = {}
    for plugin, user in collect(pm, "crm_demo_users"):
        if user.group not in groups:
            raise PluginError(
                f"plugin {plugin!r}: demo user {user.username!r} is in unknown group {user.group!r} "
                f"(groups: {', '.join(sorted(groups))})"
            )
        chosen.setdefault(user.username, user)
    return list(chosen.values())


def load_demo() -> str:
    state = current_app.extensions["crm"]
    with unit_of_work() as db:
        groups = ensure_groups(db, state.registry)
        declared = demo_users(state.pm, groups)
        users: dict[str, User] = {u.username: u for u in db.scalars(select(User))}
        password = hash_password(DEMO_PASSWORD)
        for demo in declared:
            if demo.username not in users:
                users[demo.username] = User(
                    username=demo.username,
                    full_name=demo.full_name,
                    email=f"{demo.username}@example.com",
                    password_hash=password,
                    group_id=groups[demo.group].id,
                    language=demo.language,
                    timezone=demo.timezone,
                )
                db.add(users[demo.username])
        db.flush()
        make_demo_data(db, users)
    if not declared:
        return "no demo users: no enabled plugin declares any"
    return f"users: {', '.join(u.username for u in declared)}; password {DEMO_PASSWORD!r}"


def make_demo_data(db: Any, users: Mapping[str, User]) -> None:
    """Every enabled plugin's ``crm_demo_data``, each after the plugins it requires (what
    ``crm demo`` runs after creating the demo users; tests call it with their own users)."""
    state = current_app.extensions["crm"]
    for name in demo_order(state.plugins):
        demo_caller(state.pm, name)(db=db, users=dict(users))


def demo_order(plugins: Mapping[str, LoadedPlugin]) -> list[str]:
    """Plugins in the order their demo data is made: the enabled plugins in dependency order
    (the order they were registered in), the client override, then the core, whose groupings
    cover the records every plugin made; a plugin naming others in ``PluginMeta.demo_after``
    moves after those of them that are enabled (a cycle keeps the registration order)."""
    names = [n for n, p in plugins.items() if p.origin != "core"]
    names += [n for n, p in plugins.items() if p.origin == "core"]
    ordered: list[str] = []
    pending = list(names)
    while pending:
        ready = next((n for n in pending if not set(plugins[n].meta.demo_after) & (set(pending) - {n})), None)
        if ready is None:
            return ordered + pending
        ordered.append(ready)
        pending.remove(ready)
    return ordered


def demo_caller(pm: pluggy.PluginManager, name: str) -> Callable[..., Any]:
    """``crm_demo_data`` of plugin ``name`` alone, called through pluggy so that wrappers (of any
    plugin) still wrap it; pluggy's own order (last registered first) would make a plugin's
    data before the data it builds on."""
    others = [
        pm.get_plugin(impl.plugin_name)
        for impl in pm.hook.crm_demo_data.get_hookimpls()
        if impl.plugin_name != name and not (impl.wrapper or impl.hookwrapper)
    ]
    return pm.subset_hook_caller("crm_demo_data", remove_plugins=others)
