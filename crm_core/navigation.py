"""The menu and the links between screens, shared by the core's pages (admin, screens, error
pages) — apart from :mod:`crm_core.web`, which wires the pages into the app and so sits above
them all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from crm_core.db import session
from crm_core.errors import NotFound
from crm_core.extensions import crm_state
from crm_core.models.menu import MenuSetting
from crm_core.security import current_access

#: Menus kept per app (built menus and rendered entries); past this many keys both start over.
MENU_CACHE_SIZE = 256


def visible_menu() -> list[tuple[Any, list[Any]]]:
    """Modules and sessions the current user's group may view (CORE-06)."""
    if not current_user.is_authenticated:
        return []
    access = current_access()
    out = []
    for module, sessions in _built_menu():
        allowed = [s for s in sessions if access.can(s, "view")]
        if allowed:
            out.append((module, allowed))
    return out


def menu_markup() -> Markup:
    """The menu bar's entries (``_menu.html``) for the current user, rendered once per menu
    settings, language, site root and set of sessions the user may view — not on every page
    (issue 13 target 6: the menu's links and labels were a good share of a page's Python). The
    settings are still read on every request, so a change shows on the next page everywhere."""
    if not current_user.is_authenticated:
        return Markup("")
    access = current_access()
    viewable = frozenset(s.name for _module, sessions in _built_menu() for s in sessions if access.can(s, "view"))
    key = ("html", _settings_key(), str(get_locale()), request.script_root, viewable)
    cache = _menu_cache()
    if key not in cache:
        cache[key] = Markup(render_template("_menu.html", menu=visible_menu()))
    return _current_marked(cache[key])


#: The parts of ``base.html``'s bar that are the same for every signed-in user of a language
#: and site root (templates ``_chrome_<part>.html``): the search box, the bell, the account links.
CHROME_PARTS = frozenset({"search", "bell", "account"})


def chrome_markup(part: str) -> Markup:
    """A part of the page's bar (``_chrome_<part>.html``), rendered once per language and site
    root: its links and labels (a ``url_for`` or a translation each, a dozen per page) are the
    same for every user, so every page paid them for the same text (issue 13 target 6). Nothing
    of the user is in them — the user's name, forms (their CSRF token) and menu stay in
    ``base.html`` — so the kept text is never another user's."""
    if part not in CHROME_PARTS:
        raise ValueError(f"unknown part of the page's bar: {part!r}")
    key = ("chrome", part, str(get_locale()), request.script_root)
    cache = _menu_cache()
    if key not in cache:
        cache[key] = Markup(render_template(f"_chrome_{part}.html"))
    return cache[key]  # type: ignore[no-any-return]


def _current_marked(markup: Markup) -> Markup:
    """The kept menu with this page's entry marked ``active`` and ``aria-current="page"`` (the
    session in the URL, or the entry whose address is this page's)."""
    here = (request.view_args or {}).get("session_name")
    if not here:
        found = re.search(f'data-session="([^"]+)" href="{re.escape(str(escape(request.path)))}"', str(markup))
        here = found.group(1) if found else None
    if not here:
        return markup
    entry = f'class="dropdown-item" data-session="{here}"'
    marked = str(markup).replace(entry, f'class="dropdown-item active" aria-current="page" data-session="{here}"', 1)
    return Markup(marked)


def _built_menu() -> list[tuple[Any, list[Any]]]:
    """The registry's menu with the administrator's settings, built once per settings."""
    key = ("built", _settings_key())
    cache = _menu_cache()
    if key not in cache:
        cache[key] = crm_state().registry.menu(stored_menu())
    return cache[key]  # type: ignore[no-any-return]


def _settings_key() -> tuple[Any, ...]:
    return tuple(sorted((k, r.label, r.position, r.hidden) for k, r in stored_menu().items()))


def _menu_cache() -> dict[tuple[Any, ...], Any]:
    cache: dict[tuple[Any, ...], Any] = current_app.extensions.setdefault("crm_menu_cache", {})
    if len(cache) > MENU_CACHE_SIZE:
        cache.clear()
    return cache


def stored_menu() -> Mapping[tuple[str, str], Any]:
    """The administrator's menu settings, read once per request: with the signed-in user's
    permissions (one statement for both), else on their own (anonymous pages)."""
    if "crm_menu" not in g:
        held = current_access().menu if current_user.is_authenticated else None
        if held is None:
            held = {(r.kind, r.name): r for r in session().scalars(select(MenuSetting))}
        g.crm_menu = held
    return g.crm_menu


def list_link(error: NotFound) -> tuple[str, str] | None:
    """``(url, label)`` of the list the missing element was asked from, when the user may open
    it: the 404 page leads back there instead of leaving the user stranded."""
    sdef = crm_state().registry.sessions.get(error.session_name or "")
    if sdef is None or not sdef.has_grid or not current_user.is_authenticated:
        return None
    if not current_access().can(sdef, "view"):
        return None
    return session_url(sdef), str(sdef.label)


def session_url(sdef: Any) -> str:
    """The page a session opens on: its plugin's own endpoint, else the generic grid."""
    if sdef.endpoint:
        return url_for(sdef.endpoint)
    return url_for("screens.grid", session_name=sdef.name)


def sdef_of(element: Any) -> Any:
    """The session serving ``element``: the one whose model it is an instance of and whose fixed
    ``where`` it satisfies (a purchase opportunity is served by purchasing's session, not sales'),
    ``None`` when no session with a grid serves it."""
    for sdef in crm_state().registry.sessions.values():
        if sdef.model is None or not sdef.has_grid or not isinstance(element, sdef.model):
            continue
        if all(getattr(element, field, None) == value for field, value in sdef.where.items()):
            return sdef
    return None


def element_path(element: Any) -> str | None:
    """The path of ``element``'s detail screen, built from the screens' URL rule — also outside a
    request (workers, outbox handlers: prefix it with the client's public base URL)."""
    sdef = sdef_of(element)
    if sdef is None:
        return None
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build("screens.detail", {"session_name": sdef.name, "element_id": element.id})
