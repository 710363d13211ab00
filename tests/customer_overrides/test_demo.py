"""The ``demo`` client changes plugins, menu, a grid, status names and a hook — as data and
one override module — and without it the defaults return (PLUG-04, CORE-06, CORE-14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.config import REPO_ROOT

demo = pytest.mark.crm(customer="demo")
default = pytest.mark.crm(customer=None)


@demo
def test_demo_runs_its_own_plugin_list(crm_app):
    plugins = crm_app.extensions["crm"].plugins
    assert "purchasing" not in plugins
    assert {"sales", "activities", "messaging", "erp_gl7"} <= set(plugins)


@default
def test_without_the_client_every_plugin_runs(crm_app):
    assert "purchasing" in crm_app.extensions["crm"].plugins


@demo
def test_demo_menu_puts_activities_first_and_renames_leads(crm_app, client_for):
    menu = crm_app.extensions["crm"].registry.menu()
    names = [m.name for m, _ in menu]
    assert names.index("activities") < names.index("sales")
    sales = {m.name: s for m, s in menu}["sales"]
    assert sales[0].name == "leads" and sales[0].label == "Prospects"
    page = client_for("ana").get("/").get_data(as_text=True)
    assert page.index('data-module="activities"') < page.index('data-module="sales"')
    assert ">Prospects</a>" in page


@default
def test_default_menu_orders_modules_by_declaration(crm_app):
    reg = crm_app.extensions["crm"].registry
    assert reg.sdef("leads").label == "Leads"
    names = [m.name for m, _ in reg.menu()]
    assert names.index("sales") < names.index("activities")


@demo
def test_demo_leads_grid_has_its_columns(crm_app, client_for):
    assert crm_app.extensions["crm"].registry.sdef("leads").columns == ("company", "name", "country", "segment", "status")
    page = client_for("ana").get("/s/leads").get_data(as_text=True)
    assert "Country" in page


@default
def test_default_leads_grid_keeps_the_plugin_columns(crm_app):
    assert "country" not in crm_app.extensions["crm"].registry.sdef("leads").columns


@demo
def test_demo_status_names_map_onto_internal_states(crm_app):
    reg = crm_app.extensions["crm"].registry
    leads = reg.sdef("leads")
    assert reg.status_label(leads, "active") == "New"
    assert reg.status_label(leads, "qualified") == "Converted"
    assert ("Discarded", "disqualified") in reg.visible_statuses(leads)


@default
def test_default_status_names_are_the_plugins(crm_app):
    reg = crm_app.extensions["crm"].registry
    assert reg.status_label(reg.sdef("leads"), "active") != "New"


@demo
def test_demo_hook_wrapper_adds_its_panel_and_the_gl7_shortcut(client_for):
    page = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="demo-targets"' in page
    assert "quarterly target" in page
    assert 'id="home-shortcut"' in page and "Open GL7" in page


@default
def test_without_the_client_no_panel_and_no_shortcut(client_for):
    page = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="demo-targets"' not in page
    assert 'id="home-shortcut"' not in page


def test_nothing_in_core_or_plugins_knows_a_customer():
    for top in ("crm_core", "plugins"):
        for path in Path(REPO_ROOT, top).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import customer_overrides" not in text and "from customer_overrides" not in text, path
            assert "Demo Corp" not in text, path


def _competitor_lead(db, access_for):
    from crm_core.app import crm_state
    from crm_core.db import unit_of_work
    from crm_core.services import elements

    sdef = crm_state().registry.sdef("leads")
    with unit_of_work():
        return elements.create(db, sdef, access_for("ana"), {"name": "Bought lead", "source": "competitor-list"})


@demo
def test_demo_row_filter_hides_bought_leads_from_executives_on_every_path(db, access_for, client_for):
    lead = _competitor_lead(db, access_for)
    ana = client_for("ana")
    assert "Bought lead" not in ana.get("/s/leads").get_data(as_text=True)
    assert lead.id not in [i["id"] for i in ana.get("/api/v1/leads").get_json()["items"]]
    assert ana.get(f"/api/v1/leads/{lead.id}").status_code == 404
    assert "Bought lead" not in ana.get("/s/leads/export?format=csv").get_data(as_text=True)
    leader = client_for("leader")
    assert lead.id in [i["id"] for i in leader.get("/api/v1/leads?all=true").get_json()["items"]]


@default
def test_without_the_client_the_owner_sees_the_bought_lead(db, access_for, client_for):
    lead = _competitor_lead(db, access_for)
    assert client_for("ana").get(f"/api/v1/leads/{lead.id}").status_code == 200


@demo
def test_demo_data_loads_for_a_client_without_purchasing(crm_app, db, users):
    from sqlalchemy import func, select

    from plugins.sales.models import Lead

    crm_app.extensions["crm"].pm.hook.crm_demo_data(db=db, users=users)
    db.commit()
    assert db.scalar(select(func.count()).select_from(Lead).where(Lead.kind == "sale")) > 0
    assert db.scalar(select(func.count()).select_from(Lead).where(Lead.kind == "purchase")) == 0


@demo
def test_demo_billing_adapter_answers_from_the_accounts_won_contracts(crm_app, db, access_for):
    """Demo Corp's ``crm_portal_billing``: what the account won, in the customer's language;
    nothing for an account without contracts (the portal then shows no billing page)."""
    from sqlalchemy import update

    from crm_core.db import unit_of_work
    from crm_core.services import elements
    from plugins.sales.models import Opportunity

    registry = crm_app.extensions["crm"].registry
    with unit_of_work():
        won = elements.create(db, registry.sdef("accounts"), access_for("ana"), {"code": "B-1", "name": "Won S.A."})
        idle = elements.create(db, registry.sdef("accounts"), access_for("ana"), {"code": "B-2", "name": "Idle S.L."})
        for amount in ("1200.00", "300.50"):
            elements.create(db, registry.sdef("opportunities"), access_for("ana"),
                            {"name": "Contrato", "account_id": won.id, "amount": amount})
        db.execute(update(Opportunity).where(Opportunity.account_id == won.id).values(status="won"))
    ask = crm_app.extensions["crm"].pm.hook.crm_portal_billing
    rows = dict(ask(account_id=won.id, language="es", db=db))
    assert rows["Contratos"] == "2"
    assert rows["Total contratado"] in ("1,500.50 EUR", "1.500,50 EUR")  # formatted in the request's locale
    assert ask(account_id=idle.id, language="en", db=db) is None
