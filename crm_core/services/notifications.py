"""In-app notifications (issue 17 item 11): the bell's count, the list, marking read, and the
one way anything writes them — :func:`notify` (``crm_core.toolkit.notify``).

Rules: nobody is told about their own act; inactive users are told nothing; a notification about
a record goes only to users who may see that record (the same ``check_element`` as every screen:
a mention of someone who may not see the record is not delivered, so a notification never
leaks a name); the text is rendered in each recipient's language when written (the bell and the
list then cost one indexed read, not a render). The core writes *assigned* (a record given to
someone else: created for them, its owner changed, or a batch imported for them) and *mention*
(``@username`` in a note); plugins write their own kinds (the inboxes plugin: an item sent to
you or your group).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session as DbSession

from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import CrmError, NotFound
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.models.notifications import Notification
from crm_core.models.types import utcnow
from crm_core.security.access import check_element, load_access

#: The bell shows "99+" beyond this (the count reads at most this many index entries).
COUNT_CAP = 99
PAGE_SIZE = 30
MAX_TEXT = 500
#: ``@username``: a username as the users screen accepts them, not inside an e-mail address.
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,63})")


def notify(
    db: DbSession,
    users: Iterable[User],
    kind: str,
    text: Callable[[], str],
    *,
    sdef: SessionDef | None = None,
    element: Any = None,
    actor: User | None = None,
) -> int:
    """Tell ``users`` (one row each, in this transaction): ``text()`` is called once per
    recipient under their language (pass a ``lambda`` around ``gettext``), ``sdef``/``element``
    name the record the notification opens. Skips ``actor`` themselves, inactive users, and —
    when an element is given — users who may not see it. Returns how many were written."""
    rows, seen = [], set()
    for user in users:
        if user is None or user.id in seen or not user.active or (actor is not None and user.id == actor.id):
            continue
        seen.add(user.id)
        if element is not None and sdef is not None and not may_see(db, user, sdef, element):
            continue
        with force_locale(user.language or "en"):
            message = str(text())[:MAX_TEXT]
        rows.append({"user_id": user.id, "kind": kind[:40], "text": message, "actor_id": actor.id if actor else None,
                     "session_name": sdef.name if sdef is not None and element is not None else None,
                     "element_id": getattr(element, "id", None) if sdef is not None else None,
                     "created_at": utcnow()})
    if rows:
        db.execute(insert(Notification), rows)
    return len(rows)


@dataclass
class Gathered:
    """The *assigned* notifications a batch (a bulk action's chunk) holds back, to write one per
    recipient at its end: ``(owner id, session, record)`` in the order they were given."""

    actor: User
    given: list[tuple[int, SessionDef, Any]] = field(default_factory=list)

    def mark(self) -> int:
        """Where the batch stands: a record rolled back drops what it gave since (:meth:`drop`)."""
        return len(self.given)

    def drop(self, mark: int) -> None:
        del self.given[mark:]


_gathering: ContextVar[Gathered | None] = ContextVar("crm_notifications_gathering", default=None)


@contextmanager
def gathered(db: DbSession, actor: User) -> Iterator[Gathered]:
    """Within the block, records given to others (:func:`assigned`) are gathered and, when the
    block ends without an error, each new owner is told once: the record's own notification when
    they got one, "gave you N leads" when they got several (only those they may see are counted).
    A bulk reassign of 300 leads is one line in the bell, not 300. Nested blocks join the outer."""
    outer = _gathering.get()
    if outer is not None:
        yield outer
        return
    batch = Gathered(actor)
    token = _gathering.set(batch)
    try:
        yield batch
    finally:
        _gathering.reset(token)
    _tell_gathered(db, batch)


def assigned(db: DbSession, sdef: SessionDef, element: Any, actor: User) -> None:
    """``element`` was given to its owner by ``actor`` (created for them, or its owner changed):
    the owner is told, now or, inside :func:`gathered`, at the batch's end."""
    if element.owner_id is None or element.owner_id == actor.id:
        return
    batch = _gathering.get()
    if batch is not None:
        batch.given.append((element.owner_id, sdef, element))
        return
    owner = db.get(User, element.owner_id)
    if owner is not None:
        _tell_one(db, owner, sdef, element, actor)


def _tell_one(db: DbSession, owner: User, sdef: SessionDef, element: Any, actor: User) -> None:
    notify(db, [owner], "assigned",
           lambda: _("%(actor)s gave you the %(what)s “%(name)s”.", actor=actor.display_name(),
                     what=str(sdef.singular or sdef.label).lower(), name=element.display_name()),
           sdef=sdef, element=element, actor=actor)


def _tell_gathered(db: DbSession, batch: Gathered) -> None:
    by_owner: dict[tuple[int, str], list[tuple[SessionDef, Any]]] = {}
    for owner_id, sdef, element in batch.given:
        if element.owner_id == owner_id:  # still theirs at the batch's end
            by_owner.setdefault((owner_id, sdef.name), []).append((sdef, element))
    if not by_owner:
        return
    owners = {u.id: u for u in db.scalars(select(User).where(User.id.in_(sorted({k[0] for k in by_owner}))))}
    filters = crm_state().row_filters
    for (owner_id, _name), given in by_owner.items():
        owner = owners.get(owner_id)
        if owner is None:
            continue
        sdef = given[0][0]
        unique = list({id(el): el for _s, el in given}.values())
        if len(unique) == 1:
            _tell_one(db, owner, sdef, unique[0], batch.actor)
            continue
        access = load_access(db, owner, filters)
        n = sum(1 for el in unique if _allowed(sdef, access, el))
        if n:
            notify(db, [owner], "assigned",
                   lambda n=n, sdef=sdef: _("%(actor)s gave you %(n)d %(what)s.", actor=batch.actor.display_name(),
                                            n=n, what=str(sdef.label).lower()),
                   actor=batch.actor)


def _allowed(sdef: SessionDef, access: Any, element: Any) -> bool:
    try:
        check_element(sdef, access, element, "view")
    except CrmError:
        return False
    return True


def may_see(db: DbSession, user: User, sdef: SessionDef, element: Any) -> bool:
    """Whether ``user`` may open ``element`` (their group's rights, ownership, row filters)."""
    return _allowed(sdef, load_access(db, user, crm_state().row_filters), element)


def mentioned(db: DbSession, text: str) -> list[User]:
    """The active users ``@named`` in ``text`` (unknown names are plain text)."""
    names = {m.lower() for m in MENTION.findall(text or "")}
    if not names:
        return []
    return list(db.scalars(select(User).where(func.lower(User.username).in_(sorted(names)), User.active.is_(True))))


def unread_count(db: DbSession, user: User) -> int:
    """Unread notifications of ``user``, counted up to :data:`COUNT_CAP` + 1."""
    inner = (select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None))
             .limit(COUNT_CAP + 1))
    return db.scalar(select(func.count()).select_from(inner.subquery())) or 0


