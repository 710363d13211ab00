"""The events the activities plugin fires, specified here because activities owns them.

Registered through ``PluginMeta(hookspecs=...)`` before any plugin (plugin contract 2.0).
Messaging listens with ``optionalhook=True`` so it still runs when activities is not enabled.
Called inside the unit of work, like core events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, hookspec


@hookspec
def crm_activity_scheduled(activity: Any, user: User, db: DbSession) -> None:
    """An activity was scheduled for ``activity.owner`` (created or generated)."""


@hookspec
def crm_activities_generated(grouping: Any, activities: list[Any], user: User, db: DbSession) -> None:
    """Activities were generated for the members of ``grouping`` in one go."""
