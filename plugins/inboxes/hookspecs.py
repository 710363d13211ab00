"""The events the inboxes plugin fires, specified here because inboxes owns them (EXT-12).

Registered through ``PluginMeta(hookspecs=...)`` before any plugin (plugin contract 2.0). A
listener (cases assigning the case to the taker, say) requires ``inboxes`` or marks its
implementation ``optionalhook=True``. Both are called inside the unit of work, after the item
was flushed and before commit: write only through ``db``; raising refuses the whole send or
take.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, SessionDef, User, hookspec


@hookspec
def crm_inbox_item_sent(item: Any, sdef: SessionDef, element: Any, access: Access, user: User, db: DbSession) -> None:
    """``element`` of ``sdef`` was sent to an inbox by ``user`` (``access``: the sender's);
    ``item.user_id`` or ``item.group_id`` says whose."""


@hookspec
def crm_inbox_item_taken(item: Any, sdef: SessionDef, element: Any, access: Access, user: User, db: DbSession) -> None:
    """``user`` took ``item`` from its group's inbox (``access``: the taker's); the element's
    owner is already the taker where the element has one."""
