"""What telephony adds to other screens: the extension field of the user profile and the home
panel of the agent's missed calls with a call-back button (EXT-11)."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from crm_core.toolkit import Panel, UserField, current_access, static_url
from crm_core.toolkit import session as db_session
from plugins.telephony import services


def extension_field() -> UserField:
    return UserField(
        "telephony_extension",
        _l("Telephone extension"),
        services.user_extension,
        services.save_extension,
        max_length=6,
        description=_l("Where your calls ring; click-to-call rings it first."),
    )


def render_missed(user: Any) -> str:
    calls = services.missed_calls(db_session(), user)
    rows = [
        {
            "call": call,
            "href": url_for("screens.detail", session_name=services.SESSION, element_id=call.id),
            "client": url_for("screens.detail", session_name=call.session_name, element_id=call.element_id)
            if call.session_name and call.element_id is not None
            else None,
        }
        for call in calls
    ]
    return Markup(render_template("telephony/missed.html", rows=rows, empty=_("No missed calls.")))


def home_panels(user: Any) -> list[Panel]:
    if not current_access().can(services.SESSION, "view"):
        return []
    return [Panel("telephony-missed", _l("Missed calls"), render_missed, order=5)]


def page_scripts() -> list[str]:
    """``telephony.js`` when the signed-in user has an extension (read once per request)."""
    user = current_access().user
    cached = g.get("telephony_own_extension")
    if cached is None or cached[0] != user.id:
        cached = g.telephony_own_extension = (user.id, services.user_extension(db_session(), user))
    return [static_url("telephony.js", "telephony")] if cached[1] else []
