"""The main sales flows through the generic screens and the REST API (SAL-01..SAL-09, CORE-16),
and the import of leads from a semicolon-separated Latin-1 file (SAL-01, CORE-11)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.sales.models import Account, Contact, Lead, Opportunity
from tests.plugins.sales.conftest import requires_route

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


@pytest.fixture
def api(crm_app):
    requires_route(crm_app, "api.run_action")


@pytest.fixture
def screens(crm_app):
    requires_route(crm_app, "screens.action")


def test_api_create_and_qualify_a_lead(api, client_for, db):
    ana = client_for("ana")
    created = ana.post("/api/v1/leads", json={"name": "Ferretería Ruiz", "email": "carmen@ruiz.example"})
    assert created.status_code == 201, created.json
    lead_id = created.json["id"]
    done = ana.post(f"/api/v1/leads/{lead_id}/actions/qualify",
                    json={"create_opportunity": True, "opportunity_name": "Primer pedido"})
    assert done.status_code == 200, done.json
    assert done.json["item"]["status"] == "qualified"
    assert done.json["result"]["session_name"] == "accounts"
    assert done.json["result"]["item"]["code"].startswith("OP")
    again = ana.post(f"/api/v1/leads/{lead_id}/actions/qualify", json={})
    assert again.status_code in (409, 422)


def test_api_disqualify_without_reason_is_a_field_error(api, client_for, create, db):
    lead = create("leads", "ana", name="Talleres")
    response = client_for("ana").post(f"/api/v1/leads/{lead.id}/actions/disqualify", json={})
    assert response.status_code == 400
    assert "reason" in response.json["error"]["fields"]
    db.expire_all()
    assert db.get(Lead, lead.id).status == "active"


def test_api_close_won_with_a_duplicate_code_changes_nothing(api, client_for, create, action, db):
    create("accounts", "ana", code="C0001", name="Levante")
    lead = create("leads", "ana", name="Espiga")
    account = action("leads", lead, "qualify", "ana", create_opportunity=True)
    opp = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    response = client_for("ana").post(f"/api/v1/opportunities/{opp.id}/actions/close_won",
                                      json={"reason": "ok", "account_code": "C0001"})
    assert response.status_code == 400 and "account_code" in response.json["error"]["fields"]
    db.expire_all()
    assert db.get(Opportunity, opp.id).status == "active"
    assert db.get(Account, account.id).status == "potential"


@pytest.mark.parametrize("session_name", ["opportunities", "accounts"])
def test_api_refuses_to_delete_opportunities_and_accounts(api, client_for, create, db, session_name):
    account = create("accounts", "ana", code="C0001", name="Levante")
    opp = create("opportunities", "ana", name="Renovación", account_id=account.id)
    target = opp if session_name == "opportunities" else account
    response = client_for("ana").delete(f"/api/v1/{session_name}/{target.id}")
    assert response.status_code == 405
    assert db.get(type(target), target.id) is not None


def test_api_kind_cannot_be_patched(api, client_for, create):
    account = create("accounts", "ana", code="C0001", name="Levante")
    opp = create("opportunities", "ana", name="Renovación", account_id=account.id)
    response = client_for("ana").patch(f"/api/v1/opportunities/{opp.id}", json={"kind": "purchase"})
    assert response.status_code == 400
    assert client_for("ana").get(f"/api/v1/opportunities/{opp.id}").json["kind"] == "sale"


def test_api_ownership_ana_sees_hers_leader_sees_all(api, client_for, create):
    create("leads", "ana", name="De Ana")
    bobs = create("leads", "bob", name="De Bob")
    names = lambda c, q="": sorted(i["name"] for i in c.get(f"/api/v1/leads{q}").json["items"])  # noqa: E731
    assert names(client_for("ana"), "?all=1") == ["De Ana"]
    assert names(client_for("leader"), "?all=1") == ["De Ana", "De Bob"]
    assert client_for("ana").get(f"/api/v1/leads/{bobs.id}").status_code == 404


def test_api_contact_creation_needs_an_account(api, client_for, db):
    response = client_for("ana").post("/api/v1/contacts", json={"last_name": "Soler"})
    assert response.status_code == 400 and "account_id" in response.json["error"]["fields"]
    assert db.scalar(select(func.count()).select_from(Contact)) == 0


def test_screens_new_lead_qualify_and_account_tabs(screens, client_for, db):
    ana = client_for("ana")
    created = ana.post("/s/leads/new", data={"name": "Panadería La Espiga", "email": "jorge@espiga.example",
                                              "contact_person": "Jorge Martín"})
    assert created.status_code == 302
    lead = db.scalar(select(Lead).where(Lead.name == "Panadería La Espiga"))
    form = ana.get(f"/s/leads/{lead.id}/action/qualify")
    assert form.status_code == 200 and 'name="create_opportunity"' in form.get_data(as_text=True)
    done = ana.post(f"/s/leads/{lead.id}/action/qualify",
                    data={"create_opportunity": "y", "opportunity_name": "Horno", "create_contact": "y"})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Lead, lead.id).status == "qualified"
    account = db.scalar(select(Account))
    assert account.code in ana.get(f"/s/accounts/{account.id}").get_data(as_text=True)
    assert "Martín" in ana.get(f"/s/accounts/{account.id}?tab=contacts").get_data(as_text=True)
    assert "Horno" in ana.get(f"/s/accounts/{account.id}?tab=opportunities").get_data(as_text=True)


def test_screens_disqualify_without_reason_shows_the_error(screens, client_for, create, db):
    lead = create("leads", "ana", name="Talleres")
    response = client_for("ana").post(f"/s/leads/{lead.id}/action/disqualify", data={"reason": ""})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Lead, lead.id).status == "active"


def test_screens_close_won_duplicate_code_refused(screens, client_for, create, action, db):
    create("accounts", "ana", code="C0001", name="Levante")
    lead = create("leads", "ana", name="Espiga")
    action("leads", lead, "qualify", "ana", create_opportunity=True)
    opp = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    response = client_for("ana").post(f"/s/opportunities/{opp.id}/action/close_won",
                                      data={"reason": "ok", "account_code": "C0001"})
    assert response.status_code == 400
    assert "already used" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Opportunity, opp.id).status == "active"


def test_screens_change_stage_offers_the_configured_stages(screens, client_for, create):
    account = create("accounts", "ana", code="C0001", name="Levante")
    opp = create("opportunities", "ana", name="Renovación", account_id=account.id)
    html = client_for("ana").get(f"/s/opportunities/{opp.id}/action/change_stage").get_data(as_text=True)
    assert 'value="proposal"' in html and 'value="negotiation"' in html


def test_import_leads_from_a_semicolon_latin1_file(crm_app, db, access_for, sdef):
    engine = pytest.importorskip("crm_core.importing.engine", reason="import engine not present")
    from crm_core.importing.reader import decode

    raw = ("nombre;empresa;correo;ciudad\n"
           "Ferretería Ruiz;Ruiz S.L.;carmen@ruiz.example;Zaragoza\n"
           "Pañales Núñez;Núñez S.A.;info@nunez.example;Logroño\n").encode("latin-1")
    text, _encoding = decode(raw, "cp1252")
    spec = engine.ImportSpec(columns=("name", "company", "email", "city"), separator=";")
    result = engine.run_import(sdef("leads"), access_for("ana"), text, spec)
    assert result.created == 2 and not result.errors
    names = sorted(db.scalars(select(Lead.name)))
    assert names == ["Ferretería Ruiz", "Pañales Núñez"]
    assert set(db.scalars(select(Lead.kind))) == {"sale"}


def test_import_leads_reports_a_bad_row_and_writes_nothing(crm_app, db, access_for, sdef):
    engine = pytest.importorskip("crm_core.importing.engine", reason="import engine not present")
    text = "Buena;ok@x.example\nMala;no-es-correo\n"
    spec = engine.ImportSpec(columns=("name", "email"), separator=";", header=False)
    result = engine.run_import(sdef("leads"), access_for("ana"), text, spec)
    assert [line for line, _f, _r in result.errors] == [2]
    assert db.scalar(select(func.count()).select_from(Lead)) == 0


SESSIONS = ("leads", "opportunities", "accounts", "contacts", "campaigns",
            "potential_suppliers", "purchase_opportunities", "suppliers", "supplier_contacts")


@pytest.mark.parametrize("session_name", SESSIONS)
def test_every_sales_screen_renders(screens, client_for, session_name):
    leader = client_for("leader")
    assert leader.get(f"/s/{session_name}").status_code == 200
    assert leader.get(f"/s/{session_name}/new").status_code == 200


def test_every_sales_detail_tab_renders(screens, client_for, create, action):
    campaign = create("campaigns", "ana", code="PRIM-26", name="Primavera")
    account = create("accounts", "ana", code="C0001", name="Levante")
    opp = create("opportunities", "ana", name="Renovación", account_id=account.id, campaign_id=campaign.id)
    action("opportunities", opp, "change_stage", "ana", stage="proposal")
    ana = client_for("ana")
    pages = {
        f"/s/accounts/{account.id}?tab=contacts": "Nothing here yet",
        f"/s/accounts/{account.id}?tab=opportunities": "Renovación",
        f"/s/campaigns/{campaign.id}?tab=campaign_opportunities": "Renovación",
        f"/s/campaigns/{campaign.id}?tab=campaign_clients": "Levante",
        f"/s/opportunities/{opp.id}?tab=stages": ">Proposal<",  # the stage by its visible name
    }
    for url, expected in pages.items():
        response = ana.get(url)
        assert response.status_code == 200, url
        assert expected in response.get_data(as_text=True), url
