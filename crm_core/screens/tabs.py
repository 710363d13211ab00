"""The core's own detail tabs — notes (CORE-12), groupings (CORE-13), history (CORE-15) and a
grouping's members — and the routes their forms post to. Registered through ``crm_detail_tabs``
in ``crm_core.defaults`` like any plugin's tab."""

from __future__ import annotations

import io
from typing import Any

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from crm_core.db import session as db_session
from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.screens.blueprint import bp
from crm_core.screens.common import grid_sdef, refused
from crm_core.screens.detail import usable_actions
from crm_core.screens.forms import form_fields
from crm_core.screens.history import history_entries
from crm_core.screens.timeline import timeline
from crm_core.security import current_access, get_element
from crm_core.security.access import check_element, may_modify
from crm_core.services import groupings, notes
from crm_core.uploads import TOO_LARGE_STATUS, FileTooLarge, human_size, read_upload


def _detail_url(sdef: SessionDef, element: Any, tab: str) -> str:
    return url_for("screens.detail", session_name=sdef.name, element_id=element.id, tab=tab)


def _back_tab() -> str:
    """The tab a note form was posted from: the timeline's composer or the notes tab."""
    return "timeline" if request.form.get("tab") == "timeline" else "notes"


def render_notes(sdef: SessionDef, element: Any) -> str:
    access = current_access()
    rows = notes.notes_of(db_session(), sdef, access, element)
    return render_template(
        "screens/tab_notes.html", sdef=sdef, element=element, notes=rows,
        can_modify=access.can(sdef, "modify"), user_id=access.user.id, is_admin=access.is_admin,
        max_size=human_size(current_app.config["CRM_UPLOAD_MAX_BYTES"]), types=", ".join(sorted(notes.CONTENT_TYPES)),
    )


def render_groupings(sdef: SessionDef, element: Any) -> str:
    access = current_access()
    rows = groupings.groupings_for(db_session(), sdef, access, element)
    gdef = crm_state().registry.sessions.get(groupings.SESSION)
    can_edit = access.can(sdef, "modify") and gdef is not None and access.can(gdef, "modify")
    return render_template("screens/tab_groupings.html", sdef=sdef, element=element, rows=rows, can_edit=can_edit)


def render_history(sdef: SessionDef, element: Any) -> str:
    access = current_access()
    check_element(sdef, access, element, "view")
    entries = history_entries(db_session(), sdef, element, access.field_rules(sdef).hidden)
    return render_template("screens/tab_history.html", entries=entries)


def render_timeline(sdef: SessionDef, element: Any) -> str:
    """The record's timeline (issue 17 item 2): a page of entries and, for those who may modify
    the record, the composer that adds a note in place."""
    access = current_access()
    check_element(sdef, access, element, "view")
    page = timeline(db_session(), sdef, element, access, request.args.get("before"))
    composers = [(a, form_fields(a.schema) if a.schema else []) for a in usable_actions(sdef, element, access)
                 if a.composer]
    return render_template(
        "screens/tab_timeline.html", sdef=sdef, element=element, page=page, composers=composers,
        can_modify=access.can(sdef, "modify") and may_modify(sdef, access, element),
    )


@bp.route("/<session_name>/<int:element_id>/timeline")
def timeline_page(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    """The entries of one timeline page alone, for the "load more" button (the same page with
    ``?tab=timeline&before=…`` works without script)."""
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "view")
    page = timeline(db_session(), sdef, element, access, request.args.get("before"))
    return render_template("screens/timeline_entries.html", sdef=sdef, element=element, page=page)


def render_members(sdef: SessionDef, grouping: Any) -> str:
    try:
        result = groupings.members(db_session(), grouping, current_access())
    except BusinessRuleError as exc:  # a smart list whose criteria no longer fit, or a hidden field's
        return render_template("screens/tab_members.html", result=groupings.Members(smart=True), member_sdef=None,
                               problem=str(exc))
    member_sdef = crm_state().registry.sessions.get(grouping.session_name)
    # the members' grid (``grouping=<id>``), where they are filtered, exported and printed; a
    # leader's shows every member, not only their own
    grid = url_for("screens.grid", session_name=grouping.session_name, grouping=grouping.id,
                   all="1" if current_access().sees_all else None) if member_sdef is not None else None
    return render_template("screens/tab_members.html", result=result, member_sdef=member_sdef, grid=grid)


@bp.route("/<session_name>/<int:element_id>/notes", methods=["POST"])
def note_add(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "modify")
    limit = current_app.config["CRM_UPLOAD_MAX_BYTES"]
    upload = None
    file = request.files.get("file")
    try:
        if file is not None and file.filename:
            upload = (file.filename, read_upload(file.stream, limit))
        with unit_of_work() as db:
            notes.add_note(db, sdef, access, element, request.form.get("text", ""), upload, limit)
    except FileTooLarge as exc:
        return refused(str(exc), TOO_LARGE_STATUS)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("Note added."), "success")
    return redirect(_detail_url(sdef, element, _back_tab()))


@bp.route("/<session_name>/<int:element_id>/notes/<int:note_id>")
def note_download(session_name: str, element_id: int, note_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    db = db_session()
    element = get_element(db, sdef, access, element_id, "view")
    note = notes.get_note(db, sdef, access, element, note_id)
    if note.data is None:
        return redirect(_detail_url(sdef, element, "notes"))
    response = send_file(io.BytesIO(note.data), mimetype=note.content_type or "application/octet-stream",
                         as_attachment=True, download_name=note.filename or "file")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<session_name>/<int:element_id>/notes/<int:note_id>/delete", methods=["POST"])
def note_delete(session_name: str, element_id: int, note_id: int):  # type: ignore[no-untyped-def]
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "modify")
    try:
        with unit_of_work() as db:
            notes.delete_note(db, sdef, access, element, note_id)
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("Note deleted."), "success")
    return redirect(_detail_url(sdef, element, "notes"))


@bp.route("/<session_name>/<int:element_id>/groupings", methods=["POST"])
def grouping_member(session_name: str, element_id: int):  # type: ignore[no-untyped-def]
    """Add the element to, or remove it from, one grouping (``op`` = add / remove)."""
    sdef = grid_sdef(session_name)
    access = current_access()
    element = get_element(db_session(), sdef, access, element_id, "modify")
    op = request.form.get("op")
    if op not in ("add", "remove"):
        flash(_("Unknown operation."), "danger")
        return redirect(_detail_url(sdef, element, "groupings"))
    change = groupings.add_member if op == "add" else groupings.remove_member
    try:
        with unit_of_work() as db:
            grouping = change(db, sdef, access, element, request.form.get("grouping_id", ""))
    except BusinessRuleError as exc:
        flash(str(exc), "danger")
    else:
        message = _("Added to %(g)s.", g=grouping.name) if op == "add" else _("Removed from %(g)s.", g=grouping.name)
        flash(message, "success")
    return redirect(_detail_url(sdef, element, "groupings"))

