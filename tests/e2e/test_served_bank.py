"""Banco BP served by ``crm serve`` (``CRM_CUSTOMER=banco_bp``) over real HTTP, with its Core
system a loopback double (CAS-03): the bank's demo data loads once, a Core action on a case runs
once per idempotency key across two server workers, a refusal is recorded and shown, and
another executive never reaches the case."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from crm_core.config import REPO_ROOT
from crm_core.testing.database import scratch_database
from tests.customer_overrides.banco_bp.core_double import CoreDouble, running
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCrm, CoreDouble]]:
    tmp = tmp_path_factory.mktemp("bank")
    folder = tmp / "customers" / "banco_bp"
    shutil.copytree(REPO_ROOT / "customer_overrides" / "banco_bp", folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    with scratch_database(str(tmp)) as url, running() as core:
        toml = folder / "customer.toml"
        toml.write_text(toml.read_text().replace('core_url = "http://127.0.0.1:8790"', f'core_url = "{core.url}"'))
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(folder.parent), CRM_CUSTOMER="banco_bp")
        with served_crm(env, cwd=str(tmp)) as server:
            yield server, core


def test_the_banks_demo_loads_once(bank):
    server, _core = bank
    for _ in range(2):
        done = server.crm("demo")
        assert done.returncode == 0, done.stderr
    lider = server.login("lider", password="demo1234")
    clients = lider.get("/api/v1/accounts", params={"q": "Mendoza", "all": "1"})
    assert [c["code"] for c in clients.json()["items"]] == ["0912345678"], clients.text


def test_a_core_transaction_over_http_runs_once_and_stays_private(bank):
    server, core = bank
    ana = server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "0102030405", "name": "Rosa Vera"})
    assert account.status_code == 201, account.text
    case = ana.post("/api/v1/cases", json={"account_id": account.json()["id"], "subject": "Transferencia no acreditada",
                                           "type": "transaction"})
    assert case.status_code == 201, case.text
    url = f"/api/v1/case-core/{case.json()['id']}/execute_transaction"
    body = {"product": "2001", "kind": "credit", "amount": "75.00", "concept": "Reintegro"}
    before = core.money_executions()
    answers = [ana.post(url, json=body, headers={"Idempotency-Key": "served-key-0001"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200], answers[0].text
    assert [a.json()["outcome"] for a in answers] == ["done", "replayed", "replayed"]
    assert core.money_executions() == before + 1
    core.mode = "refuse"
    try:
        refused = ana.post(url, json=body, headers={"Idempotency-Key": "served-key-0002"})
    finally:
        core.mode = "answer"
    assert refused.status_code == 422 and refused.json()["message"] == "Insufficient funds"
    tab = ana.get(f"/s/cases/{case.json()['id']}", params={"tab": "core"})
    assert tab.status_code == 200 and "Insufficient funds" in tab.text and "Execute transaction" in tab.text
    bob = server.login("bob")
    assert bob.post(url, json=body, headers={"Idempotency-Key": "served-key-0003"}).status_code == 404
    assert bob.get(f"/api/v1/case-core/{case.json()['id']}").status_code == 404
