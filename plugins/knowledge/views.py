"""The knowledge base's pages and API routes (EXT-10).

* ``/knowledge/search`` — the search page (menu entry "Search the knowledge base").
* ``/knowledge/articles/<id>`` — an article rendered for reading (safe Markdown).
* ``/api/v1/knowledge/search?q=`` and ``/api/v1/knowledge/suggest?text=`` — the same searches
  as JSON, for integrations and the future customer portal.

Every route reads through :func:`plugins.knowledge.search.search` or the toolkit's
``get_element``: one permission rule on every path.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from crm_core.toolkit import (
    BusinessRuleError,
    api_blueprint,
    crm_state,
    current_access,
    get_element,
    int_arg,
    may_modify,
)
from crm_core.toolkit import session as db_session
from plugins.knowledge.models import LANGUAGES
from plugins.knowledge.rendering import render
from plugins.knowledge.schemas import LANGUAGE_LABELS
from plugins.knowledge.search import MAX_LIMIT, SESSION, Hit, clean_query, search
from plugins.knowledge.services import SUGGESTIONS, suggest
from plugins.knowledge.sessions import SEARCH_SESSION

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge", template_folder="templates")
api = api_blueprint("knowledge_api", __name__, "knowledge")
PER_PAGE = 20


def _criteria() -> dict[str, Any]:
    """The search form's values, checked: a language outside the list is a clear 400."""
    language = request.args.get("language", "").strip() or None
    if language is not None and language not in LANGUAGES:
        raise BusinessRuleError(
            _("Unknown language “%(code)s”; use one of: %(codes)s.", code=language[:10], codes=", ".join(LANGUAGES)),
            field="language",
        )
    return {
        "product": request.args.get("product", "").strip()[:120] or None,
        "language": language,
        "tag": request.args.get("tag", "").strip()[:40] or None,
    }


@bp.route("/search")
@login_required
def search_page() -> Any:
    access = current_access()
    access.require(SEARCH_SESSION, "view")
    access.require(SESSION, "view")
    query = clean_query(request.args.get("q"))
    try:
        criteria = _criteria()
    except BusinessRuleError as exc:
        return render_template("error.html", message=str(exc), status=400), 400
    page = int_arg("page", 1, low=1, high=10_000) or 1
    hits = search(db_session(), access, query, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, **criteria)
    more = len(hits) > PER_PAGE
    args = {k: v for k, v in {"q": query, **criteria}.items() if v}
    return render_template(
        "knowledge/search.html",
        query=query,
        criteria=criteria,
        hits=hits[:PER_PAGE],
        page=page,
        prev_url=url_for(".search_page", page=page - 1, **args) if page > 1 else None,
        next_url=url_for(".search_page", page=page + 1, **args) if more else None,
        languages=[(c, LANGUAGE_LABELS[c]) for c in LANGUAGES],
    )


@bp.route("/articles/<int:article_id>")
@login_required
def read(article_id: int) -> Any:
    access = current_access()
    sdef = crm_state().registry.sdef(SESSION)
    article = get_element(db_session(), sdef, access, article_id)
    return render_template(
        "knowledge/read.html",
        article=article,
        body=render(article.body),
        language=LANGUAGE_LABELS.get(article.language, article.language),
        edit_url=url_for("screens.detail", session_name=SESSION, element_id=article.id),
        can_edit=may_modify(sdef, access, article),
        back=request.args.get("back") if (request.args.get("back") or "").startswith("/knowledge/search") else None,
    )


def _hit_json(hit: Hit) -> dict[str, Any]:
    a = hit.article
    return {
        "id": a.id,
        "title": a.title,
        "product": a.product,
        "language": a.language,
        "tags": a.tag_list(),
        "published": a.published,
        "public": a.public,
        "rank": round(hit.rank, 6),
        "snippet": str(hit.snippet),
        "url": url_for("knowledge.read", article_id=a.id),
    }


@api.route("/search")
def api_search() -> Any:
    access = current_access()
    access.require(SESSION, "view")
    query = clean_query(request.args.get("q"))
    if not query:
        raise BusinessRuleError(_("Give the words to search for in “q”."), field="q")
    limit = int_arg("limit", PER_PAGE, low=1, high=MAX_LIMIT) or PER_PAGE
    offset = int_arg("offset", 0, low=0, high=200_000) or 0
    hits = search(db_session(), access, query, limit=limit, offset=offset, **_criteria())
    return jsonify({"query": query, "results": [_hit_json(h) for h in hits]})


@api.route("/suggest")
def api_suggest() -> Any:
    access = current_access()
    access.require(SESSION, "view")
    text = clean_query(request.args.get("text"))
    if not text:
        raise BusinessRuleError(_("Give the text to find articles for in “text”."), field="text")
    criteria = _criteria()
    limit = int_arg("limit", SUGGESTIONS, low=1, high=MAX_LIMIT) or SUGGESTIONS
    hits = suggest(db_session(), access, text, criteria["product"], criteria["language"], limit)
    return jsonify({"text": text, "results": [_hit_json(h) for h in hits]})
