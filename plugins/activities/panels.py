"""What the activities plugin adds to other screens: the detail tab and the home agenda.

* The "Activities" tab on every other element (ACT-06: tasks on opportunities and cases are
  activities of type task linked to that element) lists the activities the viewer may see.
* The home panels (CORE-07): overdue, today's, tomorrow's and a picked date's activities of the
  user, with days taken in the user's time zone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from crm_core.toolkit import Kpi, Panel, SessionDef, Tab, crm_state, current_access, utcnow
from crm_core.toolkit import session as db_session
from plugins.activities import agenda
from plugins.activities.calendar import day_bounds, local_today, parse_day, user_zone
from plugins.activities.models import Activity
from plugins.activities.schemas import TYPE_LABELS
from plugins.activities.services import SESSION, linked_activities


def detail_url(session_name: str, element_id: int) -> str:
    """The core's generic detail screen of an element."""
    return url_for("screens.detail", session_name=session_name, element_id=element_id)


def new_activity_url(session_name: str, element_id: int) -> str:
    """The new-activity form prefilled with the element to link to (the form's fields are the
    schema's, so ``session_name`` and ``element_id`` travel as query arguments)."""
    query = urlencode({"session_name": session_name, "element_id": element_id})
    return url_for("screens.new", session_name=SESSION) + "?" + query


def item_link(activity: Activity) -> tuple[str, str]:
    """Where an agenda item leads: the linked element when there is one, else the activity."""
    if activity.session_name and activity.element_id is not None:
        return detail_url(activity.session_name, activity.element_id), activity.session_name
    return detail_url(SESSION, activity.id), SESSION


def _render_items(activities: list[Activity], empty: str) -> Markup:
    registry = crm_state().registry
    names = agenda.linked_names(db_session(), current_access(), activities)
    rows = []
    for activity in activities:
        href, session_name = item_link(activity)
        area = registry.sessions[session_name].label if session_name in registry.sessions else session_name
        rows.append(
            {
                "activity": activity,
                "href": href,
                "activity_href": detail_url(SESSION, activity.id),
                "element": names.get((activity.session_name, activity.element_id), f"{area} #{activity.element_id}"),
                "status": registry.status_label(registry.sessions[SESSION], activity.status),
                "type_label": TYPE_LABELS.get(activity.type, activity.type),
            }
        )
    return Markup(render_template("activities/items.html", rows=rows, empty=empty))


def render_tab(sdef: SessionDef, element: Any) -> str:
    access = current_access()
    if not access.can(SESSION, "view"):
        return render_template("activities/tab.html", allowed=False)
    activities = linked_activities(db_session(), access, element.__element_type__, element.id)
    new_url = new_activity_url(sdef.name, element.id) if access.can(SESSION, "modify") else None
    items = _render_items(activities, _("No activities yet."))
    return render_template("activities/tab.html", allowed=True, items=items, new_url=new_url)


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    if sdef.model is None or sdef.model is Activity:
        return []
    return [Tab("activities", _l("Activities"), render_tab, order=20)]


def _picked_day(today: date) -> date | None:
    try:
        picked = parse_day(request.args.get("date"), today)
    except ValueError:
        return None
    return picked


def render_overdue(user: Any) -> str:
    access = current_access()
    items = agenda.overdue(db_session(), access, utcnow())
    return _render_items(items, _("Nothing overdue."))


def _day_panel(user: Any, offset: int) -> str:
    zone = user_zone(user)
    day = local_today(zone) + timedelta(days=offset)
    return _render_items(agenda.on_day(db_session(), current_access(), day, zone), _("Nothing planned."))


def render_picked(user: Any) -> str:
    zone = user_zone(user)
    today = local_today(zone)
    day = _picked_day(today)
    if day is None:
        return render_template("activities/picked.html", day=None, error=True, items="", value="")
    items = _render_items(agenda.on_day(db_session(), current_access(), day, zone), _("Nothing planned."))
    return render_template("activities/picked.html", day=day, error=False, items=items, value=day.isoformat())


def home_panels(user: Any) -> list[Panel]:
    if not current_access().can(SESSION, "view"):
        return []
    return [
        Panel("activities-overdue", _l("Overdue activities"), render_overdue, order=10),
        Panel("activities-today", _l("Today"), lambda u: _day_panel(u, 0), order=11),
        Panel("activities-tomorrow", _l("Tomorrow"), lambda u: _day_panel(u, 1), order=12),
        Panel("activities-date", _l("Activities on a date"), render_picked, order=13),
    ]


def kpis(user: Any) -> list[Kpi]:
    """The home dashboard's "activities due" (EXT-07): the viewer's planned activities that
    start before the end of their today, overdue ones included."""
    access = current_access()
    if not access.can(SESSION, "view"):
        return []
    zone = user_zone(user)
    _start, end = day_bounds(local_today(zone), zone)
    due = agenda.due_count(db_session(), access, user, end)
    return [Kpi("activities_due", _l("Activities due"), due, link=url_for("activities.calendar"), order=35)]
