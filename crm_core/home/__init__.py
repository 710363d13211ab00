"""The home page (CORE-07): panels contributed by plugins and the customer's shortcut link."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from markupsafe import Markup

from crm_core.extensions import crm_state

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    state = crm_state()
    panels = [p for part in state.pm.hook.crm_home_panels(user=current_user) for p in part or []]
    panels.sort(key=lambda p: (p.order, p.name))
    rendered = [(p, Markup(p.render(current_user))) for p in panels]
    core = state.settings.get("core", {})
    shortcut = None
    if core.get("home_shortcut_url"):
        shortcut = (core.get("home_shortcut_label") or core["home_shortcut_url"], core["home_shortcut_url"])
    return render_template("home/index.html", panels=rendered, shortcut=shortcut)
