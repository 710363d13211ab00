"""``crm demo``: demo users in each default group, then each plugin's ``crm_demo_data``."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from crm_core.bootstrap import ensure_groups
from crm_core.db import unit_of_work
from crm_core.models.auth import User
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
        state.pm.hook.crm_demo_data(db=s, users=users)
    return f"users: {', '.join(u for u, *_ in DEMO_USERS)}; password {DEMO_PASSWORD!r}"
