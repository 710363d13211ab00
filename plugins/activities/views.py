"""The calendar pages (ACT-05): month, week and day views and the iCalendar feed.

Days and hours are the viewer's (``current_user.timezone``); whose calendar is shown is decided
by :func:`plugins.activities.agenda.calendar_owner`, so only administrators and leaders can
look at someone else's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from crm_core.toolkit import (
    BusinessRuleError,
    PermissionDenied,
    User,
    crm_state,
    current_access,
    flat_errors,
    get_element,
    int_arg,
    translated_errors,
    unit_of_work,
)
from crm_core.toolkit import session as db_session
from plugins.activities import agenda, feed
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
from plugins.activities.services import activities_sdef

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
        "widget": _widget(access, view, day, user_arg),
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


FULLCALENDAR_VIEWS = {"month": "dayGridMonth", "week": "timeGridWeek", "day": "timeGridDay"}


def _widget(access: Any, view: str, day: Any, user_arg: dict[str, Any]) -> dict[str, Any]:
    """The data attributes of the page's interactive calendar (static/calendar.js)."""
    hours = crm_state().settings.get("activities", {})
    start, end = hours.get("working_hours_start", 8), hours.get("working_hours_end", 19)
    return {
        "view": FULLCALENDAR_VIEWS[view],
        "date": day.isoformat(),
        "feed": url_for(".calendar_events", **user_arg),
        "move": url_for(".calendar_move", activity_id=0),
        "new": url_for("screens.new", session_name="activities") if access.can("activities", "modify") else "",
        "day-start": f"{start:02d}:00",
        "day-end": f"{end:02d}:00",
        "move-error": _("The activity could not be moved; it is back where it was."),
        "load-error": _("The calendar could not load the activities."),
    }


@bp.route("/calendar/events")
@login_required
def calendar_events() -> Any:
    """The JSON feed of the calendar: the owner's activities the viewer may see, in a range."""
    access = current_access()
    access.require("calendar", "view")
    db = db_session()
    owner = agenda.calendar_owner(db, access, int_arg("user"))
    try:
        first, last = feed.parse_range(request.args.get("start"), request.args.get("end"))
    except feed.BadRange as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(feed.events(db, access, owner, first, last, zone_of(current_user)))


@bp.route("/calendar/<int:activity_id>/move", methods=["POST"])
@login_required
def calendar_move(activity_id: int) -> Any:
    """Drag to reschedule: the new local start (and length, from a resize) through the form's
    rules; a refusal answers 409 with the reason and changes nothing."""
    access = current_access()
    access.require("calendar", "view")
    activity = get_element(db_session(), activities_sdef(), access, activity_id, "view")
    start = request.form.get("start", "")
    try:
        with unit_of_work() as db:
            feed.reschedule(db, access, activity, start, request.form.get("minutes"))
    except ValidationError as exc:
        return jsonify({"ok": False, "message": " ".join(flat_errors(translated_errors(exc.messages)))}), 409
    except (BusinessRuleError, PermissionDenied) as exc:
        return jsonify({"ok": False, "message": str(exc)}), 409
    return jsonify({"ok": True, "message": _("%(name)s moved.", name=activity.subject)})


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
    hidden = access.field_rules(activities_sdef()).hidden
    body = calendar_bytes(
        agenda.of_owner(db, access, owner), _("Activities of %(name)s", name=owner.display_name()), hidden
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="activities-{owner.username}.ics"'},
    )
