"""Field access by group and smart lists through ``crm serve`` (2 workers) over real HTTP
(issue 18 items 6 and 7): a field customer.toml hides from Executives and one it makes read-only
on every path an executive reaches — form, API, export read to the end, search, import — and a
rule stored on Configuration → Fields reaching every worker; a smart list saved from the grid's
filters whose members are computed per user."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from crm_core.testing.database import scratch_database
from tests.support.served import ServedCrm, csrf_token, prepare_database, served_crm, server_env

CLIENT = """
[plugins]
enabled = ["sales", "activities"]

[field_access.leads."Executives"]
hidden = ["source"]
read_only = ["company"]
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCrm]:
    tmp = tmp_path_factory.mktemp("access")
    client = tmp / "customers" / "accessco"
    client.mkdir(parents=True)
    client.joinpath("customer.toml").write_text(CLIENT, encoding="utf-8")
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(client.parent), CRM_CUSTOMER="accessco")
        with served_crm(env, cwd=str(tmp)) as server:
            yield server


def test_hidden_and_read_only_fields_on_every_path_of_an_executive(served):
    admin, ana = served.login("admin"), served.login("ana")
    made = ana.post("/api/v1/leads", json={"name": "Served access"})
    assert made.status_code == 201, made.text
    lead = made.json()
    assert "source" not in lead and "company" in lead
    for refused in (ana.post("/api/v1/leads", json={"name": "Sourced", "source": "Fair"}),
                    ana.post("/api/v1/leads", json={"name": "Of a company", "company": "Acme"})):
        assert refused.status_code == 400 and "may not change" in refused.text
    # the administrator (not restricted) gives it a source and a company; ana never sees the source
    assert admin.patch(f"/api/v1/leads/{lead['id']}", json={"source": "Zq9Fair", "company": "Acme"}).status_code == 200
    assert admin.get(f"/api/v1/leads/{lead['id']}").json()["source"] == "Zq9Fair"
    for path in (f"/s/leads/{lead['id']}", f"/s/leads/{lead['id']}?edit=1", f"/s/leads/{lead['id']}?tab=history", f"/api/v1/leads/{lead['id']}",
                 "/api/v1/leads", "/s/leads"):
        page = ana.get(path)
        assert page.status_code == 200 and "Zq9Fair" not in page.text, path
    with ana.stream("GET", "/s/leads/export", params={"format": "csv"}) as download:
        body = b"".join(download.iter_bytes())  # read to the end
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "Served access" in body.decode("utf-8-sig") and "Zq9Fair" not in body.decode("utf-8-sig")
    assert "Source" not in table[0]
    assert ana.get("/api/v1/leads", params={"q": "Zq9Fair"}).json()["items"] == []
    assert ana.get("/api/v1/leads", params={"sort": "source"}).status_code == 400
    # read-only: shown as a value, refused when changed, the form's forged field refused too
    form = ana.get(f"/s/leads/{lead['id']}?edit=1")
    assert 'data-locked="company"' in form.text and 'name="company"' not in form.text
    changed = ana.patch(f"/api/v1/leads/{lead['id']}", json={"company": "Beta"})
    assert changed.status_code == 400 and "may not change" in changed.text
    version = admin.get(f"/api/v1/leads/{lead['id']}").json()["version"]
    forged = ana.post(f"/s/leads/{lead['id']}", data={
        "name": "Served access", "company": "Beta", "version": version,
        "csrf_token": csrf_token(ana, f"/s/leads/{lead['id']}"),
    })
    assert forged.status_code == 400 and "may not change" in forged.text
    assert admin.get(f"/api/v1/leads/{lead['id']}").json()["company"] == "Acme"
    upload = ana.post("/api/v1/leads/imports", files={"file": ("l.csv", b"name,company\nX,Y\n", "text/csv")},
                      data={"columns": json.dumps(["name", "company"])})
    assert upload.status_code == 400 and "may not change" in upload.text


