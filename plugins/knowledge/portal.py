"""Public articles for the customer portal (EXT-13 troubleshooting): the knowledge plugin's
answers to the portal's questions ``crm_portal_articles`` and ``crm_portal_article``.

Only articles both *published* and marked *public* are ever returned; drafts and internal
articles do not exist for a customer. The implementations are optional: without the portal
they are never called.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import like_text
from plugins.knowledge.models import Article
from plugins.knowledge.rendering import render
from plugins.knowledge.search import clean_query

MAX_WORDS = 8


def _public() -> Any:
    return select(Article).where(Article.published.is_(True), Article.public.is_(True))


def articles(text: str, language: str, limit: int, db: DbSession) -> list[dict[str, Any]]:
    """Every word must appear in the title, product, tags or text (case-insensitive); articles
    in the customer's language first, then the newest."""
    query = _public()
    for word in clean_query(text).split()[:MAX_WORDS]:
        query = query.where(or_(*(like_text(func.lower(col), word)
                                  for col in (Article.title, Article.product, Article.tags, Article.body))))
    order = (Article.language != (language or "en")[:2]).asc()
    rows = db.scalars(query.order_by(order, Article.updated_at.desc(), Article.id.desc()).limit(max(1, limit)))
    return [{"id": a.id, "title": a.title, "product": a.product, "updated_at": a.updated_at} for a in rows]


def article(article_id: int, db: DbSession) -> dict[str, Any] | None:
    found = db.scalar(_public().where(Article.id == article_id))
    if found is None:
        return None
    return {"id": found.id, "title": found.title, "product": found.product, "html": render(found.body)}
