"""Read queries behind the calendar, the home agenda and the iCalendar feed (ACT-05, CORE-07).

Every query starts from ``crm_core.security.access.scoped`` on the activities session, so a
user who may not see all records only ever gets their own activities, whatever they ask for.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, NotFound, User, crm_state, scoped
from plugins.activities.calendar import day_bounds, local_midnight
from plugins.activities.models import Activity
from plugins.activities.services import activities_sdef


def calendar_owner(db: DbSession, access: Access, requested: int | None) -> User:
    """Whose calendar to show: one's own, or (administrators and leaders) any active user's.

    Anybody else asking for another user's calendar gets *not found*, never the data.
    """
    access.require(activities_sdef(), "view")
    if requested is None or requested == access.user.id:
        return access.user
    if not access.sees_all:
        raise NotFound(_("No such calendar."))
    user = db.get(User, requested)
    if user is None or not user.active:
        raise NotFound(_("No such calendar."))
    return user


def _of(access: Access, owner: User):  # type: ignore[no-untyped-def]
    return scoped(activities_sdef(), access, all_records=True).where(Activity.owner_id == owner.id)


def between(db: DbSession, access: Access, owner: User, start: datetime, end: datetime) -> list[Activity]:
    """``owner``'s activities starting in ``[start, end)``, in time order."""
    stmt = _of(access, owner).where(Activity.starts_at >= start, Activity.starts_at < end)
    return list(db.scalars(stmt.order_by(Activity.starts_at, Activity.id)))


def counts_per_day(db: DbSession, access: Access, owner: User, days: list[date], zone: tzinfo) -> dict[date, int]:
    """Number of ``owner``'s activities on each local day, in ONE grouped query.

    Local days have different UTC lengths around a DST change, so the day of each row is found
    by a ``CASE`` over the days' UTC boundaries computed in Python, and grouped in SQL.
    """
    if not days:
        return {}
    edges = [local_midnight(d, zone) for d in days]
    edges.append(day_bounds(days[-1], zone)[1])
    bucket = case(
        *[(Activity.starts_at < edges[i + 1], i) for i in range(len(days))],
        else_=-1,
    ).label("bucket")
    inner = (
        _of(access, owner)
        .where(Activity.starts_at >= edges[0], Activity.starts_at < edges[-1])
        .with_only_columns(bucket)
        .subquery()
    )
    rows = db.execute(select(inner.c.bucket, func.count()).group_by(inner.c.bucket)).all()
    counts = dict.fromkeys(days, 0)
    for index, number in rows:
        if 0 <= index < len(days):
            counts[days[index]] = number
    return counts


def overdue(db: DbSession, access: Access, now: datetime, limit: int = 100) -> list[Activity]:
    """The user's own planned activities that should have happened before ``now``."""
    stmt = scoped(activities_sdef(), access).where(Activity.status == "planned", Activity.starts_at < now)
    return list(db.scalars(stmt.order_by(Activity.starts_at, Activity.id).limit(limit)))


def due_count(db: DbSession, access: Access, owner: User, until: datetime) -> int:
    """How many of ``owner``'s planned activities start before ``until`` (overdue included)."""
    stmt = _of(access, owner).where(Activity.status == "planned", Activity.starts_at < until)
    return db.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def on_day(db: DbSession, access: Access, day: date, zone: tzinfo) -> list[Activity]:
    """The user's own activities of one local day (any status), in time order."""
    start, end = day_bounds(day, zone)
    stmt = scoped(activities_sdef(), access).where(Activity.starts_at >= start, Activity.starts_at < end)
    return list(db.scalars(stmt.order_by(Activity.starts_at, Activity.id)))


def of_owner(db: DbSession, access: Access, owner: User) -> list[Activity]:
    """All of ``owner``'s activities the viewer may see (the iCalendar feed)."""
    return list(db.scalars(_of(access, owner).order_by(Activity.starts_at, Activity.id)))


def due(db: DbSession, starts_from: datetime, starts_until: datetime) -> list[Activity]:
    """Planned activities of every owner starting in ``[starts_from, starts_until)``.

    Only for the reminder job (no user, no screen): each owner is reminded of their own.
    """
    stmt = select(Activity).where(
        Activity.status == "planned", Activity.starts_at >= starts_from, Activity.starts_at < starts_until
    )
    return list(db.scalars(stmt.order_by(Activity.starts_at, Activity.id)))


def linked_names(db: DbSession, access: Access, activities: list[Activity]) -> dict[tuple[str, int], str]:
    """Display names of the linked elements the viewer may see, one query per linked session."""
    wanted: dict[str, set[int]] = {}
    for activity in activities:
        if activity.session_name and activity.element_id is not None:
            wanted.setdefault(activity.session_name, set()).add(activity.element_id)
    names: dict[tuple[str, int], str] = {}
    registry = crm_state().registry
    for name, ids in wanted.items():
        sdef = registry.sessions.get(name)
        if sdef is None or not sdef.has_grid or not access.can(sdef, "view"):
            continue
        for element in db.scalars(scoped(sdef, access, all_records=True).where(sdef.model.id.in_(ids))):
            names[(name, element.id)] = element.display_name()
    return names
