"""The rules of call records (EXT-11): extensions, one row per call id, the client behind the
number, the ``crm_calls_recorded`` event, gaps of the PBX link.

Every function runs in the caller's unit of work and commits nothing. The PBX link and the
webhooks call :func:`record_call`; the generic screens, API and CDR import create calls through
the core's element services, whose creation events land in :func:`calls_created`. Both paths
link the call to its client and fire ``crm_calls_recorded`` once per new call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, User, audit, crm_state, utcnow
from plugins.telephony.models import Call, Extension, LinkGap, Pop
from plugins.telephony.schemas import EXTENSION

SESSION = "calls"


# --- extensions ------------------------------------------------------------------------------


def extension_user_ids() -> dict[str, int]:
    """Extension → user id, read once per request or job (a handful of rows)."""
    if "telephony_extensions" not in g:
        from crm_core.toolkit import session

        g.telephony_extensions = dict(session().execute(select(Extension.extension, Extension.user_id)).all())
    return g.telephony_extensions


def forget_extensions() -> None:
    """Read the extensions again at the next :func:`extension_user_ids` (after a change, or in a
    long-lived process)."""
    g.pop("telephony_extensions", None)


def user_extension(db: DbSession, user: User) -> str:
    return db.scalar(select(Extension.extension).where(Extension.user_id == user.id)) or ""


def save_extension(db: DbSession, user: User, value: str) -> None:
    """Give ``user`` the extension ``value`` ("" removes it); one user per extension."""
    current = db.get(Extension, user.id)
    if not value:
        if current is not None:
            db.delete(current)
        forget_extensions()
        return
    if not EXTENSION.match(value):
        raise BusinessRuleError(_("An extension is 2 to 6 digits."))
    holder = db.scalar(select(Extension.user_id).where(Extension.extension == value))
    if holder is not None and holder != user.id:
        raise BusinessRuleError(_("Extension %(ext)s belongs to another user.", ext=value))
    if current is None:
        db.add(Extension(user_id=user.id, extension=value))
    else:
        current.extension = value
    db.flush()
    forget_extensions()


def agent_for(db: DbSession, extension: str) -> User:
    """The user at ``extension``; calls of an extension nobody has go to the first administrator
    (or ``[settings.telephony] unassigned_owner``), so they are never dropped."""
    user_id = extension_user_ids().get(extension) if extension else None
    if user_id is not None:
        return db.get(User, user_id)
    username = crm_state().setting("telephony", "unassigned_owner", "")
    stmt = select(User).where(User.username == username) if username else (
        select(User).where(User.is_admin.is_(True), User.active.is_(True)).order_by(User.id))
    user = db.scalars(stmt.limit(1)).first()
    if user is None:
        raise BusinessRuleError(_("No user receives calls of extension %(ext)s.", ext=extension or "?"))
    return user


# --- calls -----------------------------------------------------------------------------------


def link_client(db: DbSession, call: Call, agent: User) -> None:
    """Link ``call`` to the element behind its number that its agent may see (``crm_find_by_phone``
    across every plugin), or leave it unlinked."""
    if call.session_name or not call.number_e164:
        return
    found = crm_state().pm.hook.crm_find_by_phone(number=call.number_e164, user=agent, db=db)
    if found is None:
        return
    sdefs = crm_state().registry.sessions_for_model(type(found))
    if sdefs:
        call.session_name, call.element_id = sdefs[0].name, found.id


def record_call(db: DbSession, values: Mapping[str, Any], action: str = "pbx") -> Call | None:
    """Store a call reported by the PBX (AMI link or webhook); a call id already stored is not
    stored again (returns None). Links the client and fires ``crm_calls_recorded``."""
    if db.scalar(select(Call.id).where(Call.call_id == values["call_id"])) is not None:
        return None
    agent = agent_for(db, values.get("extension", ""))
    with audit.audit_context(user=agent, action=action):
        call = Call(**values, owner_id=agent.id, creator_id=agent.id)
        db.add(call)
        db.flush()
        link_client(db, call, agent)
        db.flush()
        crm_state().pm.hook.crm_calls_recorded(calls=[call], user=agent, db=db)
    return call


def calls_created(db: DbSession, user: User, calls: Sequence[Call]) -> None:
    """Calls created by the generic services (a form, the API, a CDR import chunk): link each to
    its client as its agent sees it, fire ``crm_calls_recorded`` once, mark gaps recovered."""
    agents: dict[int, User] = {}
    for call in calls:
        agent = agents.setdefault(call.owner_id, db.get(User, call.owner_id))
        link_client(db, call, agent)
    db.flush()
    crm_state().pm.hook.crm_calls_recorded(calls=list(calls), user=user, db=db)
    starts = [c.started_at for c in calls]
    if starts:
        recover_gaps(db, min(starts), max(starts))


def ringing(db: DbSession, call_id: str, number: str, extension: str) -> Pop | None:
    """A call rings at ``extension``: queue the screen pop for the user there (none for an
    extension nobody has: there is no browser to pop up in)."""
    user_id = extension_user_ids().get(extension)
    if user_id is None:
        return None
    pop = Pop(user_id=user_id, call_id=call_id[:64], number=number[:40])
    db.add(pop)
    db.flush()
    return pop


# --- the PBX link's gaps ---------------------------------------------------------------------


def open_gap(db: DbSession, since: datetime, reason: str) -> LinkGap:
    gap = LinkGap(started_at=since, reason=reason[:200])
    db.add(gap)
    db.flush()
    return gap


def close_gap(db: DbSession, gap_id: int, until: datetime) -> None:
    gap = db.get(LinkGap, gap_id)
    if gap is not None and gap.ended_at is None:
        gap.ended_at = until


def recover_gaps(db: DbSession, first: datetime, last: datetime) -> int:
    """Gaps lying inside ``[first, last]`` (the span of an imported CDR file) are recovered:
    the calls made while the link was down are now stored."""
    gaps = db.scalars(
        select(LinkGap).where(
            LinkGap.recovered_at.is_(None), LinkGap.ended_at.is_not(None),
            LinkGap.started_at >= first, LinkGap.ended_at <= last,
        )
    ).all()
    for gap in gaps:
        gap.recovered_at = utcnow()
    return len(gaps)


def open_gaps(db: DbSession) -> list[LinkGap]:
    """Gaps no CDR import has covered yet, newest first (shown on the calls page)."""
    return list(db.scalars(select(LinkGap).where(LinkGap.recovered_at.is_(None)).order_by(LinkGap.started_at.desc())))


def missed_calls(db: DbSession, user: User, limit: int = 10) -> list[Call]:
    """The agent's missed inbound calls not called back since, newest first (home panel)."""
    stmt = (
        select(Call)
        .where(Call.owner_id == user.id, Call.direction == "inbound", Call.result != "answered")
        .order_by(Call.started_at.desc())
        .limit(limit * 3)
    )
    calls = list(db.scalars(stmt))
    later = _last_outbound(db, user, {c.number_e164 for c in calls if c.number_e164})
    return [c for c in calls if not (c.number_e164 and later.get(c.number_e164, c.started_at) > c.started_at)][:limit]


def _last_outbound(db: DbSession, user: User, numbers: set[str]) -> dict[str, datetime]:
    if not numbers:
        return {}
    rows = db.execute(
        select(Call.number_e164, func.max(Call.started_at))
        .where(Call.owner_id == user.id, Call.direction == "outbound", Call.number_e164.in_(numbers))
        .group_by(Call.number_e164)
    ).all()
    return dict(rows)
