"""The global search endpoint (EXT-15): ``GET /search?q=`` answers JSON for the top bar's box
(``static/search.js``): per session the user may view, its label, the first matches with their
detail links, and a link to the session's grid filtered by the same text."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import login_required

from crm_core.db import session as db_session
from crm_core.navigation import visible_menu
from crm_core.security import current_access
from crm_core.services import search as global_search

bp = Blueprint("search", __name__)


@bp.route("/search")
@login_required
def search():  # type: ignore[no-untyped-def]
    text = request.args.get("q", "")
    sessions = [s for _module, sdefs in visible_menu() for s in sdefs]
    found = global_search.search(db_session(), current_access(), sessions, text)
    return jsonify({
        "q": text,
        "groups": [
            {
                "session": hits.sdef.name,
                "label": str(hits.sdef.label),
                "more": url_for("screens.grid", session_name=hits.sdef.name, q=text, all="1") if hits.more else None,
                "results": [
                    {"id": el.id, "label": el.display_name() or f"#{el.id}",
                     "url": url_for("screens.detail", session_name=hits.sdef.name, element_id=el.id)}
                    for el in hits.elements
                ],
            }
            for hits in found
        ],
    })
