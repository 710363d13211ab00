"""The demo client served by ``crm serve`` over real HTTP (issue 17 items 11 and 12): ``crm demo``
fills a believable company once (a second run adds nothing), the pages carry the client's name,
logo and colour, ``/favicon.ico`` is no 404, an empty grid offers the next step, and the
opportunities' PDF listing (downloaded to the end) has its criteria, page numbers and total."""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Iterator

import pypdf
import pytest

from crm_core.config import REPO_ROOT
from crm_core.testing.database import scratch_database
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCrm]:
    tmp = tmp_path_factory.mktemp("demo-client")
    folder = tmp / "customers" / "demo"
    shutil.copytree(REPO_ROOT / "customer_overrides" / "demo", folder, ignore=shutil.ignore_patterns("__pycache__"))
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(folder.parent), CRM_CUSTOMER="demo")
        with served_crm(env, cwd=str(tmp)) as server:
            yield server


def _count(client, session_name: str) -> int:
    html = client.get(f"/s/{session_name}", params={"all": "1", "count": "1"}).text
    found = re.search(r'id="grid-count">([\d,]+)\+? records', html)
    assert found, html[:500]
    return int(found[1].replace(",", ""))


def test_crm_demo_fills_a_company_once(demo):
    started = time.perf_counter()
    first = demo.crm("demo")
    took = time.perf_counter() - started
    assert first.returncode == 0, first.stderr
    assert "leader" in first.stdout and "demo1234" in first.stdout  # the test users keep their password
    leader = demo.login("leader")
    counts = {s: _count(leader, s) for s in ("leads", "accounts", "contacts", "opportunities", "activities", "cases")}
    assert counts["leads"] >= 300 and counts["accounts"] >= 120 and counts["contacts"] >= 120, counts
    assert counts["opportunities"] >= 200 and counts["activities"] >= 300 and counts["cases"] >= 20, counts
    again = demo.crm("demo")
    assert again.returncode == 0, again.stderr
    assert {s: _count(leader, s) for s in counts} == counts
    board = leader.get("/s/opportunities/board")
    assert board.status_code == 200 and board.text.count('class="card crm-card') >= 30
    print(f"crm demo (first run, whole process): {took:.1f} s")


def test_pages_carry_the_clients_name_logo_and_icon(demo):
    anonymous = demo.client()
    login = anonymous.get("/login").text
    assert "<title>Log in · Demo Corp</title>" in login
    logo = re.search(r'src="(/assets/brand/logo\.[0-9a-f]{12}\.svg)"', login)[1]
    answer = anonymous.get(logo)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in answer.headers["cache-control"] and answer.content.startswith(b"<svg")
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 302 and icon.headers["location"].endswith(logo)
    home = demo.login("ana").get("/").text
    css = re.search(r'href="(/assets/brand/brand\.[0-9a-f]{12}\.css)"', home)[1]
    assert "#0b6e4f" in anonymous.get(css).text and "Demo Corp" in home.split('id="brand"', 1)[1][:400]


def test_an_empty_grid_offers_the_next_step(demo):
    bob = demo.login("bob")
    page = bob.get("/s/campaigns", params={"q": "no such campaign anywhere"}).text
    assert 'data-empty="filtered"' in page and 'id="empty-clear" href="/s/campaigns"' in page
    assert "No campaigns match these filters." in page


def test_the_opportunities_pdf_has_criteria_pages_and_total(demo):
    demo.crm("demo")
    leader = demo.login("leader")
    params = {"run": "1", "format": "pdf", "all": "1", "f": "amount", "op": ">", "v": "1000"}
    with leader.stream("GET", "/s/opportunities/listing", params=params) as answer:
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        body = b"".join(answer.iter_bytes())
    reader = pypdf.PdfReader(io.BytesIO(body))
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert "Criteria: Amount > 1,000" in first and "Date:" in first and "Demo Corp" in first
    assert f"Page 1 of {len(reader.pages)}" in first and f"Page {len(reader.pages)} of {len(reader.pages)}" in last
    assert "Total" in last
