"""Full-text search (EXT-10): the language's rules, ranking, snippets, filters and permissions,
on SQLite (FTS5) and PostgreSQL (tsvector), with the index kept in step by every write."""

from __future__ import annotations

import pytest

from plugins.knowledge.search import fts5_query, search

pytestmark = pytest.mark.crm(plugins=["knowledge"])


def titles(hits):
    return [h.article.title for h in hits]


def is_pg(db) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def test_finds_an_article_by_a_word_of_its_body_and_marks_it_in_the_snippet(db, access_for, add_article):
    add_article("ana", "Router setup", "Restart the **router** when the PON light blinks.")
    add_article("ana", "Invoices", "Paying invoices by direct debit.")
    hits = search(db, access_for("ana"), "blinks")
    assert titles(hits) == ["Router setup"]
    assert "<mark>blinks</mark>" in str(hits[0].snippet)


def test_spanish_words_match_their_other_forms(db, access_for, add_article):
    add_article("ana", "Facturación", "Las facturas se cobran por domiciliación bancaria.", language="es")
    # PostgreSQL stems with the Spanish rules; SQLite matches the word as a prefix, accents folded.
    assert titles(search(db, access_for("ana"), "factura")) == ["Facturación"]
    assert titles(search(db, access_for("ana"), "domiciliacion")) == ["Facturación"]


@pytest.mark.parametrize("query", ["connecting", "connected"])
def test_english_stemming_on_postgresql(db, access_for, add_article, query):
    add_article("ana", "Connection drops", "The modem connects and then drops.", language="en")
    hits = search(db, access_for("ana"), query)
    if is_pg(db):
        assert titles(hits) == ["Connection drops"]  # connect- stems alike in English
    else:
        assert hits == []  # SQLite: prefix matching only ("connect" would find it)
        assert titles(search(db, access_for("ana"), "connect")) == ["Connection drops"]


def test_a_title_match_ranks_above_a_body_match(db, access_for, add_article):
    add_article("ana", "Invoices", "Something about a modem in passing.")
    add_article("ana", "Modem lights", "What each light means.")
    assert titles(search(db, access_for("ana"), "modem")) == ["Modem lights", "Invoices"]


def test_websearch_syntax_phrase_or_and_not(db, access_for, add_article):
    add_article("ana", "A", "direct debit of invoices")
    add_article("ana", "B", "debit card, direct line")
    add_article("ana", "C", "paper invoices")
    ana = access_for("ana")
    assert titles(search(db, ana, '"direct debit"')) == ["A"]
    assert sorted(titles(search(db, ana, "invoices"))) == ["A", "C"]
    assert titles(search(db, ana, "invoices -paper")) == ["A"]
    assert sorted(titles(search(db, ana, "card or paper"))) == ["B", "C"]


def test_filters_by_product_language_and_tag(db, access_for, add_article):
    add_article("ana", "Router EN", "router lights", product="Fibre 300", tags="router, lights")
    add_article("ana", "Router ES", "luces del router", product="Fibre 300", language="es", tags="router")
    add_article("ana", "Router mobile", "router for mobile", product="Mobile", tags="hotspot")
    ana = access_for("ana")
    assert sorted(titles(search(db, ana, "router", product="fibre 300"))) == ["Router EN", "Router ES"]
    assert titles(search(db, ana, "router", language="es")) == ["Router ES"]
    assert titles(search(db, ana, "router", tag="lights")) == ["Router EN"]
    assert titles(search(db, ana, "router", tag="light")) == []  # tags match whole


def test_users_find_published_articles_and_their_own_drafts_only(db, access_for, add_article):
    add_article("ana", "Ana's draft", "modem", published=False)
    add_article("bob", "Bob's draft", "modem", published=False)
    add_article("bob", "Bob's published", "modem")
    assert sorted(titles(search(db, access_for("ana"), "modem"))) == ["Ana's draft", "Bob's published"]
    assert sorted(titles(search(db, access_for("leader"), "modem"))) == ["Ana's draft", "Bob's draft", "Bob's published"]


def test_the_index_follows_updates_and_deletes(db, access_for, add_article):
    article = add_article("ana", "Old title", "old words")
    ana = access_for("ana")
    article.title, article.body = "New title", "fresh words"
    db.commit()
    assert search(db, ana, "old") == []
    assert titles(search(db, ana, "fresh")) == ["New title"]
    article.language = "es"
    db.commit()
    assert titles(search(db, ana, "fresh")) == ["New title"]
    db.delete(article)
    db.commit()
    assert search(db, ana, "fresh") == []


def test_snippets_escape_everything_but_the_marks(db, access_for, add_article):
    add_article("ana", "XSS", 'modem <script>alert(1)</script> <img src=x onerror="alert(2)">')
    snippet = str(search(db, access_for("ana"), "modem")[0].snippet)
    assert "<script" not in snippet and "<img" not in snippet
    assert "<mark>modem</mark>" in snippet


@pytest.mark.parametrize("query", ["", "   ", "-modem", '""', "or", "*", "NEAR(a b)", "title:modem", "\x02\x03"])
def test_queries_with_nothing_positive_find_nothing_and_never_fail(db, access_for, add_article, query):
    add_article("ana", "Modem", "modem title near")
    hits = search(db, access_for("ana"), query)
    if query in ("title:modem", "NEAR(a b)"):
        return  # words: found or not, but never an FTS syntax error
    assert hits == []


def test_fts5_query_quotes_every_word():
    assert fts5_query('router "pon light" -red or blue') == '"router"* AND "pon light" NOT "red"* OR "blue"*'
    assert fts5_query("title:x NEAR(a)") == '"title x"* AND "NEAR a"*'
    assert fts5_query("-only") == ""
