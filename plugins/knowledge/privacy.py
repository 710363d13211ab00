"""Knowledge's part of the privacy erase (CORE-21): articles hold no client, but an agent may
have named one in a title or body (a worked example, a quoted complaint). Those occurrences are
redacted; the full-text index follows in the same transaction (its triggers, see
:mod:`plugins.knowledge.search`; on SQLite its segments are merged so no erased word stays in the
index file), so a search for the client's name finds nothing afterwards.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, text

from crm_core.toolkit import privacy
from plugins.knowledge.models import Article

PLUGIN = "knowledge"


def _articles(db: Any, plan: privacy.ErasurePlan) -> list[Article]:
    stmt = select(Article).where(or_(plan.mentions(Article.title), plan.mentions(Article.body)))
    return [a for a in db.scalars(stmt.order_by(Article.id)) if plan.mentioned(a.title) or plan.mentioned(a.body)]


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData | None:
    articles = _articles(db, plan)
    if not articles:
        return None
    return privacy.PersonalData(PLUGIN, items=(privacy.ErasedItem("articles", _l("Articles naming the client"),
                                                                  len(articles)),))


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    articles = _articles(db, plan)
    for article in articles:
        article.title = plan.redact(article.title)
        article.body = plan.redact(article.body)
    if articles and db.get_bind().dialect.name == "sqlite":
        # FTS5 marks replaced words deleted but keeps them in older index segments until a merge:
        # merge now, so the index file holds no erased word (PostgreSQL rewrites the row).
        db.flush()
        db.execute(text("INSERT INTO kb_article_fts(kb_article_fts) VALUES('optimize')"))
