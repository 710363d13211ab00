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


@hookspec(firstresult=True)
def crm_inbox_send_many(db: DbSession, session_name: str, element_type: str, items: list[tuple[int, int]],
                        group_id: int | None, user_id: int | None, requested_action: str, action_text: str,
                        note: str, source: str) -> int:
    """Put many elements of one session in one inbox at once — the bulk send of jobs such as
    SLA escalation, answered by the inboxes plugin itself (first result; a client override may
    wrap it). ``items`` are ``(element id, sender id)`` pairs (the job sends each element on
    its owner's behalf); exactly one of ``group_id`` and ``user_id`` names the inbox.

    One ``INSERT … SELECT`` per call in the caller's transaction, whatever the number of
    elements; returns how many items were stored. The caller has decided who may receive the
    elements (a configured ladder, not a user's pick): no per-element right is checked, and no
    audit row is written per item — the caller records the move in the element's history.
    Refuses (``BusinessRuleError``) a session that is not served, a recipient that does not
    exist or is inactive, and a group whose rights do not include its inbox and the session.
    ``crm_inbox_item_sent`` is not fired per item. ``source`` (up to 60 characters, e.g.
    ``"cases.escalation"``) tags the items as the caller's, for ``crm_inbox_close_many``; ``""``
    for items the caller will never close itself."""


@hookspec(firstresult=True)
def crm_inbox_close_many(db: DbSession, session_name: str, element_type: str, element_ids: list[int], source: str,
                         closed_by_id: int | None, note: str) -> int:
    """Mark done, at once, every open item that ``source`` sent (``crm_inbox_send_many``) about
    the elements ``element_ids`` of one session — taken or not, in whichever inbox — so a job
    that moves elements on (SLA escalation to its next step; a case resolved, closed or
    cancelled) leaves no dead items behind. Answered by the inboxes plugin itself (first result;
    a client override may wrap it). Items users sent, and other sources' items, stay open.

    One ``UPDATE`` per call in the caller's transaction, whatever the number of elements; each
    item records who closed it (``closed_by_id``: the user who acted, or ``None`` for a job), when,
    and ``note`` (up to 200 characters, e.g. "Escalated to step 2", in the site's language);
    its version is bumped, so a user closing or taking it at the same moment is refused. Returns
    how many items were closed. No audit row is written per item: the caller records the move in
    the element's history. An empty ``source`` is refused (``ValueError``)."""
