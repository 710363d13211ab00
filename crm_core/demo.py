"""``crm demo``: demo users in each default group, then each plugin's ``crm_demo_data``, in
dependency order (a plugin's data is made after the data of the plugins it requires)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy
from flask import current_app
from sqlalchemy import select

from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.models.auth import User
from crm_core.plugins import LoadedPlugin
from crm_core.security.passwords import hash_password

DEMO_PASSWORD = "demo1234"
DEMO_USERS = (
    ("leader", "Laura Leader", "Leaders", "es"),
    ("ana", "Ana Executive", "Executives", "es"),
    ("bob", "Bob Executive", "Executives", "en"),
)


def load_demo() -> str:
    state = current_app.extensions["crm"]
    with unit_of_work() as s:
        groups = ensure_groups(s, state.registry)
        users: dict[str, User] = {u.username: u for u in s.scalars(select(User))}
        pw = hash_password(DEMO_PASSWORD)
        for username, full_name, group, lang in DEMO_USERS:
            if username not in users:
                users[username] = User(
                    username=username,
                    full_name=full_name,
                    email=f"{username}@example.com",
                    password_hash=pw,
                    group_id=groups[group].id,
                    language=lang,
                    timezone="Europe/Madrid",
                )
                s.add(users[username])
        s.flush()
        make_demo_data(s, users)
    return f"users: {', '.join(u for u, *_ in DEMO_USERS)}; password {DEMO_PASSWORD!r}"


def make_demo_data(db: Any, users: Mapping[str, User]) -> None:
    """Every enabled plugin's ``crm_demo_data``, each after the plugins it requires (what
    ``crm demo`` runs after creating the demo users; tests call it with their own users)."""
    state = current_app.extensions["crm"]
    for name in demo_order(state.plugins):
        demo_caller(state.pm, name)(db=db, users=dict(users))


def demo_order(plugins: Mapping[str, LoadedPlugin]) -> list[str]:
    """Plugins in the order their demo data is made: the enabled plugins in dependency order
    (the order they were registered in), the client override, then the core, whose groupings
    cover the records every plugin made."""
    return [n for n, p in plugins.items() if p.origin != "core"] + [n for n, p in plugins.items() if p.origin == "core"]


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
