"""Declarations of the knowledge module: the articles session and the search page (EXT-10)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Module, SessionDef
from plugins.knowledge.models import SEARCH, Article
from plugins.knowledge.schemas import ArticleSchema
from plugins.knowledge.search import SESSION

MODULE = Module("knowledge", _l("Knowledge base"), order=70)
SEARCH_SESSION = "kb_search"

#: Grid, detail, listing, import, export and REST API (``/api/v1/articles``) come from this one
#: declaration. Published articles are read by every user who may view articles (``shared``);
#: drafts stay with their owner (and leaders).
ARTICLES = SessionDef(
    name=SESSION,
    module=MODULE.name,
    label=_l("Articles"),
    singular=_l("Article"),
    model=Article,
    schema=ArticleSchema,
    columns=("title", "product", "language", "tags", "published", "public", "owner_id"),
    search=SEARCH,
    importable=True,
    default_sort="title",
    shared={"published": True},
    order=20,
)

SEARCH_PAGE = SessionDef(
    name=SEARCH_SESSION,
    module=MODULE.name,
    label=_l("Search the knowledge base"),
    endpoint="knowledge.search_page",
    order=10,
)
