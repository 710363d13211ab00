"""From a record back to the grid it was opened from, and to the previous/next record of that
filtered, sorted result (issue 17 item 4): the grid's state travels in ``back`` (only this
session's grid on this site), the neighbours come from the grid's query through the ownership
filter, one keyset row each way, whatever the page and whatever NULLs the sort column holds."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from flask import current_app

from crm_core.testing import sql_statements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def nav(html: str) -> dict[str, str | None]:
    def href(ident: str) -> str | None:
        found = re.search(rf'id="{ident}"[^>]*href="([^"]+)"', html)
        return found.group(1).replace("&amp;", "&") if found else None

    return {"prev": href("record-prev"), "next": href("record-next"), "back": href("detail-back")}


def walk(client, first_url: str) -> list[int]:
    """Follow "next" from ``first_url`` to the end; the record ids in order."""
    seen, url = [], first_url
    while url:
        html = client.get(url).get_data(as_text=True)
        seen.append(int(re.search(r"/s/samples/(\d+)", url).group(1)))
        url = nav(html)["next"]
        assert len(seen) < 50
    return seen


def grid_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)">', html)]


@pytest.mark.parametrize("sort", ["amount", "-amount", "name", "-name", ""])
def test_next_walks_the_filtered_sorted_grid_across_pages_nulls_included(client_for, make_sample, sort):
    amounts = [Decimal("5"), None, Decimal("1"), Decimal("5"), None, Decimal("3"), Decimal("9")]
    for i, amount in enumerate(amounts):
        make_sample("ana", name=f"Keep {i % 3}", amount=amount)
    make_sample("ana", name="Drop me", amount=Decimal("4"))
    make_sample("bob", name="Keep bob", amount=Decimal("2"))  # never ana's
    ana = client_for("ana")
    grid = f"/s/samples?q=keep&per_page=10&sort={sort}"
    expected = grid_ids(ana.get(grid).get_data(as_text=True))
    assert len(expected) == len(amounts)
    back = quote(f"/s/samples?q=keep&per_page=10&sort={sort}&page=2", safe="")
    first = f"/s/samples/{expected[0]}?back={back}"
    assert walk(ana, first) == expected
    last_html = ana.get(f"/s/samples/{expected[-1]}?back={back}").get_data(as_text=True)
    assert nav(last_html)["next"] is None
    assert f"/s/samples/{expected[-2]}?" in nav(last_html)["prev"]
    assert nav(last_html)["back"] == f"/s/samples?q=keep&per_page=10&sort={sort}&page=2"


def test_the_grid_links_carry_its_state_to_the_detail(client_for, make_sample):
    one = make_sample("ana", name="One")
    html = client_for("ana").get("/s/samples?q=one&sort=name").get_data(as_text=True)
    assert f'href="/s/samples/{one.id}?back=/s/samples?q%3Done%26sort%3Dname"' in html


@pytest.mark.parametrize("back", ["https://evil.example/s/samples", "//evil.example/s/samples", "/s/locked_samples",
                                  "/logout", "/s/samples?q=%00", "/s/samples\\x", "javascript:alert(1)",
                                  "/s/samples?page=99999999999999999999999", "/s/samples#x"])
def test_a_back_that_is_not_this_grid_is_ignored(client_for, make_sample, back):
    make_sample("ana", name="A")
    mine = make_sample("ana", name="B")
    response = client_for("ana").get(f"/s/samples/{mine.id}", query_string={"back": back})
    assert response.status_code == 200
    links = nav(response.get_data(as_text=True))
    assert links == {"prev": None, "next": None, "back": "/s/samples"}


def test_neighbours_follow_the_ownership_filter_and_all_records(client_for, make_sample):
    a = make_sample("ana", name="A")
    b = make_sample("bob", name="B")
    c = make_sample("ana", name="C")
    back = quote("/s/samples?sort=name&all=1", safe="")
    assert nav(client_for("ana").get(f"/s/samples/{a.id}?back={back}").get_data(as_text=True))["next"].startswith(
        f"/s/samples/{c.id}?")
    leader = client_for("leader").get(f"/s/samples/{a.id}?back={back}").get_data(as_text=True)
    assert nav(leader)["next"].startswith(f"/s/samples/{b.id}?")


def test_neighbours_cost_two_statements_whatever_the_list_size(client_for, make_sample):
    ids = [make_sample("ana", name=f"N{i:02}").id for i in range(30)]
    ana = client_for("ana")
    url = f"/s/samples/{ids[15]}?back=" + quote("/s/samples?sort=name", safe="")
    ana.get(url)
    plain = f"/s/samples/{ids[15]}"
    ana.get(plain)
    with sql_statements(current_app.extensions["crm_db"].engine, markers=False) as with_nav:
        ana.get(url)
    with sql_statements(current_app.extensions["crm_db"].engine, markers=False) as without:
        ana.get(plain)
    assert len(with_nav) - len(without) == 2
    assert all("LIMIT" in s for s in with_nav if s not in without)


def test_saving_keeps_the_way_back(client_for, make_sample):
    one = make_sample("ana", name="One")
    back = "/s/samples?q=one"
    ana = client_for("ana")
    html = ana.get(f"/s/samples/{one.id}", query_string={"back": back, "edit": "1"}).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    form = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    form.update(name="One renamed", version=version)
    response = ana.post(f"/s/samples/{one.id}", query_string={"back": back}, data=form)
    assert response.status_code == 302
    assert response.location == f"/s/samples/{one.id}?back=/s/samples?q%3Done"
