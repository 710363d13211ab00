"""What the bell says about inboxes (issue 17 item 11, EXT-12): an item sent to you, or to a
group you belong to, tells you through the toolkit's ``notify`` — one notification per item sent
from a screen or the API (each recipient who may see the record), one per recipient and batch for
a bulk send such as an SLA escalation (the count, so 30,000 escalated cases are one line, not
30,000)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Group, SessionDef, User, crm_state, notify
from plugins.inboxes.settings import action_label


def _recipients(db: DbSession, group_id: int | None, user_id: int | None) -> list[User]:
    if user_id is not None:
        user = db.get(User, user_id)
        return [user] if user is not None else []
    return list(db.scalars(select(User).where(User.group_id == group_id, User.active.is_(True)).order_by(User.id)))


def item_sent(db: DbSession, sdef: SessionDef, element: Any, item: Any, sender: User) -> None:
    """One item sent by ``sender``: its user, or each member of its group, is told."""
    what = str(sdef.singular or sdef.label).lower()
    if item.user_id is not None:
        def text() -> str:
            return _("%(actor)s sent you the %(what)s “%(name)s”: %(action)s", actor=sender.display_name(), what=what,
                     name=element.display_name(), action=action_label(item.requested_action))
    else:
        group = db.get(Group, item.group_id)

        def text() -> str:
            return _("%(actor)s sent the %(what)s “%(name)s” to the inbox of %(group)s: %(action)s",
                     actor=sender.display_name(), what=what, name=element.display_name(),
                     group=group.name if group else "", action=action_label(item.requested_action))
    notify(db, _recipients(db, item.group_id, item.user_id), "inbox", text, sdef=sdef, element=element, actor=sender)


def items_sent(db: DbSession, session_name: str, count: int, group_id: int | None, user_id: int | None,
               requested_action: str, note: str) -> None:
    """A bulk send of ``count`` items: each recipient is told once, with the count and the note."""
    sdef = crm_state().registry.sessions.get(session_name)
    if not count or sdef is None:
        return
    group = db.get(Group, group_id) if group_id is not None else None

    def text() -> str:
        what = str(sdef.label).lower()
        if group is not None:
            line = _("%(n)d %(what)s arrived in the inbox of %(group)s: %(action)s", n=count, what=what,
                     group=group.name, action=action_label(requested_action))
        else:
            line = _("%(n)d %(what)s arrived in your inbox: %(action)s", n=count, what=what,
                     action=action_label(requested_action))
        return f"{line} ({note})" if note else line

    notify(db, _recipients(db, group_id, user_id), "inbox", text)
