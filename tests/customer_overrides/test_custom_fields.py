"""Custom fields and built-in field settings of a client (EXT-16, PLUG-04): declared in
customer.toml, they appear on the form, grid, filters, sort, listing, export, import, REST API,
OpenAPI, history and global search, in English and Spanish."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec, loadable_fields
from crm_core.models.audit import AuditEntry
from crm_core.services import elements

CLIENTS = Path(__file__).parent / "clients"
pytestmark = pytest.mark.crm(customer="fieldsco", settings={"CRM_OVERRIDES_DIR": str(CLIENTS)})
BASE = {"name": "Ana Lead", "city": "Madrid", "code_name": "falcon"}


def leads(crm_app):  # type: ignore[no-untyped-def]
    return crm_app.extensions["crm"].registry.sdef("leads")


def make(db, access_for, user="ana", **data):  # type: ignore[no-untyped-def]
    from crm_core.app import crm_state

    with unit_of_work():
        return elements.create(db, crm_state().registry.sdef("leads"), access_for(user), {**BASE, **data})


def parse_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_api_creates_and_reads_every_type(client_for):
    body = {
        **BASE, "segment": "retail", "employees": 12, "revenue": "1500.5", "founded": "2001-02-03",
        "last_visit": "2026-05-01T10:00:00+02:00", "vip": True, "notes_long": "x" * 300,
        "tags": ["a", "c"], "website": "https://acme.test", "backup_email": "b@acme.test", "mobile": "+34600000000",
    }
    response = client_for("ana").post("/api/v1/leads", json=body)
    assert response.status_code == 201, response.get_json()
    lead_id = response.get_json()["id"]
    got = client_for("ana").get(f"/api/v1/leads/{lead_id}").get_json()
    assert got["segment"] == "retail" and got["employees"] == 12 and got["revenue"] == "1500.50"
    assert got["founded"] == "2001-02-03" and got["last_visit"].startswith("2026-05-01T08:00:00")
    assert got["vip"] is True and got["tags"] == ["a", "c"] and got["website"] == "https://acme.test"


def test_custom_values_live_in_the_json_document_and_read_as_attributes(db, access_for):
    lead = make(db, access_for, segment="corporate", employees="7", founded="2020-01-31")
    assert lead.custom["segment"] == "corporate" and lead.custom["founded"] == "2020-01-31"
    assert lead.segment == "corporate" and lead.employees == 7 and lead.founded.isoformat() == "2020-01-31"
    assert lead.vip is False  # the declared default


def test_a_patch_keeps_the_other_custom_values(client_for, db, access_for):
    lead = make(db, access_for, segment="retail", employees=3)
    response = client_for("ana").patch(f"/api/v1/leads/{lead.id}", json={"employees": 4}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["segment"] == "retail" and response.get_json()["employees"] == 4


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"segment": "wholesale"}, "segment", "Must be one of"),
        ({"employees": "many"}, "employees", "Not a valid integer"),
        ({"founded": "2026-02-31"}, "founded", "Not a valid date"),
        ({"code_name": ""}, "code_name", "Shorter than minimum length"),
        ({"code_name": "x" * 21}, "code_name", "Longer than maximum length"),
        ({"website": "nope"}, "website", "Not a valid URL"),
        ({"tags": "a, z"}, "tags", "Must be one of"),
        ({"city": ""}, "city", "Shorter than minimum length"),
    ],
)
def test_bad_values_are_refused_naming_the_field(client_for, db, data, field, fragment):
    response = client_for("ana").post("/api/v1/leads", json={**BASE, **data})
    assert response.status_code in (400, 422)
    assert fragment in str(response.get_json()), response.get_json()
    assert db.scalar(select(leads_model())) is None


def leads_model():  # type: ignore[no-untyped-def]
    from plugins.sales.models import Lead

    return Lead


def test_a_required_custom_field_must_be_given(client_for):
    body = {k: v for k, v in BASE.items() if k != "code_name"}
    response = client_for("ana").post("/api/v1/leads", json=body)
    assert response.status_code in (400, 422) and "code_name" in str(response.get_json())


def test_validation_messages_are_translated(client_for, users, db):
    users["ana"].language = "es"
    db.commit()
    response = client_for("ana").post("/api/v1/leads", json={**BASE, "employees": "many"})
    assert "entero" in str(response.get_json()).lower(), response.get_json()


def test_grid_shows_filters_and_sorts_by_a_custom_field(client_for, db, access_for):
    make(db, access_for, name="Bravo", segment="retail", employees=50)
    make(db, access_for, name="Alpha", segment="corporate", employees=5)
    make(db, access_for, name="Charlie", segment="retail", employees=500)
    page = client_for("ana").get("/s/leads", query_string={"sort": "-employees"}).get_data(as_text=True)
    assert "Segment" in page and "Employees" in page
    assert page.index("Charlie") < page.index("Bravo") < page.index("Alpha")
    assert "Retail" in page  # the choice's label, not its code
    api = client_for("ana").get("/api/v1/leads", query_string={"filter": "segment:=:retail", "sort": "employees"}).get_json()
    assert [i["name"] for i in api["items"]] == ["Bravo", "Charlie"]


def test_grid_and_form_speak_spanish(client_for, users, db, access_for):
    lead = make(db, access_for, segment="retail")
    users["ana"].language = "es"
    db.commit()
    grid = client_for("ana").get("/s/leads").get_data(as_text=True)
    assert "Segmento" in grid and "Minorista" in grid and "Nombre completo" in grid
    form = client_for("ana").get(f"/s/leads/{lead.id}?edit=1").get_data(as_text=True)
    assert "Segmento" in form and "Nombre en clave" in form and "Empresas" in form


def test_form_follows_the_clients_order_required_and_hidden_fields(client_for, db, access_for):
    lead = make(db, access_for)
    form = client_for("ana").get(f"/s/leads/{lead.id}?edit=1").get_data(as_text=True)
    assert 'name="source"' not in form  # hidden for this client
    assert form.index('name="name"') < form.index('name="segment"') < form.index('name="company"')
    response = client_for("ana").post("/s/leads/new", data={"name": "X", "code_name": "y", "city": ""})
    assert "Madrid" not in response.get_data(as_text=True)
    assert leads_model_count(db) == 1  # the empty required city refused the new lead


def leads_model_count(db) -> int:  # type: ignore[no-untyped-def]
    return len(db.scalars(select(leads_model())).all())


def test_listing_criteria_and_export_use_custom_fields(client_for, db, access_for):
    make(db, access_for, name="Bravo", segment="retail", founded="2001-01-01", mobile="+34611111111")
    make(db, access_for, name="Alpha", segment="corporate", founded="2010-01-01")
    rows = parse_csv(client_for("ana").get("/s/leads/listing", query_string={
        "run": "1", "format": "csv", "f": "founded", "op": "<", "v": "2005-01-01"}))
    assert len(rows) == 2 and "Bravo" in rows[1]  # the header and Bravo's row only
    exported = parse_csv(client_for("ana").get("/s/leads/export", query_string={"format": "csv", "sort": "segment"}))
    header = exported[0]
    assert "Segment" in header
    body = "\n".join(",".join(r) for r in exported)
    assert "+34611111111" not in body  # mobile is not exportable


def test_text_search_and_global_search_find_a_searchable_custom_field(client_for, db, access_for):
    make(db, access_for, name="Zed", notes_long="met at the trade fair in Lyon")
    make(db, access_for, name="Other")
    grid = client_for("ana").get("/s/leads", query_string={"q": "lyon"}).get_data(as_text=True)
    assert "Zed" in grid and "Other" not in grid
    found = client_for("ana").get("/search", query_string={"q": "lyon"}).get_data(as_text=True)
    assert "Zed" in found


def test_history_names_the_custom_field_that_changed(client_for, db, access_for):
    lead = make(db, access_for, segment="retail")
    with unit_of_work():
        elements.update(db, leads(client_for("ana").application), access_for("ana"), lead, {"segment": "corporate"})
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.element_id == lead.id, AuditEntry.operation == "update")
    ).one()
    assert entry.changes["segment"] == ["retail", "corporate"]
    html = client_for("ana").get(f"/s/leads/{lead.id}?tab=history").get_data(as_text=True)
    assert "Segment" in html


def test_openapi_describes_custom_fields(client_for):
    spec = client_for("ana").get("/api/v1/openapi.json").get_json()
    item = next(v for k, v in spec["components"]["schemas"].items() if k.lower().startswith("lead"))
    assert {"segment", "employees", "founded", "tags"} <= set(item["properties"])


def test_import_maps_custom_fields_by_label(db, access_for, crm_app):
    sdef = leads(crm_app)
    assert "segment" in loadable_fields(sdef) and "backup_email" not in loadable_fields(sdef)
    text = "Full name;City;Code name;Segment;Employees\nImp One;Bilbao;c1;retail;3\nImp Two;Vigo;c2;nope;4\n"
    report = run_import(sdef, access_for("ana"), text, ImportSpec(
        ("name", "city", "code_name", "segment", "employees"), ";", True, "valid"))
    assert report.created == 1 and len(report.errors) == 1
    imported = db.scalars(select(leads_model()).where(leads_model().name == "Imp One")).one()
    assert imported.segment == "retail" and imported.employees == 3


def test_multi_choice_shows_its_labels_and_takes_codes_from_the_form(client_for, db, access_for):
    lead = make(db, access_for, tags=["a", "b"])
    grid = client_for("ana").get("/s/leads").get_data(as_text=True)
    assert "a, b" in grid
    form = client_for("ana").get(f"/s/leads/{lead.id}?edit=1").get_data(as_text=True)
    assert 'value="a, b"' in form
    assert 'data-help="segment"' in form and "The market" in form


@pytest.mark.crm(plugins=["sales", "activities", "cases", "knowledge", "telephony"], customer="fieldsco",
                 settings={"CRM_OVERRIDES_DIR": str(CLIENTS)})
def test_every_business_session_takes_custom_fields(crm_app):
    from crm_core.custom_fields.apply import supports_custom_fields

    registry = crm_app.extensions["crm"].registry
    taking = {s.name for s in registry.grid_sessions() if supports_custom_fields(s)}
    assert {"leads", "accounts", "contacts", "opportunities", "campaigns", "activities", "cases", "articles",
            "calls"} <= taking
    assert "groupings" not in taking
