"""The events the telephony plugin fires (plugin contract 2.0: plugins own their events).

Called inside the unit of work that wrote the calls, after flush, like the core's events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, hookspec


@hookspec
def crm_calls_recorded(calls: list[Any], user: User, db: DbSession) -> None:
    """Calls ended and were stored (the PBX link, a webhook, a CDR import chunk), once per batch.

    Each call has ``call_id``, ``direction``, ``number``, ``result`` (answered, missed, busy,
    unreachable), ``started_at``, ``ring_seconds``, ``talk_seconds``, ``owner_id`` (the agent)
    and the linked client element (``session_name`` + ``element_id``, or None). A call is
    reported once: a repeat of its id is not an event. The activities plugin logs each as a
    call activity on the client's history and calendar.
    """

