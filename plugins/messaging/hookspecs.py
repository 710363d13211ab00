"""The question the messaging plugin asks, specified here because messaging is the one asking.

The reminder job asks ``crm_activities_due`` without importing the plugin that owns activities
(MSG-01): with no answer it reminds nobody. Activities answers with ``optionalhook=True`` so it
still runs when messaging is not enabled. Registered through ``PluginMeta(hookspecs=...)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import hookspec


@hookspec
def crm_activities_due(starts_from: datetime, starts_until: datetime, db: DbSession) -> list[Any]:
    """Return open activities starting in ``[starts_from, starts_until)`` (aware UTC datetimes).

    Asked by the reminder job of messaging; each item has ``id``, ``uid``, ``element_type``,
    ``owner_id``, ``subject`` and ``starts_at``. Lets messaging remind without importing
    the plugin that owns activities (MSG-01).
    """
