"""Suggested articles on other records (EXT-10): the "Knowledge" tab.

A client names the sessions and fields in ``[settings.knowledge] suggest_on`` (see
:mod:`plugins.knowledge.settings`); the tab reads the record's text and product and lists what
:func:`plugins.knowledge.services.suggest` finds for the viewer. No plugin imports this one:
cases get suggestions by configuration, and another plugin may call the same service through
the registry-free pattern in docs/knowledge.md.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import SessionDef, Tab, crm_state, current_access
from crm_core.toolkit import session as db_session
from plugins.knowledge.models import LANGUAGES
from plugins.knowledge.search import SESSION
from plugins.knowledge.services import suggest


def source_of(sdef: SessionDef) -> dict[str, Any] | None:
    return crm_state().setting("knowledge", "suggest_on", {}).get(sdef.name)


def record_text(source: dict[str, Any], element: Any) -> str:
    return " ".join(str(getattr(element, f, "") or "") for f in source["text"])


def _render(sdef: SessionDef, element: Any) -> str:
    source = source_of(sdef) or {"text": [], "product": "", "language": ""}
    access = current_access()
    if not access.can(SESSION, "view"):
        return render_template("knowledge/suggestions.html", allowed=False, hits=[])
    product = str(getattr(element, source["product"], "") or "") if source["product"] else None
    language = str(getattr(element, source["language"], "") or "") if source["language"] else None
    hits = suggest(db_session(), access, record_text(source, element), product or None,
                   language if language in LANGUAGES else None)
    return render_template("knowledge/suggestions.html", allowed=True, hits=hits)


def suggestion_tabs(sdef: SessionDef) -> list[Tab]:
    if sdef.name != SESSION and source_of(sdef) is not None:
        return [Tab("knowledge", _l("Knowledge"), _render, order=60)]
    return []