def test_a_rule_stored_on_the_screen_reaches_every_worker(served):
    admin = served.login("admin")
    groups = admin.get("/config/fields/access", params={"session_name": "leads"}).text
    executives = groups.split('">Executives</option>')[0].rsplit('value="', 1)[1]
    saved = admin.post("/config/fields/access", data={
        "group": executives, "session_name": "leads", "field:city": "hidden",
        "csrf_token": csrf_token(admin, "/config/fields/access"),
    })
    assert saved.status_code == 302, saved.text
    ana = served.login("ana")
    for _attempt in range(6):  # two workers: whichever answers knows the rule
        made = ana.post("/api/v1/leads", json={"name": "Cityless", "city": "Quito"})
        assert made.status_code == 400 and "city" in made.json()["error"]["fields"]
        assert all("city" not in item for item in ana.get("/api/v1/leads").json()["items"])


def test_a_smart_list_from_the_grids_filter_is_computed_per_user(served):
    ana, bob, leader = served.login("ana"), served.login("bob"), served.login("leader")
    for client, name in ((ana, "Smartco Ana"), (bob, "Smartco Bob")):
        assert client.post("/api/v1/leads", json={"name": name}).status_code == 201
    grid = leader.get("/s/leads", params={"q": "smartco", "all": "1"})
    assert 'id="tool-smart-list"' in grid.text
    saved = leader.post("/api/v1/groupings", json={"name": "Smartco", "session_name": "leads",
                                                   "criteria": "q=smartco"})
    assert saved.status_code == 201, saved.text
    gid = saved.json()["id"]
    bad = leader.post("/api/v1/groupings", json={"name": "Bad", "session_name": "leads", "criteria": "filter=shoe:=:1"})
    assert bad.status_code == 400 and "shoe" in bad.text
    tab = leader.get(f"/s/groupings/{gid}", params={"tab": "members"}).text
    assert "2 records match its criteria for you now." in tab
    assert "Smartco Ana" in tab and "Smartco Bob" in tab
    # a newcomer that matches is a member at once
    assert ana.post("/api/v1/leads", json={"name": "Smartco Two"}).status_code == 201
    assert "3 records match" in leader.get(f"/s/groupings/{gid}", params={"tab": "members"}).text
    # the members as a list: the grid, its CSV export read to the end, the API — per user
    grid = leader.get("/s/leads", params={"grouping": gid, "all": "1"}).text
    assert "Members of Smartco" in grid and f"/s/leads/export?format=csv&amp;all=1&amp;grouping={gid}" in grid
    with leader.stream("GET", "/s/leads/export", params={"format": "csv", "all": "1", "grouping": gid}) as download:
        body = b"".join(download.iter_bytes()).decode("utf-8-sig")
    assert {"Smartco Ana", "Smartco Bob", "Smartco Two"} <= {row[0] for row in csv.reader(io.StringIO(body))}
    assert {i["name"] for i in leader.get("/api/v1/leads", params={"grouping": gid, "all": "1"}).json()["items"]} == {
        "Smartco Ana", "Smartco Bob", "Smartco Two"}
    refused = ana.get("/api/v1/leads", params={"grouping": gid})  # the leader's grouping: not ana's to use
    assert refused.status_code == 400 and "grouping" in refused.json()["error"]["fields"]


def test_the_openapi_document_of_an_executive_leaves_out_what_they_may_not_see(served):
    ana_doc = served.login("ana").get("/api/v1/openapi.json").json()
    assert "source" not in ana_doc["components"]["schemas"]["leads"]["properties"]
    assert ana_doc["components"]["schemas"]["leads"]["properties"]["company"]["readOnly"] is True
    anonymous = httpx.get(f"{served.url}/api/v1/openapi.json", timeout=30).json()
    assert "source" in anonymous["components"]["schemas"]["leads"]["properties"]
