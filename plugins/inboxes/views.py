"""The inbox screens (EXT-12): "My inbox" and "Group inbox", with take, done and dismiss.

Both are sessions without a model (menu entries and per-group permissions through the registry);
the lists are paginated and sortable by received time, type, requested action and sender.
Writes are POST forms with the CSRF token, each one unit of work; a refusal is shown as a
message on the list it came from and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from crm_core.toolkit import BusinessRuleError, current_access, int_arg, unit_of_work
from crm_core.toolkit import session as db_session
from plugins.inboxes import queries, services
from plugins.inboxes.settings import page_size

bp = Blueprint("inboxes", __name__, url_prefix="/inbox", template_folder="templates")

MAX_PAGE = 100_000
#: Stands for a row's id in the URLs built once per page (digits, so every route accepts it).
ID_MARK = 987654321987


def _list(box: str, title: str) -> Any:
    access = current_access()
    sort = queries.sort_key(request.args.get("sort"))
    page = int_arg("page", 1, low=1, high=MAX_PAGE) or 1
    size = page_size()
    rows, total = queries.page_of(db_session(), access, box, sort, page, size)
    capped = total > queries.COUNT_CAP
    pages = max(1, -(-min(total, queries.COUNT_CAP) // size))
    # Each row links to its record and posts to take/done/dismiss: the URLs are built once per
    # page with a marker for the id (url_for costs about as much as the rest of a row).
    urls = {name: url_for(f"inboxes.{name}", item_id=ID_MARK) for name in ("take", "done", "dismiss")}
    detail = {name: url_for("screens.detail", session_name=name, element_id=ID_MARK)
              for name in {r.item.session_name for r in rows if r.visible}}
    return render_template(
        "inboxes/list.html", box=box, title=title, rows=rows, total=total, page=page, pages=pages, sort=sort,
        endpoint=request.endpoint, can_take=box == "group", capped=capped, cap=queries.COUNT_CAP, size=size,
        urls=urls, detail=detail, mark=str(ID_MARK),
    )


@bp.get("/mine")
@login_required
def mine() -> Any:
    return _list("mine", _("My inbox"))


@bp.get("/group")
@login_required
def group() -> Any:
    return _list("group", _("Group inbox"))




@bp.post("/<int:item_id>/take")
@login_required
def take(item_id: int) -> Any:
    try:
        with unit_of_work() as db:
            services.take(db, current_access(), item_id)
    except BusinessRuleError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("inboxes.group"))
    flash(_("The item is yours: it moved to your inbox."), "success")
    return redirect(url_for("inboxes.mine"))


def _close(item_id: int, state: str, done_message: str) -> Any:
    back = url_for("inboxes.group" if request.form.get("box") == "group" else "inboxes.mine")
    try:
        with unit_of_work() as db:
            services.close(db, current_access(), item_id, state)
    except BusinessRuleError as exc:
        flash(str(exc), "warning")
        return redirect(back)
    flash(done_message, "success")
    return redirect(back)


@bp.post("/<int:item_id>/done")
@login_required
def done(item_id: int) -> Any:
    return _close(item_id, "done", _("Marked done."))


@bp.post("/<int:item_id>/dismiss")
@login_required
def dismiss(item_id: int) -> Any:
    return _close(item_id, "dismissed", _("Dismissed."))
