"""The calendar pages (ACT-05): month, week and day views and the iCalendar feed.

Days and hours are the viewer's (``current_user.timezone``); whose calendar is shown is decided
by :func:`plugins.activities.agenda.calendar_owner`, so only administrators and leaders can
look at someone else's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm_core.toolkit import User, current_access, int_arg
from crm_core.toolkit import session as db_session
from plugins.activities import agenda
from plugins.activities.calendar import (
    FIRST_DAY,
    LAST_DAY,
    VIEWS,
    OutOfRange,
    block,
    can_step,
    hour_marks,
    local_today,
    month_weeks,
    parse_day,
    span_bounds,
    step,
    view_span,
    week_days,
)
from plugins.activities.calendar import user_zone as zone_of
from plugins.activities.ics import calendar_bytes
from plugins.activities.panels import detail_url
from plugins.activities.schemas import TYPE_LABELS

bp = Blueprint("activities", __name__, url_prefix="/activities", template_folder="templates", static_folder="static")


def _bad_request(message: str) -> tuple[str, int]:
    return render_template("error.html", message=message, status=400), 400


def _pickable_users(access: Any) -> list[User]:
    if not access.sees_all:
        return []
    return list(db_session().scalars(select(User).where(User.active).order_by(User.full_name, User.username)))


@bp.route("/calendar")
@login_required
def calendar() -> Any:
    access = current_access()
    access.require("calendar", "view")
    db = db_session()
    owner = agenda.calendar_owner(db, access, int_arg("user"))
    zone = zone_of(current_user)
    today = local_today(zone)
    view = request.args.get("view", "month")
    if view not in VIEWS:
        return _bad_request(_("Unknown calendar view."))
    try:
        day = parse_day(request.args.get("date"), today)
    except OutOfRange:
        return _bad_request(
            _("The date is out of range: the calendar shows %(first)s to %(last)s.",
              first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())
        )
    except ValueError:
        return _bad_request(_("The date must look like 2026-03-29."))
    first, last = view_span(view, day)
    user_arg = {} if owner.id == access.user.id else {"user": owner.id}
    nav = {
        "prev": url_for(".calendar", view=view, date=step(view, day, -1).isoformat(), **user_arg)
        if can_step(view, day, -1)
        else None,
        "next": url_for(".calendar", view=view, date=step(view, day, 1).isoformat(), **user_arg)
        if can_step(view, day, 1)
        else None,
        "today": url_for(".calendar", view=view, **user_arg),
        "views": {v: url_for(".calendar", view=v, date=day.isoformat(), **user_arg) for v in VIEWS},
        "ics": url_for(".ics", **user_arg),
    }
    context: dict[str, Any] = {
        "view": view,
        "day": day,
        "today": today,
        "owner": owner,
        "nav": nav,
        "users": _pickable_users(access),
        "user_arg": user_arg,
        "type_labels": TYPE_LABELS,
    }
    if view == "month":
        weeks = month_weeks(day)
        context["weeks"] = weeks
        context["counts"] = agenda.counts_per_day(db, access, owner, [d for w in weeks for d in w], zone)
    else:
        days = week_days(day) if view == "week" else [day]
        start, end = span_bounds(first, last, zone)
        activities = agenda.between(db, access, owner, start, end)
        context["columns"] = [_column(d, activities, zone, user_arg) for d in days]
        context["hours"] = hour_marks(day, zone)
    return render_template("activities/calendar.html", **context)


def _column(day: Any, activities: list[Any], zone: Any, user_arg: dict[str, Any]) -> dict[str, Any]:
    """One day of the week/day view: its activities positioned by local time."""
    start, end = span_bounds(day, day, zone)
    items = []
    for activity in activities:
        finish = activity.starts_at + timedelta(minutes=activity.duration)
        if activity.starts_at < end and (finish > start or activity.starts_at >= start):
            top, height = block(activity.starts_at, activity.duration, day, zone)
            items.append(
                {
                    "activity": activity,
                    "top": top,
                    "height": height,
                    "href": detail_url("activities", activity.id),
                }
            )
    return {"day": day, "items": items, "url": url_for(".calendar", view="day", date=day.isoformat(), **user_arg)}


@bp.route("/calendar.ics")
@login_required
def ics() -> Response:
    access = current_access()
    access.require("calendar", "view")
    db = db_session()
    owner = agenda.calendar_owner(db, access, int_arg("user"))
    body = calendar_bytes(agenda.of_owner(db, access, owner), _("Activities of %(name)s", name=owner.display_name()))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="activities-{owner.username}.ics"'},
    )
