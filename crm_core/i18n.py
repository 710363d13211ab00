"""Internationalisation (CORE-17): gettext catalogs from core and plugins, the user's language
and time zone, localised dates and numbers through flask-babel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask import session as cookie_session
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "es": "Español"}
CORE_TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    if not has_request_context():  # CLI, worker: the configured default
        return current_app.config["CRM_DEFAULT_LANGUAGE"]
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    chosen = cookie_session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["CRM_DEFAULT_LANGUAGE"]


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone or "UTC"
    return None


def init_app(app: Flask, state: Any) -> None:
    dirs: list[str] = []
    for plugin in state.plugins.values():  # convention: <plugin package>/translations
        folder = plugin.directory / "translations" if plugin.directory else None
        if plugin.origin != "core" and folder and folder.is_dir():
            dirs.append(str(folder))
    for part in state.pm.hook.crm_register_translations():
        dirs.extend(str(d) for d in part or [])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, get_locale=get_locale)
