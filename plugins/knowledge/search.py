"""Full-text search over knowledge articles (EXT-10), ranked, with a highlighted snippet.

One function, two databases, the same rules:

* **PostgreSQL** — ``kb_article_fts.document`` holds each article's ``tsvector`` built with its
  language's configuration (stemming and stop words: ``kb_text_config``, from the migration);
  the query is parsed with ``websearch_to_tsquery`` (``"a phrase"``, ``or``, ``-word``) in each
  article's language (one GIN condition per language), so each article is matched by the rules
  of its own language. Ranked by ``ts_rank`` (title > tags/product > body),
  snippet by ``ts_headline`` for the page of results only.
* **SQLite** — an FTS5 table (diacritics folded); the same websearch syntax is translated to
  FTS5 with every word a prefix (``factura`` finds ``facturación``); ranked by ``bm25``.

Permissions: the statement is the toolkit's :func:`scoped` select of the articles session, so
what a user finds is exactly what their grid shows (their own articles, published ones, and all
of them for leaders and administrators); filters by product, language and tag narrow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import Float, String, and_, case, column, func, literal, literal_column, not_, or_, select, table
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, crm_state, scoped
from plugins.knowledge.models import LANGUAGES, Article
from plugins.knowledge.rendering import highlighted
from plugins.knowledge.stopwords import STOP_WORDS

SESSION = "articles"
MAX_QUERY = 200
MAX_LIMIT = 50
#: Characters the databases put around matched words in snippets (never typed by users: the
#: text is cleaned of them first), turned into ``<mark>`` after escaping.
START, STOP = "\x02", "\x03"
#: Title, tags, product, body weights for SQLite's bm25 (PostgreSQL: weights A, B, B, C).
BM25_WEIGHTS = (10.0, 4.0, 4.0, 1.0)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')

FTS_PG = table(
    "kb_article_fts", column("article_id"), column("language", String), column("head", TSVECTOR),
    column("document", TSVECTOR),
)
#: Body-only matches ranked per page at most (see :func:`_search_postgresql`).
BODY_CANDIDATES = 1_000


@dataclass(frozen=True)
class Hit:
    """One article found: its rank (higher is better) and a snippet with ``<mark>`` words."""

    article: Article
    rank: float
    snippet: Markup


def clean_query(text: str | None) -> str:
    """The query as searched: control characters dropped, spaces collapsed, at most 200 chars."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:MAX_QUERY]


def search(
    db: DbSession,
    access: Access,
    text: str | None,
    *,
    product: str | None = None,
    language: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    offset: int = 0,
    any_word: bool = False,
) -> list[Hit]:
    """Articles matching ``text`` that ``access`` may see, best first.

    ``any_word`` matches articles holding any of the words (suggestions from a free text such as
    a case subject) instead of all of them. An empty query finds nothing. ``language`` must be
    one of ``LANGUAGES`` (callers validate user input first).
    """
    query = clean_query(text)
    if any_word:
        words = [w for w in re.findall(r"\w{3,}", query) if w.lower() not in STOP_WORDS]
        query = " or ".join(dict.fromkeys(words[:16]))
    if not fts5_query(query):
        return []  # nothing positive to look for (empty, operators only, or only "-word")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    sdef = crm_state().registry.sdef(SESSION)
    limit = max(1, min(limit, MAX_LIMIT))
    filters = _filters(product, language, tag)
    if db.get_bind().dialect.name == "postgresql":
        return _search_postgresql(db, sdef, access, query, language, filters, limit, offset)
    return _search_sqlite(db, sdef, access, query, filters, limit, offset)


def _filters(product: str | None, language: str | None, tag: str | None) -> list[Any]:
    conds = []
    if product:
        conds.append(func.lower(Article.product) == product.strip().lower())
    if language:
        conds.append(Article.language == language)
    if tag:
        wanted = " ".join(tag.split()).lower()
        conds.append((literal(", ") + Article.tags + literal(", ")).contains(f", {wanted}, ", autoescape=True))
    return conds


