"""Saved views, the grid's address and previous/next through ``crm serve`` over real HTTP
(issue 17 item 4): a view saved from a filtered, re-columned grid, applied and made the default,
the record links carrying the grid's state, and the neighbours walked to the end."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest


@pytest.fixture(scope="module")
def leads(production) -> dict[str, int]:
    ana = production.server.login("ana")
    ids = {}
    for name in ("Vista Alfa", "Vista Beta", "Vista Gamma", "Otro nombre"):
        response = ana.post("/api/v1/leads", json={"name": name, "company": "Panorama SL"})
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


def test_a_view_saved_applied_and_opened_first_over_http(production, leads):
    ana = production.server.login("ana")
    saved = ana.post("/s/leads/views", data={"name": "Vistas", "q": "vista", "sort": "-name", "cols": ["name"]})
    assert saved.status_code == 302, saved.text
    grid = ana.get(saved.headers["location"])
    assert grid.status_code == 200
    names = re.findall(r'<td data-label="[^"]+"><a href="/s/leads/\d+\?back=[^"]+">([^<]+)</a>', grid.text)
    assert names == ["Vista Gamma", "Vista Beta", "Vista Alfa"]
    assert re.findall(r'<th scope="col" data-column="(\w+)"', grid.text) == ["name"]
    view_id = int(re.search(r"view=(\d+)", saved.headers["location"]).group(1))
    assert ana.post(f"/s/leads/views/{view_id}/default", data={"on": "1"}).status_code == 302
    bare = ana.get("/s/leads")
    assert bare.status_code == 302 and urlsplit(bare.headers["location"]).path == f"/s/leads/views/{view_id}"
    assert production.server.login("bob").get(f"/s/leads/views/{view_id}").status_code == 404


def test_next_record_walks_the_filtered_grid_and_back_returns_to_it(production, leads):
    ana = production.server.login("ana")
    grid = ana.get("/s/leads?q=vista&sort=name&view=0")
    first = re.search(r'<a href="(/s/leads/\d+\?back=[^"]+)">Vista Alfa<', grid.text).group(1).replace("&amp;", "&")
    walked, url = [], first
    while url:
        page = ana.get(url)
        assert page.status_code == 200
        walked.append(re.search(r'id="detail-title">([^<]+)<', page.text).group(1))
        found = re.search(r'id="record-next"[^>]*href="([^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        back = re.search(r'id="detail-back" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
        assert back == "/s/leads?q=vista&sort=name&view=0"
    assert walked == ["Vista Alfa", "Vista Beta", "Vista Gamma"]
