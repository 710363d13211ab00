"""The generic screens and the API served from the cases declaration (CAS-01): grid with search
and status filter, detail, new, listing, export, import and OpenAPI; only the user's cases."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm_core.importing import engine
from plugins.cases.models import Case

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])


@pytest.fixture
def cases(new_case, create, action):
    bobs_account = create("accounts", "bob", code="C0900", name="Cliente de Bob")
    mine = new_case(subject="Factura duplicada")
    other = new_case(subject="Horno averiado", type="defect", product="Horno H-200")
    action(other, "open", "ana")
    bobs = create("cases", "bob", account_id=bobs_account.id, subject="Caso de Bob", type="sales")
    return {"mine": mine, "other": other, "bobs": bobs}


def test_the_grid_lists_searches_and_filters_the_users_cases(cases, client_for):
    ana = client_for("ana")
    html = ana.get("/s/cases").get_data(as_text=True)
    assert "Factura duplicada" in html and "Horno averiado" in html and "Caso de Bob" not in html
    assert cases["mine"].number in html and "Hoteles Sol S.A." in html  # the account by its name
    found = ana.get("/s/cases", query_string={"q": cases["other"].number}).get_data(as_text=True)
    assert "Horno averiado" in found and "Factura duplicada" not in found
    by_product = ana.get("/s/cases", query_string={"q": "H-200"}).get_data(as_text=True)
    assert "Horno averiado" in by_product
    gathering = ana.get("/s/cases", query_string={"status": "Gathering information"}).get_data(as_text=True)
    assert "Factura duplicada" in gathering and "Horno averiado" not in gathering
    leader = client_for("leader").get("/s/cases?all=1").get_data(as_text=True)
    assert "Caso de Bob" in leader


def test_new_and_detail_screens(cases, client_for, customer, db):
    ana = client_for("ana")
    form = ana.get("/s/cases/new").get_data(as_text=True)
    for name in ("account_id", "contact_id", "opportunity_id", "subject", "type", "priority", "origin",
                 "product", "symptom", "assignee_id", "group_id", "due_at"):
        assert f'name="{name}"' in form, name
    assert 'name="status"' not in form and 'name="number"' not in form
    created = ana.post("/s/cases/new", data={
        "account_id": customer["account"].id, "subject": "Desde el formulario", "type": "complaint",
        "priority": "high", "origin": "web", "due_at": "2030-05-01T09:30",
    })
    assert created.status_code == 302, created.get_data(as_text=True)
    detail = ana.get(created.headers["Location"]).get_data(as_text=True)
    assert "Desde el formulario" in detail and "C-" in detail
    assert ana.get(f"/s/cases/{cases['bobs'].id}").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_and_listing_have_the_users_cases(cases, client_for, fmt):
    ana = client_for("ana")
    for path, extra in (("/s/cases/export", {}), ("/s/cases/listing", {"run": "1"})):
        response = ana.get(path, query_string={"format": fmt, **extra})
        assert response.status_code == 200, path
        if fmt == "csv":
            text = response.get_data(as_text=True)
        else:
            sheet = load_workbook(io.BytesIO(response.data)).active
            text = "\n".join(",".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))
        assert cases["mine"].number in text and "Horno averiado" in text and "Caso de Bob" not in text, path


def test_the_import_screen_and_an_import_with_account_codes(client_for, crm_app, db, access_for, sdef, customer):
    assert client_for("ana").get("/s/cases/import").status_code == 200
    spec = engine.ImportSpec(columns=("account_code", "subject", "type", "priority"), separator=";", header=False)
    text = f"{customer['account'].code};Importado;complaint;urgent\nNOPE;Sin cliente;billing;low\n"
    result = engine.run_import(sdef("cases"), access_for("ana"), text, spec)
    assert [line for line, _f, _r in result.errors] == [2]
    good = engine.run_import(sdef("cases"), access_for("ana"), text.splitlines()[0] + "\n", spec)
    assert good.created == 1 and not good.errors
    case = db.scalar(select(Case).where(Case.subject == "Importado"))
    assert (case.account_id, case.type, case.priority, case.status) == (
        customer["account"].id, "complaint", "urgent", "gathering"
    )
    assert case.number.startswith("C-")


def test_the_api_lists_reads_and_patches_cases(cases, client_for):
    ana = client_for("ana")
    listed = ana.get("/api/v1/cases").get_json()["items"]
    assert {c["subject"] for c in listed} == {"Factura duplicada", "Horno averiado"}
    one = ana.get(f"/api/v1/cases/{cases['mine'].id}").get_json()
    assert one["number"] == cases["mine"].number and one["status"] == "gathering"
    patched = ana.patch(f"/api/v1/cases/{cases['mine'].id}", json={"priority": "urgent", "version": one["version"]})
    assert patched.status_code == 200 and patched.get_json()["priority"] == "urgent"
    assert ana.delete(f"/api/v1/cases/{cases['mine'].id}").status_code == 405  # cases are cancelled, not deleted


def test_openapi_documents_the_cases_endpoints(client_for):
    paths = client_for("ana").get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{element_id}", "/api/v1/cases/{element_id}/actions/close"} <= set(paths)


def test_the_grid_names_assignees_from_the_pages_users_only(new_case, client_for, users, db):
    """The assignee column reads the names of the page's assignees by id (an inactive one keeps
    their name), not the whole list of active users its form offers (issue 13 target 6)."""
    from flask import current_app

    from crm_core.testing import sql_statements

    new_case(subject="Para Bob", assignee_id=users["bob"].id)
    new_case(subject="Para el jefe", assignee_id=users["leader"].id)
    users["leader"].active = False
    db.commit()
    ana = client_for("ana")
    assert ana.get("/s/cases").status_code == 200
    with sql_statements(current_app.extensions["crm_db"].engine, markers=False) as seen:
        html = ana.get("/s/cases").get_data(as_text=True)
    assert users["bob"].display_name() in html and users["leader"].display_name() in html
    assert not [s for s in seen if "FROM crm_user" in s and "crm_user.active" in s], seen
