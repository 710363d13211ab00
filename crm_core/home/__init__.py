"""The home page (CORE-07, EXT-07): key figures with charts, panels contributed by plugins and
the customer's shortcut link."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, render_template
from flask_babel import format_decimal
from flask_login import current_user, login_required
from markupsafe import Markup

from crm_core.declarations import Kpi
from crm_core.extensions import crm_state

bp = Blueprint("home", __name__)
SCOPES = ("mine", "team")


def figure_text(kind: str, value: Any) -> str:
    """A key figure as the user's locale writes it: ``1.234,50``, ``42``, ``37,5 %``."""
    if value is None:
        return "—"
    if kind == "amount":
        return format_decimal(Decimal(value), format="#,##0.00")
    if kind == "percent":
        return format_decimal(Decimal(value), format="#,##0.#") + " %"
    return format_decimal(value, format="#,##0")


def goal_share(kpi: Kpi) -> int | None:
    """How much of the goal the figure reaches, in whole percent (``None`` without a goal)."""
    if kpi.goal in (None, 0) or kpi.value is None:
        return None
    return int(Decimal(kpi.value) * 100 / Decimal(kpi.goal))


def key_figures(user: Any) -> dict[str, list[Kpi]]:
    """The plugins' figures for ``user`` (``crm_kpis``) by scope, each in its order."""
    figures = [k for part in crm_state().pm.hook.crm_kpis(user=user) for k in part or []]
    figures.sort(key=lambda k: (k.order, k.name))
    return {scope: [k for k in figures if k.scope == scope] for scope in SCOPES}


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
    return render_template(
        "home/index.html",
        panels=rendered,
        shortcut=shortcut,
        figures=key_figures(current_user),
        figure_text=figure_text,
        goal_share=goal_share,
    )
