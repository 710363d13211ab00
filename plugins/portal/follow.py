"""The portal follows the records its rows point at: a contact moved to another account takes
its portal login along (the customer then sees the new account's requests, never the old one's),
and a deleted contact loses its login (tokens gone, its public comments kept without an author),
so no foreign key of the portal stops the CRM's own delete. (Cases are never deleted.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session as DbSession

from plugins.portal.models import PortalComment, PortalToken, PortalUser
from plugins.portal.realm import end_sessions


def contact_changed(db: DbSession, contact: Any, changes: dict[str, list[Any]]) -> None:
    if "account_id" not in changes:
        return
    user = db.scalar(select(PortalUser).where(PortalUser.contact_id == contact.id))
    if user is not None:
        user.account_id = contact.account_id
        end_sessions(user)  # signed in again, they see the new account's requests only


def contact_deleted(db: DbSession, contact: Any) -> None:
    user_id = db.scalar(select(PortalUser.id).where(PortalUser.contact_id == contact.id))
    if user_id is None:
        return
    db.execute(delete(PortalToken).where(PortalToken.portal_user_id == user_id))
    db.execute(update(PortalComment).where(PortalComment.portal_user_id == user_id).values(portal_user_id=None))
    db.execute(delete(PortalUser).where(PortalUser.id == user_id))

