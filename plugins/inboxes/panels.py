"""The home panel "Inbox" (EXT-12): how many open items wait in the user's inboxes."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Panel, current_access
from crm_core.toolkit import session as db_session
from plugins.inboxes import queries


def render(user: Any) -> str:
    counts = queries.counts(db_session(), current_access())
    return render_template("inboxes/panel.html", counts=counts, cap=queries.COUNT_CAP)


def home_panels() -> list[Panel]:
    access = current_access()
    if not any(access.can(name, "view") for name in queries.BOXES.values()):
        return []
    return [Panel("inbox", _l("Inbox"), render, order=5)]
