"""Saved grid views (issue 17 item 4): save the grid's state under a name, apply one, rename,
make it the default, share it (administrators), delete it after a confirmation.

Every route first needs ``view`` on the session (the one enforcement point), then the view's
own rules (:mod:`crm_core.services.views`). A state is read by the grid's reader when it is saved
and again when it is applied, so a column or filter that has gone since is left out with a
notice. Each write is one transaction; refusals are shown, nothing is half-written.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.auth import Group
from crm_core.request_input import int_arg
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef
from crm_core.screens.grid_state import read_state
from crm_core.security import current_access
from crm_core.services import views as grid_views

#: The grid parameters a saved view keeps (``page`` is not one: a view opens on its first page).
STATE_KEYS = ("cols", "q", "status", "only", "all", "sort", "per_page")


def _manage_url(session_name: str) -> str:
    return url_for("screens.views_manage", session_name=session_name)


@bp.route("/<session_name>/views", methods=["GET", "POST"])
def views_manage(session_name: str):  # type: ignore[no-untyped-def]
    """GET: the user's views and those shared with them. POST: save the grid's state (the
    posted ``cols``, ``q``, ``status``…) under ``name``."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    db = db_session()
    if request.method == "POST":
        posted = MultiDict([(k, v) for k in STATE_KEYS for v in request.form.getlist(k)])
        _query, state = read_state(sdef, access, posted)
        try:
            with unit_of_work() as db:
                view = grid_views.save(db, access.user, sdef.name, request.form.get("name"), state.stored())
        except BusinessRuleError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("screens.grid", session_name=sdef.name, **state.args()))
        for notice in state.notices:
            flash(notice, "warning")
        flash(_("View “%(n)s” saved.", n=view.name), "success")
        return redirect(url_for("screens.grid", session_name=sdef.name, view=view.id, **state.args()))
    groups = list(db.scalars(select(Group).order_by(Group.name))) if access.is_admin else []
    return render_template("screens/views.html", sdef=sdef, views=grid_views.visible(db, access.user, sdef.name),
                           user=access.user, groups=groups)


@bp.route("/<session_name>/views/<int:view_id>")
def view_apply(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    """Open the grid as the view says, its state checked again (a column or status may have
    gone since it was saved)."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    view = grid_views.get_visible(db_session(), access.user, sdef.name, view_id)
    pairs = [(key, value) for key, value in grid_views.stored_pairs(view, STATE_KEYS)
             if key != "per_page" or value.isdigit() and len(value) < 4]
    _query, state = read_state(sdef, access, MultiDict(pairs))
    for notice in state.notices:
        flash(notice, "warning")
    return redirect(url_for("screens.grid", session_name=sdef.name, view=view.id, **state.args()))


def _own_view(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    return sdef, access, grid_views.get_own(db_session(), access.user, sdef.name, view_id)


@bp.route("/<session_name>/views/<int:view_id>/rename", methods=["POST"])
def view_rename(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    sdef, access, view = _own_view(session_name, view_id)
    try:
        with unit_of_work() as db:
            grid_views.rename(db, access.user, view, request.form.get("name"))
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("View renamed to “%(n)s”.", n=view.name), "success")
    return redirect(_manage_url(sdef.name))


@bp.route("/<session_name>/views/<int:view_id>/default", methods=["POST"])
def view_default(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    sdef, access, view = _own_view(session_name, view_id)
    on = request.form.get("on") == "1"
    with unit_of_work() as db:
        grid_views.set_default(db, access.user, view, on)
    flash(_("“%(n)s” opens when you come to %(s)s.", n=view.name, s=sdef.label) if on
          else _("“%(n)s” is no longer your default view.", n=view.name), "success")
    return redirect(_manage_url(sdef.name))


@bp.route("/<session_name>/views/<int:view_id>/share", methods=["POST"])
def view_share(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    sdef, access, view = _own_view(session_name, view_id)
    try:
        with unit_of_work() as db:
            grid_views.share(db, access.user, view, request.form.get("scope"), int_arg("group_id", source=request.form))
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("Sharing of “%(n)s” saved.", n=view.name), "success")
    return redirect(_manage_url(sdef.name))


@bp.route("/<session_name>/views/<int:view_id>/delete", methods=["GET", "POST"])
def view_delete(session_name: str, view_id: int):  # type: ignore[no-untyped-def]
    """Delete a view after a confirmation: one's own, or (an administrator) one shared with
    others — the same rule as the API's ``DELETE`` (``views.get_removable``)."""
    sdef = grid_sdef(session_name)
    access = current_access()
    access.require(sdef, "view")
    view = grid_views.get_removable(db_session(), access.user, sdef.name, view_id)
    if request.method == "GET" or request.form.get("confirm") != "1":
        return render_template("screens/view_delete.html", sdef=sdef, view=view)
    name = view.name
    with unit_of_work() as db:
        grid_views.remove(db, view)
    flash(_("View “%(n)s” deleted.", n=name), "success")
    return redirect(_manage_url(sdef.name))
