"""Custom fields through ``crm serve`` (2 workers) over real HTTP (EXT-16, PLUG-04): a field
declared in customer.toml and one added on Configuration → Fields reach the API, OpenAPI, grid,
export (read to the end) and import of every worker; ``crm fields index`` is the one command."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from crm_core.testing.database import scratch_database
from tests.support.served import ServedCrm, csrf_token, prepare_database, served_crm, server_env

CLIENT = """
[plugins]
enabled = ["sales", "activities"]

[fields.leads.segment]
type = "choice"
label = { en = "Segment", es = "Segmento" }
choices = { retail = { en = "Retail", es = "Minorista" }, corporate = { en = "Corporate", es = "Empresas" } }
listable = true
searchable = true

[fields.leads.city]
required = true
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedCrm]:
    tmp = tmp_path_factory.mktemp("fields")
    client = tmp / "customers" / "fieldsco"
    client.mkdir(parents=True)
    client.joinpath("customer.toml").write_text(CLIENT, encoding="utf-8")
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(client.parent), CRM_CUSTOMER="fieldsco")
        with served_crm(env, cwd=str(tmp)) as server:
            yield server


def rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_index_command_then_every_path_of_a_declared_field(served):
    indexed = served.crm("fields", "index")
    assert indexed.returncode == 0 and "cfx_sales_lead_segment" in indexed.stdout, indexed.stderr
    ana = served.login("ana")
    made = ana.post("/api/v1/leads", json={"name": "Served lead", "city": "Toledo", "segment": "corporate"})
    assert made.status_code == 201, made.text
    refused = ana.post("/api/v1/leads", json={"name": "No city", "segment": "retail"})
    assert refused.status_code in (400, 422) and "city" in refused.text
    bad = ana.post("/api/v1/leads", json={"name": "Bad", "city": "X", "segment": "wholesale"})
    assert bad.status_code in (400, 422) and "segment" in bad.text
    found = ana.get("/api/v1/leads", params={"filter": "segment:=:corporate", "sort": "-segment"}).json()
    assert [i["name"] for i in found["items"]] == ["Served lead"]
    spec = ana.get("/api/v1/openapi.json").json()
    assert any("segment" in s.get("properties", {}) for s in spec["components"]["schemas"].values())
    grid = ana.get("/s/leads", params={"q": "corporate"})
    assert grid.status_code == 200 and "Served lead" in grid.text and "Corporate" in grid.text
    with ana.stream("GET", "/s/leads/export", params={"format": "csv", "sort": "segment"}) as download:
        body = b"".join(download.iter_bytes())  # read to the end
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "Segment" in table[0]
    assert table[1][table[0].index("Segment")] == "Corporate"


def test_a_field_added_on_the_screen_reaches_every_worker(served):
    admin = served.login("admin")
    saved = admin.post("/config/fields", data={
        "session_name": "leads", "name": "employees", "type": "integer", "label_en": "Employees",
        "label_es": "Empleados", "listable": "1", "csrf_token": csrf_token(admin, "/config/fields"),
    })
    assert saved.status_code == 302, saved.text
    ana = served.login("ana")
    for attempt in range(6):  # two workers: each must know the field, whichever answers
        made = ana.post("/api/v1/leads", json={"name": f"Staff {attempt}", "city": "Lugo", "employees": attempt})
        assert made.status_code == 201, made.text
        assert made.json()["employees"] == attempt
        assert "Employees" in ana.get("/s/leads").text
    refused = ana.post("/api/v1/leads", json={"name": "Many", "city": "Lugo", "employees": "many"})
    assert refused.status_code in (400, 422) and "employees" in refused.text
