"""The knowledge base's detail tab: an article read as users will read it (safe Markdown)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import SessionDef, Tab
from plugins.knowledge.rendering import render
from plugins.knowledge.search import SESSION


def _read_tab(_sdef: SessionDef, article: Any) -> str:
    return render_template("knowledge/body.html", body=render(article.body))


def detail_tabs(sdef: SessionDef) -> list[Tab]:
    if sdef.name == SESSION:
        return [Tab("read", _l("Read"), _read_tab, order=5)]
    return []
