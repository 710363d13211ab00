"""Knowledge base (EXT-10): articles in Markdown, full-text search in each article's language,
suggestions from a free text.

Registration only; the rules live in ``search`` and ``services``, the pages in ``views``. The
plugin depends on no other business plugin: a client lists in ``[settings.knowledge]
suggest_on`` the sessions (cases …) whose records get a "Knowledge" tab of suggested articles
(:mod:`plugins.knowledge.suggestions`, through :func:`plugins.knowledge.services.suggest`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Module, PluginMeta, SessionDef, Tab, User, crm_state, hookimpl
from plugins.knowledge import demo, portal, suggestions, tabs, views
from plugins.knowledge.sessions import ARTICLES, MODULE, SEARCH_PAGE
from plugins.knowledge.settings import KnowledgeSettings, check_sources

meta = PluginMeta(
    description="Knowledge base articles with full-text search",
    requires_contract=">=2.1,<3",
    settings_schema=KnowledgeSettings,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [SEARCH_PAGE, ARTICLES]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    """The pages and API routes; ``suggest_on`` is checked here, once the sessions are known,
    so a misspelt session or field stops start-up instead of reaching a user."""
    state = crm_state(app)
    problems = check_sources(state.setting("knowledge", "suggest_on", {}), state.registry.sessions)
    if problems:
        raise ValueError("; ".join(problems))
    return [views.bp, views.api]


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    return tabs.detail_tabs(sdef) + suggestions.suggestion_tabs(sdef)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.knowledge import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.knowledge import privacy

    privacy.erase(plan, db)


@hookimpl(optionalhook=True)
def crm_portal_articles(text: str, language: str, limit: int, db: DbSession) -> list[dict[str, Any]]:
    """The public, published articles a portal customer may read (asked by the portal)."""
    return portal.articles(text, language, limit, db)


@hookimpl(optionalhook=True)
def crm_portal_article(article_id: int, db: DbSession) -> dict[str, Any] | None:
    return portal.article(article_id, db)
