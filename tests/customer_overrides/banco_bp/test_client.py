"""Banco BP's folder is data plus hooks (PLUG-04): its plugins, menu, pipeline, case types,
statuses, settings and demo data, with nothing bank-specific in the core or the plugins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_core.config import REPO_ROOT

bank = pytest.mark.crm(customer="banco_bp")


@bank
def test_the_bank_runs_its_plugins_menu_and_vocabulary(crm_app, client_for):
    state = crm_app.extensions["crm"]
    assert set(state.plugins) - {p for p in state.plugins if ":" in p or p.startswith("crm_core")} >= {
        "sales", "activities", "cases", "messaging", "telephony"}
    assert "purchasing" not in state.plugins and "erp_gl7" not in state.plugins
    assert state.setting("sales", "stages") == ["pre-approved", "pre-qualified", "qualified"]
    assert str(state.registry.status_label(state.registry.sdef("cases"), "open")) == "Open"  # no request: English
    page = client_for("ana").get("/").get_data(as_text=True)
    assert ">Clients</a>" in page and ">Cases</a>" in page


@bank
@pytest.mark.parametrize(
    ("language", "seen", "unseen"),
    [
        ("en", ["After-sales", ">Clients</a>", ">Campaigns</a>", ">Client<", ">Inactive</label>"],
         ["Posventa", ">Clientes</a>", ">Cliente<"]),
        ("es", ["Posventa", ">Clientes</a>", ">Campañas</a>", ">Cliente<", ">Inactivo</label>"],
         ["After-sales", ">Clients</a>", ">Client<"]),
    ],
)
def test_menu_statuses_and_status_filter_speak_the_users_language(
    crm_app, db, users, access_for, client_for, language, seen, unseen
):
    from crm_core.toolkit import create_element, crm_state, unit_of_work

    with unit_of_work() as s:
        create_element(s, crm_state().registry.sdef("accounts"), access_for("ana"),
                       {"code": "0911111111", "name": "Rosa Vera"})
    users["ana"].language = language
    db.commit()
    page = client_for("ana").get("/s/accounts", query_string={"status": "active"}).get_data(as_text=True)
    assert "Rosa Vera" in page
    for text in seen:
        assert text in page, text
    for text in unseen:
        assert text not in page, text
    # the status filter also takes the visible name, in the user's language
    visible = {"en": "Inactive", "es": "Inactivo"}[language]
    page = client_for("ana").get("/s/accounts", query_string={"status": visible}).get_data(as_text=True)
    assert "Rosa Vera" not in page and "Unknown status" not in page and "desconocido" not in page
    assert f'value="{visible}" checked' in page


@bank
def test_the_pipeline_allows_only_the_banks_moves(crm_app, db, access_for):
    from plugins.sales.services import stage_label, stage_workflow

    assert stage_label("pre-qualified") == "Pre-qualified"  # no request: English
    with crm_app.test_request_context("/", headers={"Accept-Language": "es"}):
        from flask_babel import refresh

        refresh()  # the locale is cached on the test's application context
        assert stage_label("pre-qualified") == "Precalificada"
    moves = {(t.source, t.target) for t in stage_workflow().transitions}
    assert ("pre-approved", "pre-qualified") in moves and ("pre-approved", "qualified") not in moves


def test_a_bad_core_url_stops_start_up(tmp_path: Path):
    from crm_core.app import create_app
    from crm_core.errors import ConfigError

    folder = tmp_path / "banco_bp"
    folder.mkdir()
    for f in (REPO_ROOT / "customer_overrides" / "banco_bp").glob("*.py"):
        (folder / f.name).write_text(f.read_text())
    toml = (REPO_ROOT / "customer_overrides" / "banco_bp" / "customer.toml").read_text()
    (folder / "customer.toml").write_text(toml.replace('core_url = "http://127.0.0.1:8790"', 'core_url = "ftp://x"'))
    with pytest.raises(ConfigError, match=r"settings\.client\.core_url"):
        create_app({"CRM_ENV": "testing", "CRM_SECRET_KEY": "x" * 40, "CRM_DATABASE_URL": "sqlite://",
                    "CRM_CUSTOMER": "banco_bp", "CRM_OVERRIDES_DIR": str(tmp_path)})


def test_nothing_bank_specific_in_core_or_plugins():
    for root in ("crm_core", "plugins"):
        for path in (REPO_ROOT / root).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "banco_bp" not in text and "Banco BP" not in text, path


@bank
def test_demo_data_is_the_banks_and_made_once(crm_app, db):
    from crm_core.demo import load_demo
    from crm_core.toolkit import Group, User, crm_state

    load_demo()
    load_demo()
    registry = crm_state().registry
    cases = registry.sdef("cases").model
    accounts = registry.sdef("accounts").model
    assert db.scalar(select(func.count()).select_from(cases).where(cases.type == "claim")) == 1
    assert db.scalar(select(accounts.id).where(accounts.code == "0912345678")) is not None
    manager = db.scalar(select(User).where(User.username == "gerente"))
    group = db.get(Group, manager.group_id)
    assert group.name == "Branch managers" and group.sees_all


@bank
def test_the_cases_status_report_uses_the_banks_status_names(crm_app, db, users, client_for):
    users["ana"].language = "es"
    db.commit()
    page = client_for("ana").get("/cases/reports", query_string={"report": "status"}).get_data(as_text=True)
    assert 'data-category="Recopilando información"' in page  # the bank's name, not the plugin's
    assert "Recogiendo información" not in page


@bank
def test_the_banks_opportunity_grid_shows_account_and_owner(client_for):
    """Issue 17 item 6: the client's own column list keeps the Account and Owner columns."""
    page = client_for("ana").get("/s/opportunities").get_data(as_text=True)
    assert re.findall(r'<th scope="col" data-column="(\w+)"', page) == [
        "name", "account_id", "amount", "stage", "expected_close", "status", "owner_id"]
