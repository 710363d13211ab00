"""The rules of inboxes (EXT-12): sending an element, taking a group's item, closing an item.

Decisions (docs/inboxes.md):

* **Sending** needs the view right on the element (the sender must see what they send). A
  user recipient must be allowed to see the element too, and a group recipient's rights must
  include viewing its area; otherwise the send is refused with a message saying why.
* **Sending to a group hands the element over**: whoever takes it becomes its owner, so the
  sender must be allowed to change the element's owner (modify and change-owner rights on it).
* **Taking** is a change of owner made on the sender's authority, through the core's owner
  change (``change_owner``) with the sender's rights loaded at take time: if the sender lost the
  right, or the element changed hands, the take is refused and nothing changes. The history
  names the taker, under the action ``inbox_take``.
* **Two takers at once**: the claim locks the item's row (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so the loser does not wait) and the item's version column makes the ``UPDATE``
  conditional on both databases; exactly one wins, the other is told. On SQLite, which locks
  the whole file, the later writer is refused by the database at once and told the same way.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.exc import StaleDataError

from crm_core.toolkit import (
    Access,
    BusinessRuleError,
    Group,
    NotFound,
    PermissionDenied,
    SessionDef,
    User,
    audit,
    change_owner,
    check_element,
    crm_state,
    group_can,
    load_access,
    session_label,
    utcnow,
)
from plugins.inboxes import notices
from plugins.inboxes.models import InboxItem
from plugins.inboxes.settings import vocabulary

MINE = "inbox"
GROUP = "group_inbox"
SEND_ACTION = "send_to_inbox"


def parse_recipient(value: str) -> tuple[str, int]:
    """``"user:<id>"`` or ``"group:<id>"`` → ``(kind, id)``; anything else is refused."""
    kind, _sep, raw = (value or "").partition(":")
    if kind in ("user", "group") and raw.isdigit() and len(raw) < 18:
        return kind, int(raw)
    raise BusinessRuleError(_("Choose a user or a group to send to."), field="recipient")


def recipient_choices(db: DbSession) -> list[tuple[str, str]]:
    """Every active user and every group, as the send form offers them."""
    users = db.scalars(select(User).where(User.active).order_by(User.full_name, User.username))
    groups = db.scalars(select(Group).order_by(Group.name))
    return [(f"user:{u.id}", _("User: %(name)s", name=u.display_name())) for u in users] + [
        (f"group:{g.id}", _("Group: %(name)s", name=g.name)) for g in groups
    ]


def _recipient_user(db: DbSession, sdef: SessionDef, element: Any, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise BusinessRuleError(_("Unknown or inactive user."), field="recipient")
    target = load_access(db, user, crm_state().row_filters)
    if not target.can(MINE, "view"):
        raise BusinessRuleError(_("%(user)s has no inbox: their group may not use inboxes.",
                                  user=user.display_name()), field="recipient")
    try:
        check_element(sdef, target, element, "view")
    except (NotFound, PermissionDenied):
        raise BusinessRuleError(
            _("%(user)s may not see this %(element)s, so it cannot go to their inbox: send it to "
              "someone who may, or to a group.", user=user.display_name(), element=_singular(sdef)),
            field="recipient",
        ) from None
    return user


def _recipient_group(db: DbSession, sdef: SessionDef, access: Access, element: Any, group_id: int) -> Group:
    group = db.get(Group, group_id)
    if group is None:
        raise BusinessRuleError(_("Unknown group."), field="recipient")
    if not group_can(db, group.id, GROUP, "view") or not group_can(db, group.id, sdef, "view"):
        raise BusinessRuleError(
            _("The group %(group)s may not see %(area)s, so it cannot receive this %(element)s.",
              group=group.name, area=session_label(sdef), element=_singular(sdef)),
            field="recipient",
        )
    try:
        check_element(sdef, access, element, "modify")
        access.require(sdef, "change_owner")
    except (NotFound, PermissionDenied):
        raise BusinessRuleError(
            _("Sending to a group hands this %(element)s to whoever takes it, and you may not change "
              "its owner: send it to a user instead.", element=_singular(sdef)),
            field="recipient",
        ) from None
    return group


def _singular(sdef: SessionDef) -> str:
    return str(sdef.singular or sdef.label)


def send(
    db: DbSession,
    sdef: SessionDef,
    access: Access,
    element: Any,
    recipient: str,
    requested_action: str,
    action_text: str = "",
    note: str = "",
) -> InboxItem:
    """Put ``element`` in a user's or a group's inbox; one transaction with the caller's."""
    check_element(sdef, access, element, "view")
    if requested_action not in vocabulary():
        raise BusinessRuleError(_("Choose a requested action from the list."), field="requested_action")
    kind, target_id = parse_recipient(recipient)
    item = InboxItem(
        session_name=sdef.name,
        element_type=element.__element_type__,
        element_id=element.id,
        sender_id=access.user.id,
        requested_action=requested_action,
        action_text=" ".join((action_text or "").split())[:200],
        note=(note or "").strip(),
        received_at=utcnow(),
    )
    if kind == "user":
        item.user_id = _recipient_user(db, sdef, element, target_id).id
    else:
        item.group_id = _recipient_group(db, sdef, access, element, target_id).id
    with audit.audit_context(action=SEND_ACTION, user=access.user):
        db.add(item)
        db.flush()
    notices.item_sent(db, sdef, element, item, access.user)
    crm_state().pm.hook.crm_inbox_item_sent(item=item, sdef=sdef, element=element, access=access,
                                            user=access.user, db=db)
    return item


