"""First-run data: default groups with permissions and the first administrator."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.admin.services import set_permissions
from crm_core.models.auth import ACTIONS, Group, User
from crm_core.registry import Registry
from crm_core.security.passwords import hash_password

CONFIG_MODULE = "configuration"


def ensure_groups(db: DbSession, registry: Registry) -> dict[str, Group]:
    """Administrators, Leaders and Executives, with permissions for every registered session.

    Existing groups keep their permissions; sessions added by a newly enabled plugin are
    granted to Leaders and Executives like the seed's defaults.
    """
    specs = {
        "Administrators": ("Administrators of the CRM", False),
        "Leaders": ("Sales leaders: see every record, change owners", True),
        "Executives": ("Sales executives: work on their own records", False),
    }
    groups: dict[str, Group] = {}
    for name, (description, sees_all) in specs.items():
        group = db.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name, description=description, sees_all=sees_all)
            db.add(group)
            db.flush()
        groups[name] = group
    business = [s.name for s in registry.sessions.values() if s.module != CONFIG_MODULE]
    everything = list(registry.sessions)
    set_permissions(db, groups["Administrators"], everything, {n: set(ACTIONS) for n in everything})
    set_permissions(db, groups["Leaders"], business, {n: set(ACTIONS) for n in business})
    set_permissions(db, groups["Executives"], business, {n: {"view", "modify"} for n in business})
    return groups


def ensure_admin(db: DbSession, groups: dict[str, Group], username: str = "admin") -> str | None:
    """Create the first administrator when there is none; returns its new password."""
    if db.scalar(select(func.count()).select_from(User).where(User.is_admin)):
        return None
    password = secrets.token_urlsafe(12)
    db.add(
        User(
            username=username,
            full_name="Administrator",
            password_hash=hash_password(password),
            is_admin=True,
            group_id=groups["Administrators"].id,
        )
    )
    return password
