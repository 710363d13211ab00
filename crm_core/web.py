"""Wires the core's blueprints, template helpers and HTML error pages into the app."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_bootstrap import Bootstrap5
from flask_login import current_user

from crm_core import branding, static_files
from crm_core.admin import bp as admin_bp
from crm_core.api import bp as api_bp
from crm_core.api.errors import json_error
from crm_core.errors import Conflict, CrmError, NotFound, PermissionDenied
from crm_core.extensions import crm_state
from crm_core.home import bp as home_bp
from crm_core.navigation import chrome_markup, list_link, menu_markup, session_url, visible_menu
from crm_core.request_input import BadInput, refuse_control_characters
from crm_core.screens import bp as screens_bp
from crm_core.screens.search import bp as search_bp
from crm_core.security.views import bp as auth_bp
from crm_core.uploads import TOO_LARGE_STATUS, too_large_answer


def _bad_input(exc: BadInput) -> Any:
    """Refused request input (:mod:`crm_core.request_input`): the error page, or the API's JSON."""
    if request.path.startswith("/api/"):
        return json_error(400, "invalid_input", str(exc.description), {exc.field: [str(exc.description)]})
    return render_template("error.html", message=exc.description, status=400), 400


def page_scripts() -> list[str]:
    """The plugins' scripts for this page (``crm_page_scripts``): signed-in users only."""
    if not current_user.is_authenticated:
        return []
    return [url for part in crm_state().pm.hook.crm_page_scripts() for url in part or []]


def init_app(app: Flask, state: Any) -> None:
    app.before_request(refuse_control_characters)
    app.register_error_handler(BadInput, _bad_input)
    for bp in (auth_bp, home_bp, admin_bp, screens_bp, search_bp, api_bp):
        app.register_blueprint(bp)
    Bootstrap5(app)
    static_files.init_app(app)
    branding.init_app(app)
    app.jinja_env.globals.update(
        visible_menu=visible_menu,
        menu_markup=menu_markup,
        chrome_markup=chrome_markup,
        session_url=session_url,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        page_scripts=page_scripts,
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
        message = too_large_answer()
        return render_template("error.html", message=message, status=TOO_LARGE_STATUS), TOO_LARGE_STATUS

    @app.errorhandler(404)
    def _not_found(_e):  # type: ignore[no-untyped-def]
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return json_error(404, "not_found", _("No such resource."))
        return render_template("error.html", message=_("Page not found."), status=404), 404
