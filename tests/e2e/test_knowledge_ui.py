"""The knowledge base served by ``crm serve`` (a real process, on the test backend: SQLite, or
PostgreSQL with ``CRM_TEST_DATABASE_URL``): articles written through the API, found through the
API and the search page, opened and read in Chromium on a desktop and a phone (EXT-10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from crm_core.testing.database import scratch_database
from tests.e2e.conftest import log_in
from tests.plugins.knowledge.test_rendering import dangers
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env

CUSTOMER_TOML = """
[plugins]
enabled = ["knowledge"]
"""
ROUTER = {
    "title": "Luz roja del router",
    "body": "## Pasos\n\n1. Reinicie el **router**.\n2. Si la luz sigue roja, abra un caso.\n\n"
            "<img src=x onerror=\"window.__xss = 1\"> [web](javascript:window.__xss=2)",
    "product": "Fibra 300",
    "tags": ["router", "avería"],
    "language": "es",
    "published": True,
}
INVOICE = {"title": "Direct debit of invoices", "body": "Change the bank account of the **invoices**.",
           "product": "Billing", "tags": "billing", "language": "en", "published": True}
DRAFT = {"title": "Router draft", "body": "router notes", "language": "en", "published": False}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCrm, dict[str, int]]]:
    """``crm serve`` with the knowledge plugin; the leader writes two published articles and ana
    a draft through the REST API, as an integration would."""
    tmp = tmp_path_factory.mktemp("knowledge")
    customer = tmp / "customers" / "kb"
    customer.mkdir(parents=True)
    customer.joinpath("customer.toml").write_text(CUSTOMER_TOML)
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="kb")
        with served_crm(env, cwd=str(tmp)) as server:
            ids = {}
            leader, ana = server.login("leader"), server.login("ana")
            for key, client, data in (("router", leader, ROUTER), ("invoice", leader, INVOICE), ("draft", ana, DRAFT)):
                response = client.post("/api/v1/articles", json=data)
                assert response.status_code == 201, response.text
                ids[key] = response.json()["id"]
            yield server, ids


def test_the_served_api_searches_with_the_languages_rules_and_permissions(served):
    server, ids = served
    bob = server.login("bob")
    found = bob.get("/api/v1/knowledge/search", params={"q": "reinicie"}).json()["results"]
    assert [r["id"] for r in found] == [ids["router"]]
    assert "<mark>" in found[0]["snippet"] and found[0]["tags"] == ["router", "avería"]
    assert [r["id"] for r in bob.get("/api/v1/knowledge/search", params={"q": "router"}).json()["results"]] == [
        ids["router"]]  # ana's draft is hers
    ana = server.login("ana")
    assert {r["id"] for r in ana.get("/api/v1/knowledge/search", params={"q": "router"}).json()["results"]} == {
        ids["router"], ids["draft"]}
    assert bob.get(f"/knowledge/articles/{ids['draft']}").status_code == 404
    suggested = bob.get("/api/v1/knowledge/suggest", params={"text": "The invoices are wrong", "product": "Billing"})
    assert [r["id"] for r in suggested.json()["results"]] == [ids["invoice"]]
    assert server.client().get("/api/v1/knowledge/search?q=router").status_code == 401


def test_the_served_read_page_is_safe_and_keeps_the_csp(served):
    server, ids = served
    response = server.login("bob").get(f"/knowledge/articles/{ids['router']}")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<strong>router</strong>" in response.text
    body = response.text.split('id="kb-body"', 1)[1].split("</article>", 1)[0]
    assert dangers(body) == []  # the payloads are text, not elements or attributes
    assert "&lt;img src=x onerror=" in body


def search_and_open(page: Any, base: str, open_menu: bool) -> None:
    log_in(page, base, "bob")
    if open_menu:
        page.locator(".navbar-toggler").click()
        page.locator("#crm-menu").wait_for(state="visible")
    page.locator('[data-module="knowledge"] > a').click()
    page.locator('[data-session="kb_search"]').click()
    page.wait_for_url(f"{base}/knowledge/search")
    page.fill("#kb-q", "reinicie router")
    page.select_option("#kb-language", "es")
    page.click("#kb-search-button")
    hit = page.locator(".kb-hit")
    hit.first.wait_for()
    expect(hit).to_have_count(1)
    assert hit.locator("mark").count() >= 1
    hit.locator("h2 a").click()
    page.locator("#kb-article").wait_for()
    expect(page.locator("#kb-body strong", has_text="router")).to_have_count(1)
    expect(page.locator("#kb-body ol li")).to_have_count(2)
    assert page.evaluate("window.__xss") is None  # the payloads in the body did not run
    expect(page.locator("#kb-body img[onerror]")).to_have_count(0)
    page.click("#kb-back")
    page.wait_for_url("**/knowledge/search?**")
    expect(page.locator(".kb-hit")).to_have_count(1)


@pytest.mark.browser
def test_desktop_search_and_read_an_article(page, served):
    server, _ids = served
    search_and_open(page, server.url, open_menu=False)


@pytest.mark.browser
def test_phone_search_and_read_an_article(phone, served, tmp_path):
    server, _ids = served
    search_and_open(phone, server.url, open_menu=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the article page scrolls sideways on a phone ({width}px)"
