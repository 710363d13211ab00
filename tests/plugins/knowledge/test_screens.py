"""Articles through the generic screens, the read page and the REST API (EXT-10): one
declaration gives grid, detail, import, export and API; published articles are shared with
every user who may view articles, drafts stay with their owner; every path says the same."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from plugins.knowledge.models import Article
from plugins.knowledge.search import search

pytestmark = pytest.mark.crm(plugins=["knowledge"])


def form(**values):
    base = {"title": "Router lights", "body": "Restart the **router**.", "product": "Fibre", "tags": "Router, LIGHTS",
            "language": "en", "published": "y"}
    return {k: v for k, v in {**base, **values}.items() if v is not None}  # an unticked box is absent


def test_creating_an_article_on_the_screen_normalises_tags_and_indexes_it(client_for, db, access_for):
    response = client_for("ana").post("/s/articles/new", data=form())
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    article = db.scalar(select(Article))
    assert (article.tags, article.published, article.public) == ("router, lights", True, False)
    assert [h.article.id for h in search(db, access_for("bob"), "router")] == [article.id]


def test_a_bad_language_or_tag_is_refused_and_nothing_is_written(client_for, db):
    response = client_for("ana").post("/s/articles/new", data=form(language="xx", tags="ok, <script>"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not a valid tag" in page and "<script>" not in page.split("<main", 1)[1].split("</main>")[0].replace(
        "&lt;script&gt;", "")
    assert db.scalar(select(Article)) is None


def test_the_read_tab_shows_the_body_rendered_safely(client_for, add_article):
    article = add_article("ana", "Safe", "# Heading\n\n<script>alert(1)</script> [x](javascript:alert(1))")
    html = client_for("ana").get(f"/s/articles/{article.id}?tab=read").get_data(as_text=True)
    assert "<h1>Heading</h1>" in html
    assert "<script>alert(1)</script>" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_others_published_articles_are_read_only_and_their_drafts_not_found(client_for, add_article, db):
    published = add_article("bob", "Bob's answer", "text")
    draft = add_article("bob", "Bob's draft", "text", published=False)
    ana = client_for("ana")
    grid = ana.get("/s/articles").get_data(as_text=True)
    assert "Bob&#39;s answer" in grid and "Bob&#39;s draft" not in grid
    detail = ana.get(f"/s/articles/{published.id}")
    assert detail.status_code == 200
    assert f'action="/s/articles/{published.id}/delete"' not in detail.get_data(as_text=True)
    assert ana.get(f"/s/articles/{draft.id}").status_code == 404
    refused = ana.post(f"/s/articles/{published.id}", data=form(title="Hijacked", version=str(published.version)))
    assert refused.status_code == 404
    db.expire_all()
    assert db.get(Article, published.id).title == "Bob's answer"
    assert ana.post(f"/s/articles/{published.id}/delete").status_code == 404
    assert client_for("leader").get(f"/s/articles/{draft.id}").status_code == 200


def test_the_read_page_follows_the_same_rules(client_for, add_article):
    published = add_article("bob", "Modem lights", "The **PON** light.", product="Fibre", tags="modem, lights")
    draft = add_article("bob", "Draft", "x", published=False)
    ana = client_for("ana")
    page = ana.get(f"/knowledge/articles/{published.id}").get_data(as_text=True)
    assert "<strong>PON</strong>" in page and 'id="kb-edit"' not in page
    assert ana.get(f"/knowledge/articles/{draft.id}").status_code == 404
    assert ana.get("/knowledge/articles/999999").status_code == 404
    assert 'id="kb-edit"' in client_for("bob").get(f"/knowledge/articles/{published.id}").get_data(as_text=True)


def test_the_search_page_lists_ranked_results_with_snippets_and_filters(client_for, add_article):
    add_article("bob", "Router lights", "What the router lights mean.", product="Fibre", language="en")
    add_article("bob", "Luces del router", "Qué significan las luces.", product="Fibre", language="es")
    add_article("bob", "Bob's draft about the router", "router", published=False)
    ana = client_for("ana")
    page = ana.get("/knowledge/search", query_string={"q": "router"}).get_data(as_text=True)
    assert page.count('class="mb-3 kb-hit"') == 2
    assert "<mark>router</mark>" in page and "draft" not in page
    spanish = ana.get("/knowledge/search", query_string={"q": "router", "language": "es"}).get_data(as_text=True)
    assert "Luces del router" in spanish and "Router lights" not in spanish
    assert 'id="kb-no-results"' in ana.get("/knowledge/search?q=nothingmatches").get_data(as_text=True)
    bad = ana.get("/knowledge/search?q=router&language=klingon")
    assert bad.status_code == 400 and "Unknown language" in bad.get_data(as_text=True)
    assert ana.get("/knowledge/search?q=router&page=0").status_code == 400


def test_the_search_page_pages_through_results(client_for, add_article):
    for n in range(23):
        add_article("ana", f"Modem note {n:02d}", "modem")
    client = client_for("ana")
    first = client.get("/knowledge/search?q=modem").get_data(as_text=True)
    assert first.count('class="mb-3 kb-hit"') == 20 and 'id="kb-next"' in first
    second = client.get("/knowledge/search?q=modem&page=2").get_data(as_text=True)
    assert second.count('class="mb-3 kb-hit"') == 3 and 'id="kb-next"' not in second


def test_the_search_page_is_in_the_menu(client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    assert 'data-session="kb_search" href="/knowledge/search"' in html


def test_api_search_returns_ranked_json_the_user_may_see(client_for, add_article):
    mine = add_article("ana", "Modem lights", "The modem <b>lights</b>.", tags="modem, lights", product="Fibre")
    add_article("bob", "Bob's modem draft", "modem", published=False)
    body = client_for("ana").get("/api/v1/knowledge/search?q=modem&product=fibre").get_json()
    assert [r["id"] for r in body["results"]] == [mine.id]
    hit = body["results"][0]
    assert hit["tags"] == ["modem", "lights"] and hit["url"] == f"/knowledge/articles/{mine.id}"
    assert "<mark>" in hit["snippet"] and "<b>" not in hit["snippet"]


def test_api_search_refuses_bad_input_in_the_api_format(client_for):
    client = client_for("ana")
    missing = client.get("/api/v1/knowledge/search")
    assert missing.status_code == 422 and missing.get_json()["error"]["fields"] == {"q": [missing.get_json()["error"][
        "message"]]}
    assert client.get("/api/v1/knowledge/search?q=x&language=zz").status_code == 422
    assert client.get("/api/v1/knowledge/search?q=x&limit=500").status_code == 400


def test_api_needs_a_login_or_a_token(crm_app):
    response = crm_app.test_client().get("/api/v1/knowledge/search?q=modem")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthenticated"


def test_api_with_a_bearer_token(client_for, db, users, add_article):
    from crm_core.api.auth import create_token

    add_article("bob", "Modem", "modem")
    _token, secret = create_token(db, users["ana"], "integration")
    db.commit()
    from flask import current_app

    response = current_app.test_client().get("/api/v1/knowledge/search?q=modem",
                                             headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and [r["title"] for r in response.get_json()["results"]] == ["Modem"]


def test_the_generated_api_creates_and_lists_articles(client_for, db):
    client = client_for("ana")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))[1]
    created = client.post("/api/v1/articles", json={"title": "API", "body": "x", "tags": ["A", "b", "a"]},
                          headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["tags"] == "a, b"
    listed = client.get("/api/v1/articles").get_json()
    assert [a["title"] for a in listed["items"]] == ["API"]


def test_import_and_export_articles(client_for, db):
    client = client_for("ana")
    content = "Title;Body;Product;Tags;Language\nRouter;Restart it;Fibre;router;en\nFactura;Cambiar el IBAN;Billing;;es\n"
    data = {"file": (io.BytesIO(content.encode()), "articles.csv"), "header": "1"}
    response = client.post("/s/articles/import", data=data, content_type="multipart/form-data")
    jid = int(re.search(r"/import/(\d+)", response.headers["Location"])[1])
    done = client.post(f"/s/articles/import/{jid}", data={"col": ["title", "body", "product", "tags", "language"],
                                                          "mode": "all", "on_duplicate": "skip"})
    assert done.status_code == 302
    assert sorted(a.title for a in db.scalars(select(Article))) == ["Factura", "Router"]
    exported = client.get("/s/articles/export", query_string={"format": "csv", "sort": "title"})
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["Factura", "Router"]


def test_the_pages_speak_spanish(client_for, db, users, add_article):
    users["ana"].language = "es"
    db.commit()
    article = add_article("ana", "Router", "router", published=False)
    client = client_for("ana")
    page = client.get("/knowledge/search?q=router").get_data(as_text=True)
    assert "Buscar en la base de conocimiento" in page and "Borrador" in page
    assert "Base de conocimiento" in client.get("/").get_data(as_text=True)
    assert "Leer" in client.get(f"/s/articles/{article.id}").get_data(as_text=True)
    refused = client.get("/knowledge/search?q=router&language=xx").get_data(as_text=True)
    assert "Idioma desconocido «xx»" in refused
