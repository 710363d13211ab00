"""Internationalisation (CORE-17): gettext catalogs from core and plugins, the user's language
and time zone, localised dates and numbers through flask-babel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask import session as cookie_session
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


class RequestDomain(Domain):
    """flask-babel's message domain, with the catalog looked up once per request and language.

    flask-babel finds the catalog anew for every message: three lookups of its context through
    Flask's ``g`` proxy and the locale turned into a string, for each of the ~100 messages and
    labels of a page (issue 13 target 6). This keeps the catalog beside the locale flask-babel
    chose for the request and hands it back while that very locale object is current, so
    ``force_locale`` (mails in the recipient's language) and ``refresh`` still switch it.
    """

    def get_translations(self) -> Any:
        try:
            ctx = g._flask_babel
        except (AttributeError, RuntimeError):  # no message translated yet, or no app context
            return super().get_translations()
        cached = getattr(ctx, "crm_translations", None)
        if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
            return cached[1]
        found = super().get_translations()
        ctx.crm_translations = (getattr(ctx, "babel_locale", None), found)
        return found


def template_gettext(domain: Domain) -> Callable[..., str]:
    """The templates' ``_()`` and ``gettext()`` (and ``{% trans %}``'s): jinja's new-style gettext
    with the same result, in one call.

    jinja's ``_`` resolves ``gettext`` in the template's context and calls it through the
    context, which calls the catalog's function through the context again, and then formats the
    message with ``%`` even without variables: about twenty Python calls per message, thirty
    messages on a grid page (issue 13 target 6). Here: the catalog's message, ``Markup`` where
    the template escapes, and ``%`` only when there are variables or a ``%`` to unescape
    (``"100%%"`` still reads ``100%``) — tested against jinja's own."""

    @pass_context
    def gettext(__context: Any, __string: str, **variables: Any) -> str:
        text = domain.get_translations().ugettext(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    return gettext


def init_app(app: Flask, state: Any) -> None:
    dirs: list[str] = []
    for plugin in state.plugins.values():  # convention: <plugin package>/translations
        folder = plugin.directory / "translations" if plugin.directory else None
        if plugin.origin != "core" and folder and folder.is_dir():
            dirs.append(str(folder))
    for part in state.pm.hook.crm_register_translations():
        dirs.extend(str(d) for d in part or [])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(dirs)
    babel = Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    domain = RequestDomain(domain=app.config.get("BABEL_DEFAULT_DOMAIN", "messages"))
    babel.domain_instance = domain  # type: ignore[misc]  # replaces flask-babel's cached property
    # the templates' _() and ngettext go straight to that domain's catalog (no context lookup)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # ... and their _() and gettext in one call each (jinja's went through two context calls)
    fast = template_gettext(domain)
    app.jinja_env.globals.update(_=fast, gettext=fast, LANGUAGES=LANGUAGES, get_locale=get_locale)
