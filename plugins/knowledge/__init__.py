"""Knowledge base (EXT-10): articles in Markdown, full-text search in each article's language,
suggestions from a free text.

Registration only; the rules live in ``search`` and ``services``, the pages in ``views``. The
plugin depends on no other business plugin: a cases plugin gets suggestions through
:func:`plugins.knowledge.services.suggest` (see docs/knowledge.md, "Suggestions on other
records").
"""

from __future__ import annotations

from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Module, PluginMeta, SessionDef, Tab, User, hookimpl
from plugins.knowledge import demo, tabs, views
from plugins.knowledge.sessions import ARTICLES, MODULE, SEARCH_PAGE

meta = PluginMeta(description="Knowledge base articles with full-text search", requires_contract=">=2.0,<3")


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [SEARCH_PAGE, ARTICLES]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, views.api]


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    return tabs.detail_tabs(sdef)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)
