"""The bell (issue 17 item 11): the list of a user's notifications, newest first, the unread
count the navigation bar's bell reads (``static/bell.js``; the page itself runs no count, so
every page keeps its statement budget), opening one (marked read, then its record's screen,
where the reader's rights apply as on any link) and marking all read."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.request_input import int_arg
from crm_core.services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
@login_required
def _logged_in() -> None:
    """Everyone signed in has a bell; nobody else."""


@bp.get("")
def index():  # type: ignore[no-untyped-def]
    before = int_arg("before", None, low=1)
    items, more = notifications.page(db_session(), current_user, before)
    older = url_for("notifications.index", before=items[-1].id) if more and items else None
    return render_template("notifications.html", items=items, older=older)


@bp.get("/count")
def count():  # type: ignore[no-untyped-def]
    """``{"unread": n, "label": …}`` for the bell (``n`` stops at 100: shown as "99+")."""
    n = notifications.unread_count(db_session(), current_user)
    shown = f"{notifications.COUNT_CAP}+" if n > notifications.COUNT_CAP else str(n)
    label = _("Notifications: %(shown)s unread", shown=shown) if n else _("Notifications")
    response = jsonify({"unread": n, "shown": shown, "label": label})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:notification_id>")
def open_one(notification_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        note = notifications.opened(db, current_user, notification_id)
        target = (url_for("screens.detail", session_name=note.session_name, element_id=note.element_id)
                  if note.session_name and note.element_id else url_for("notifications.index"))
    return redirect(target)


@bp.post("/read")
def read_all():  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        n = notifications.mark_all_read(db, current_user)
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", n), "success")
    return redirect(url_for("notifications.index"))
