"""The knowledge base's services for other plugins: suggestions from a free text (EXT-10).

A cases plugin (or any other) gets suggestions on its records without importing this plugin:
the knowledge plugin shows them itself in a "Knowledge" tab of the sessions a client names
(``[settings.knowledge] suggest_on``, :mod:`plugins.knowledge.suggestions`), reading the
record's text and product fields. The tab, the API (``/api/v1/knowledge/suggest``) and any
future caller go through :func:`suggest`, so the same permissions and ranking hold everywhere.
"""

from __future__ import annotations

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access
from plugins.knowledge.search import Hit, search

SUGGESTIONS = 5


def suggest(
    db: DbSession,
    access: Access,
    text: str,
    product: str | None = None,
    language: str | None = None,
    limit: int = SUGGESTIONS,
) -> list[Hit]:
    """The ``limit`` articles that best answer ``text`` (e.g. a case's subject): any of its words
    counts, ranked by relevance; articles about ``product`` come first, then others fill the list
    (a general article still helps). Only articles ``access`` may see, published or the user's own."""
    hits: list[Hit] = []
    if product:
        hits = search(db, access, text, product=product, language=language, limit=limit, any_word=True)
    if len(hits) < limit:
        seen = {h.article.id for h in hits}
        more = search(db, access, text, language=language, limit=limit + len(hits), any_word=True)
        hits += [h for h in more if h.article.id not in seen][: limit - len(hits)]
    return hits