def page(db: DbSession, user: User, before: int | None = None) -> tuple[list[Notification], bool]:
    """The newest notifications of ``user`` (keyset: older than id ``before``), and whether
    older ones exist."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if before:
        stmt = stmt.where(Notification.id < before)
    rows = list(db.scalars(stmt.order_by(Notification.id.desc()).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_all_read(db: DbSession, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    result = db.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                        .values(read_at=utcnow()))
    return result.rowcount or 0


def opened(db: DbSession, user: User, notification_id: int) -> Notification:
    """``user``'s notification ``notification_id``, marked read (anyone else's is not found)."""
    note = db.scalar(select(Notification).where(and_(Notification.id == notification_id,
                                                     Notification.user_id == user.id)))
    if note is None:
        raise NotFound(_("No such notification."))
    if note.read_at is None:
        note.read_at = utcnow()
    return note


#: Days a notification is kept once read, and unread (``[settings.core]`` overrides both).
KEEP_READ_DAYS = 90
KEEP_UNREAD_DAYS = 365
#: Rows deleted per transaction by :func:`purge` (short transactions: the bell keeps answering).
PURGE_BATCH = 5_000


def purge(now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete the notifications read more than ``notifications_keep_read_days`` ago (90) and the
    unread ones written more than ``notifications_keep_unread_days`` ago (365), ``batch`` rows
    per transaction; the number deleted. The ``crm worker``'s periodic job ``core.notifications``
    runs it; several workers running it at once delete nothing twice. Needs an app context."""
    now = now or utcnow()
    state = crm_state()
    read_cutoff = now - timedelta(days=state.setting("core", "notifications_keep_read_days", KEEP_READ_DAYS))
    unread_cutoff = now - timedelta(days=state.setting("core", "notifications_keep_unread_days", KEEP_UNREAD_DAYS))
    old = or_(Notification.read_at < read_cutoff,
              and_(Notification.read_at.is_(None), Notification.created_at < unread_cutoff))
    total = 0
    while True:
        with unit_of_work() as db:
            ids = list(db.scalars(select(Notification.id).where(old).order_by(Notification.id).limit(batch)))
            if ids:
                db.execute(delete(Notification).where(Notification.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total