def _search_postgresql(
    db: DbSession, sdef: Any, access: Access, query: str, language: str | None, filters: list[Any],
    limit: int, offset: int,
) -> list[Hit]:
    """Two tiers, so a common word never ranks every article that holds it: articles matching
    in their title, tags or product (the small ``head`` vectors) first, ranked; then, if the
    page is not full, those matching elsewhere, ranked among the first ``BODY_CANDIDATES`` the
    index yields (a word in a third of the articles ranks 1,000, not 30,000)."""
    queries = _tsqueries(query, language)
    wanted = offset + limit
    head = _tier(sdef, access, queries, FTS_PG.c.head, filters).limit(wanted)
    rows = db.execute(head).all()
    if len(rows) < wanted:
        in_head = or_(*[and_(FTS_PG.c.language == c, FTS_PG.c.head.op("@@")(q)) for c, q in queries.items()])
        candidates = _tier(sdef, access, queries, FTS_PG.c.document, [*filters, not_(in_head)], ranked=False)
        pool = candidates.limit(BODY_CANDIDATES).subquery("pool")
        body = select(pool.c.id, pool.c.rank).order_by(pool.c.rank.desc(), pool.c.id)
        rows += db.execute(body.limit(wanted - len(rows))).all()
    page = rows[offset:wanted]
    if not page:
        return []
    ranks = {row.id: float(row.rank) for row in page}
    # ts_headline re-parses each body (the costly part): for the page's articles only.
    own_query = case(*[(Article.language == code, q) for code, q in queries.items()])
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=\" … \""
    snippet = func.ts_headline(func.kb_text_config(Article.language), Article.body, own_query, options, type_=String)
    found = {a.id: (a, s) for a, s in db.execute(select(Article, snippet).where(Article.id.in_(ranks)))}
    return [
        Hit(found[i][0], rank, highlighted(found[i][1] or "", START, STOP)) for i, rank in ranks.items() if i in found
    ]


def _tier(sdef: Any, access: Access, queries: dict[str, Any], vector: Any, filters: list[Any],
          ranked: bool = True) -> Any:
    """Article ids matching ``vector`` (by each article's language) and their rank, in
    the toolkit's scoped select (the one permission rule); ordered best first when ``ranked``."""
    matches = or_(*[and_(FTS_PG.c.language == code, vector.op("@@")(q)) for code, q in queries.items()])
    own_query = case(*[(FTS_PG.c.language == code, q) for code, q in queries.items()])
    rank = func.ts_rank(vector, own_query, type_=Float)
    stmt = select(Article.id.label("id"), rank.label("rank"))
    stmt = scoped(sdef, access, True, stmt.join(FTS_PG, FTS_PG.c.article_id == Article.id)).where(matches, *filters)
    return stmt.order_by(rank.desc(), Article.id) if ranked else stmt


def _tsqueries(query: str, language: str | None) -> dict[str, Any]:
    """``websearch_to_tsquery`` of the query in each language's configuration (the one asked
    for, or all): constants PostgreSQL folds when planning, so the GIN index serves each."""
    codes = [language] if language else list(LANGUAGES)
    return {code: func.websearch_to_tsquery(func.kb_text_config(code), query) for code in codes}


def _search_sqlite(
    db: DbSession, sdef: Any, access: Access, query: str, filters: list[Any], limit: int, offset: int
) -> list[Hit]:
    match = fts5_query(query)
    if not match:
        return []
    fts = literal_column("kb_article_fts")
    score = func.bm25(fts, *BM25_WEIGHTS, type_=Float)
    snippet = func.snippet(fts, -1, START, STOP, " … ", 24, type_=String)
    stmt = scoped(
        sdef, access, True,
        select(Article, score, snippet)
        .select_from(table("kb_article_fts"))
        .join(Article, Article.id == literal_column("kb_article_fts.rowid")),
    )
    stmt = stmt.where(fts.op("MATCH")(match), *filters).order_by(score, Article.id).limit(limit).offset(offset)
    rows = db.execute(stmt).all()
    return [Hit(article, -float(score), highlighted(snip or "", START, STOP)) for article, score, snip in rows]


def fts5_query(query: str) -> str:
    """The websearch syntax (``"a phrase"``, ``or``, ``-word``) as an FTS5 expression in which
    every user word is quoted (no FTS5 operator or column filter can be injected) and every bare
    word is a prefix. Returns ``""`` when nothing positive is left to search."""
    out: list[str] = []
    pending_or = False
    for minus, phrase, word in _TOKENS.findall(query):
        if word and word.lower() == "or":
            pending_or = bool(out)
            continue
        negate = bool(minus) or (word.startswith("-") and len(word) > 1)
        raw = phrase if phrase or minus else word.lstrip("-")
        terms = re.findall(r"\w+", raw)
        if not terms:
            continue
        quoted = '"' + " ".join(terms) + '"' + ("" if phrase or minus else "*")
        if negate:
            if out:
                out.append(f"NOT {quoted}")
            continue
        if out:
            out.append("OR" if pending_or else "AND")
        out.append(quoted)
        pending_or = False
    return " ".join(out)
