"""Wires the core's blueprints, template helpers and HTML error pages into the app."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user

from crm_core.errors import Conflict, CrmError, NotFound, PermissionDenied


def visible_menu() -> list[tuple[Any, list[Any]]]:
    """Modules and sessions the current user's group may view (CORE-06)."""
    from crm_core.app import crm_state
    from crm_core.security import current_access

    if not current_user.is_authenticated:
        return []
    access = current_access()
    out = []
    for module, sessions in crm_state().registry.menu(stored_menu()):
        allowed = [s for s in sessions if access.can(s, "view")]
        if allowed:
            out.append((module, allowed))
    return out


def stored_menu() -> dict[tuple[str, str], Any]:
    """The administrator's menu settings, read once per request."""
    from flask import g
    from sqlalchemy import select

    from crm_core.db import session
    from crm_core.models.menu import MenuSetting

    if "crm_menu" not in g:
        g.crm_menu = {(r.kind, r.name): r for r in session().scalars(select(MenuSetting))}
    return g.crm_menu


def list_link(error: NotFound) -> tuple[str, str] | None:
    """``(url, label)`` of the list the missing element was asked from, when the user may open
    it: the 404 page leads back there instead of leaving the user stranded."""
    from crm_core.app import crm_state
    from crm_core.security import current_access

    sdef = crm_state().registry.sessions.get(error.session or "")
    if sdef is None or not sdef.has_grid or not current_user.is_authenticated:
        return None
    if not current_access().can(sdef, "view"):
        return None
    return session_url(sdef), str(sdef.label)


def session_url(sdef: Any) -> str:
    from flask import url_for

    if sdef.endpoint:
        return url_for(sdef.endpoint)
    return url_for("screens.grid", session=sdef.name)


def init_app(app: Flask, state: Any) -> None:
    from crm_core import request_input
    from crm_core.admin import bp as admin_bp
    from crm_core.api import bp as api_bp
    from crm_core.home import bp as home_bp
    from crm_core.screens import bp as screens_bp
    from crm_core.security.views import bp as auth_bp

    request_input.init_app(app)
    for bp in (auth_bp, home_bp, admin_bp, screens_bp, api_bp):
        app.register_blueprint(bp)

    from flask_bootstrap import Bootstrap5

    Bootstrap5(app)
    app.jinja_env.globals.update(
        visible_menu=visible_menu,
        session_url=session_url,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        crm=state,
    )

    def page(error: CrmError, status: int):  # type: ignore[no-untyped-def]
        back = list_link(error) if isinstance(error, NotFound) else None
        return render_template("error.html", message=str(error), status=status, back=back), status

    app.register_error_handler(PermissionDenied, lambda e: page(e, 403))
    app.register_error_handler(NotFound, lambda e: page(e, 404))
    app.register_error_handler(Conflict, lambda e: page(e, 409))

    @app.errorhandler(413)
    def _too_large(_e):  # type: ignore[no-untyped-def]
        """An upload far over the limit is cut off before any view: the same words and status as
        a file just over it (NF-02), after reading the body through so the client sees the
        answer. The API answers the same message in its JSON format (crm_core/api/errors.py)."""
        from crm_core.uploads import TOO_LARGE_STATUS, too_large_answer

        message = too_large_answer()
        return render_template("error.html", message=message, status=TOO_LARGE_STATUS), TOO_LARGE_STATUS

    @app.errorhandler(404)
    def _not_found(_e):  # type: ignore[no-untyped-def]
        from flask_babel import gettext as _

        if request.blueprint == "api" or request.path.startswith("/api/"):
            from crm_core.api.errors import json_error

            return json_error(404, "not_found", _("No such resource."))
        return render_template("error.html", message=_("Page not found."), status=404), 404
