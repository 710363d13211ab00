"""The client's name, logo and colour (``[branding]`` of customer.toml, issue 17 item 11).

```toml
[branding]
name = "Acme Ltd"                        # or { en = "…", es = "…" }
logo = "static/logo.svg"                 # a file inside the client folder: svg, png, webp or jpg
colour = "#0b6e4f"                       # #rgb or #rrggbb
```

Checked when the app starts (a bad colour, a logo outside the folder, missing or of another
type stops start-up naming the key). The name shows in the navbar, on the login page, in every
page title and as the display name of the mails' sender; the logo beside it and as the page
icon; the colour through a small generated stylesheet (the CSP allows no inline style), all under
content-hashed URLs like the other static files. ``/favicon.ico`` redirects to the icon (the
product's ``favicon.svg`` without a logo). Without ``[branding]`` the product's own name and colours stay.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from crm_core.custom_fields.texts import Texts
from crm_core.errors import ConfigError
from crm_core.static_files import FAVICON, IMMUTABLE, file_digest, static_url

KEYS = {"name", "logo", "colour"}
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

bp = Blueprint("branding", __name__)


@dataclass(frozen=True)
class Branding:
    """The parsed ``[branding]`` table; every field optional."""

    name: str | Texts | None = None
    logo: Path | None = None
    colour: str | None = None

    def css(self) -> str:
        """The stylesheet that paints the brand colour (empty without one)."""
        if not self.colour:
            return ""
        c = self.colour
        return (
            f":root {{ --crm-brand: {c}; }}\n"
            f".crm-brand-bar {{ border-top: 4px solid {c}; }}\n"
            f".btn-primary {{ --bs-btn-bg: {c}; --bs-btn-border-color: {c}; --bs-btn-hover-bg: {c};"
            f" --bs-btn-hover-border-color: {c}; --bs-btn-active-bg: {c}; }}\n"
            f".navbar-brand, a.crm-brand-link {{ color: {c}; }}\n"
        )


def parse_branding(raw: Any, folder: Path, where: str,
                   parse_name: Callable[[Any, Path, str], str | Texts] | None = None) -> Branding:
    """``raw`` (the ``[branding]`` table) checked against the client ``folder``; ``where`` names
    the file in messages; ``parse_name`` reads the name like every label of customer.toml (one
    text, or one per language)."""

    def refuse(key: str, message: str) -> None:
        raise ConfigError(f"{where} [branding{'.' + key if key else ''}]: {message}")

    if not isinstance(raw, dict):
        refuse("", "must be a table with name, logo, colour")
    for key in raw:
        if key not in KEYS:
            refuse(key, f"unknown key; expected {', '.join(sorted(KEYS))}")
    name = raw.get("name")
    if name is not None and parse_name is not None:
        name = parse_name(name, Path(where), "branding.name")
    elif name is not None and not isinstance(name, str):
        refuse("name", "must be a text")
    if isinstance(name, str) and not name.strip():
        refuse("name", "must not be empty")
    colour = raw.get("colour")
    if colour is not None and (not isinstance(colour, str) or not _COLOUR.match(colour)):
        refuse("colour", f"{colour!r} is not a colour; write #rgb or #rrggbb, e.g. \"#0b6e4f\"")
    logo = None
    if "logo" in raw:
        text = raw["logo"]
        if not isinstance(text, str) or not text.strip():
            refuse("logo", "must be a path inside the client folder, e.g. \"static/logo.svg\"")
        base = folder.resolve()
        logo = (base / text).resolve()
        if not logo.is_relative_to(base):
            refuse("logo", f"{text!r} is outside the client folder {folder}")
        if not logo.is_file():
            refuse("logo", f"{text!r}: no such file in {folder}")
        if logo.suffix.lower() not in LOGO_TYPES:
            refuse("logo", f"{text!r}: a logo is one of {', '.join(sorted(LOGO_TYPES))}")
    return Branding(name=name, logo=logo, colour=colour)


def _branding() -> Branding:
    return current_app.extensions["crm"].customer.branding


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def client_name(language: str | None = None) -> str | None:
    """The client's name from ``[branding] name`` (in ``language``, else the current one), or
    ``None`` when customer.toml names none: for a plugin's outgoing texts, e.g. a mail's sender."""
    name = _branding().name
    if isinstance(name, Texts):
        return name.texts.get(language or "", None) or str(name)
    return name


def brand_name() -> str:
    """The client's name in the current language, or the product's ("CRM")."""
    name = _branding().name
    return str(name) if name else _("CRM")


def logo_url() -> str | None:
    logo = _branding().logo
    if logo is None:
        return None
    digest = file_digest(str(logo))  # hashed once per change of the file, not per page
    return url_for("branding.logo", digest=digest, ext=logo.suffix.lower().lstrip("."))


def css_url() -> str | None:
    css = _branding().css()
    return url_for("branding.css", digest=_digest(css.encode())) if css else None


@bp.route("/assets/brand/logo.<digest>.<ext>", endpoint="logo")
def logo(digest: str, ext: str) -> Response:
    path = _branding().logo
    if path is None or path.suffix.lower().lstrip(".") != ext or file_digest(str(path)) != digest:
        abort(404)
    response = send_file(path, mimetype=LOGO_TYPES[path.suffix.lower()], max_age=31536000)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.route("/assets/brand/brand.<digest>.css", endpoint="css")
def css(digest: str) -> Response:
    text = _branding().css()
    if not text or _digest(text.encode()) != digest:
        abort(404)
    response = current_app.response_class(text, mimetype="text/css")
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def icon_url() -> str:
    """The page icon: the client's logo, else the product's icon."""
    return logo_url() or static_url(FAVICON)


@bp.route("/favicon.ico", endpoint="favicon")
def favicon() -> Response:
    """Browsers ask ``/favicon.ico`` whatever the page links: sent on to the hashed icon the
    pages link, never a 404. The redirect itself is revalidated, the icon is immutable."""
    response = redirect(icon_url(), 302)
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(brand_name=brand_name, brand_logo_url=logo_url, brand_css_url=css_url,
                              brand_icon_url=icon_url)