def _sqlite_write_race(db: DbSession, exc: OperationalError) -> bool:
    """SQLite locks the whole file: of two transactions that read and then write at once, the
    later writer is refused at once ("database is locked"), whatever its busy timeout."""
    return db.get_bind().dialect.name == "sqlite" and "locked" in str(exc.orig)


def _taken_first() -> BusinessRuleError:
    return BusinessRuleError(_("Someone else took this item first: it is in their inbox now."))


def group_item(db: DbSession, access: Access, item_id: int) -> InboxItem:
    """An item of the user's group inbox (taken or not), else the one not-found answer."""
    access.require(GROUP, "view")
    item = db.get(InboxItem, item_id)
    if item is None or item.group_id is None or item.group_id != access.user.group_id:
        raise NotFound(_("There is no such item in your inboxes."))
    return item


def item_sdef(item: InboxItem) -> SessionDef:
    """The item's session, if it is still served; a disabled or hidden area refuses the item."""
    registry = crm_state().registry
    sdef = registry.sessions.get(item.session_name)
    if sdef is None or sdef.model is None or not registry.is_available(sdef.name):
        raise BusinessRuleError(_("The area of this item is no longer available."))
    return sdef


def take(db: DbSession, access: Access, item_id: int) -> InboxItem:
    """Move an open item of the user's group inbox to the user and make them the element's owner."""
    user = access.user
    item = group_item(db, access, item_id)
    if item.state != "open":
        raise BusinessRuleError(_("This item is closed already."))
    if item.user_id is not None:
        raise BusinessRuleError(_("Someone else took this item first: it is in their inbox now.")
                                if item.user_id != user.id else _("You took this item already."))
    sdef = item_sdef(item)
    if not access.can(sdef, "view"):
        raise PermissionDenied(_("Your group may not see %(session)s.", session=session_label(sdef)))
    element = db.get(sdef.model, item.element_id)
    if element is None:
        raise BusinessRuleError(_("The record of this item no longer exists: dismiss the item."))
    claim = (
        select(InboxItem)
        .where(InboxItem.id == item.id, InboxItem.user_id.is_(None), InboxItem.state == "open")
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if db.scalar(claim) is None:
        raise _taken_first()
    # Worded before the flush: after a failed flush the session cannot even look up the locale.
    taken_first = _taken_first()
    same_moment = BusinessRuleError(_("Someone else took or changed this item at the same moment: reload the "
                                      "inbox to see where it is."))
    with audit.audit_context(action="inbox_take", user=user):
        item.user_id, item.taken_at = user.id, utcnow()
        try:
            db.flush()  # UPDATE … WHERE id = :id AND version = :seen: the loser's matches no row
        except StaleDataError:
            raise taken_first from None
        except OperationalError as exc:
            if not _sqlite_write_race(db, exc):
                raise
            raise same_moment from None
        _hand_over(db, sdef, item, element, user)
    crm_state().pm.hook.crm_inbox_item_taken(item=item, sdef=sdef, element=element, access=access, user=user, db=db)
    return item


def _hand_over(db: DbSession, sdef: SessionDef, item: InboxItem, element: Any, taker: User) -> None:
    """The owner change a group send authorised, checked again with the sender's rights now."""
    if getattr(element, "owner_id", None) in (None, taker.id):
        return
    sender = db.get(User, item.sender_id)
    assert sender is not None
    try:
        change_owner(db, sdef, load_access(db, sender, crm_state().row_filters), element, taker.id, actor=taker)
    except (NotFound, PermissionDenied):
        raise BusinessRuleError(
            _("This item cannot be taken: %(sender)s may no longer hand this %(element)s over (its owner "
              "or their rights changed). Ask them to send it again.",
              sender=sender.display_name(), element=_singular(sdef))
        ) from None


CLOSED = {"done": "inbox_done", "dismissed": "inbox_dismiss"}


def close(db: DbSession, access: Access, item_id: int, state: str) -> InboxItem:
    """Mark an open item done (items in the user's own inbox) or dismiss it (those, and untaken
    items of the user's group)."""
    if state not in CLOSED:
        raise ValueError(state)
    access.require(MINE, "view")
    item = db.get(InboxItem, item_id)
    mine = item is not None and item.user_id == access.user.id
    in_group = (item is not None and item.user_id is None and item.group_id is not None
                and item.group_id == access.user.group_id and access.can(GROUP, "view"))
    if item is None or not (mine or (state == "dismissed" and in_group)):
        if in_group:
            raise BusinessRuleError(_("Take this item before marking it done."))
        raise NotFound(_("There is no such item in your inboxes."))
    if item.state != "open":
        raise BusinessRuleError(_("This item is closed already."))
    changed_first = BusinessRuleError(_("Someone else changed this item first. Reload the inbox."))  # see take()
    with audit.audit_context(action=CLOSED[state], user=access.user):
        item.state, item.closed_at, item.closed_by_id = state, utcnow(), access.user.id
        try:
            db.flush()
        except StaleDataError:
            raise changed_first from None
        except OperationalError as exc:
            if not _sqlite_write_race(db, exc):
                raise
            raise changed_first from None
    return item
