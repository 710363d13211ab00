"""Helpers shared by the generic screens: resolving the session, toolbar links, error pages.

Every screen resolves its session here, so an unknown session, a plain-page session (no model)
or a disabled plugin's session reads as *not found* on every route alike.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from crm_core.declarations import SessionDef
from crm_core.errors import NotFound
from crm_core.extensions import crm_state
from crm_core.security import current_access
from crm_core.security.field_access import restricted
from crm_core.validation_messages import translated


def grid_sdef(name: str) -> SessionDef:
    """The available session ``name`` if it has a grid, as the user may see it (without the
    fields their group may not see, field-level access); NotFound otherwise (hidden included)."""
    registry = crm_state().registry
    sdef = registry.sessions.get(name)
    if sdef is None or not sdef.has_grid or not registry.is_available(name):
        raise NotFound(_("No such screen."))
    return restricted(sdef, current_access())


def endpoint_url(endpoint: str, **values: Any) -> str | None:
    """``url_for`` for endpoints that may not be registered (listing, import, export are built
    separately): ``None`` when the endpoint does not exist, so the toolbar simply omits it."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def refused(message: str, status: int) -> tuple[str, int]:
    """The error page with a clear message (used where a rule, not a bug, says no)."""
    return render_template("error.html", message=message, status=status), status


def messages_of(errors: Any) -> dict[str, list[str]]:
    """marshmallow's ``ValidationError.messages`` flattened to ``{field: [message, ...]}``, in the
    user's language; nested or schema-level messages land under ``"_form"``."""
    errors = translated(errors)
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = "_form" if key == "_schema" else str(key)
            if isinstance(value, dict):
                out.setdefault(name, []).extend(m for ms in messages_of(value).values() for m in ms)
            elif isinstance(value, list | tuple):
                out.setdefault(name, []).extend(str(v) for v in value)
            else:
                out.setdefault(name, []).append(str(value))
    elif isinstance(errors, list | tuple):
        out["_form"] = [str(e) for e in errors]
    else:
        out["_form"] = [str(errors)]
    return out
