"""The privacy erase's three ways in — screen, REST API, ``crm privacy erase`` — share one
service: permission, preview, confirmation, one transaction (CORE-21, CORE-16)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.cli import cli
from crm_core.models.privacy import Erasure
from crm_core.privacy.plan import ERASED
from tests.core.privacy.client_data import NAME, PLUGINS, grant_privacy, make_client

pytestmark = pytest.mark.crm(plugins=PLUGINS)


@pytest.fixture
def client(db, crm_app, access_for, users):
    grant_privacy(db)
    return make_client(db, crm_app.extensions["crm"].registry, access_for, users)


def erasures(db) -> int:
    return db.scalar(select(func.count()).select_from(Erasure))


def test_the_screen_finds_by_code_previews_and_erases_only_when_confirmed(db, client, client_for):
    leader = client_for("leader")
    found = leader.get("/config/privacy?session=accounts&client=PRV001")
    account_id = client["account"].id
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/config/privacy/accounts/{account_id}")
    page = leader.get(f"/config/privacy/accounts/{account_id}").get_data(as_text=True)
    assert 'data-plugin="cases" data-key="cases"' in page and 'id="erase"' in page
    unconfirmed = leader.post(f"/config/privacy/accounts/{account_id}", data={})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert erasures(db) == 0 and client["account"].name == NAME
    done = leader.post(f"/config/privacy/accounts/{account_id}", data={"understood": "y"})
    assert done.status_code == 302 and erasures(db) == 1
    db.expire_all()
    assert client["account"].name == ERASED
    log = leader.get("/config/privacy").get_data(as_text=True)
    assert f"#{account_id}" in log and NAME not in log


def test_the_screen_refuses_executives_and_unknown_clients(client, client_for):
    assert client_for("ana").get("/config/privacy").status_code == 403
    assert client_for("ana").post(f"/config/privacy/accounts/{client['account'].id}",
                                  data={"understood": "y"}).status_code == 403
    missing = client_for("leader").get("/config/privacy?session=accounts&client=NOPE-1")
    assert missing.status_code == 404 and "NOPE-1" in missing.get_data(as_text=True)
    not_clients = client_for("leader").get(f"/config/privacy/contacts/{client['contact'].id}", follow_redirects=True)
    assert "Contacts holds no clients" in not_clients.get_data(as_text=True)
    assert client_for("leader").get("/config/privacy/nothing/1").status_code == 404


def test_the_api_previews_then_erases_with_an_explicit_confirmation(db, crm_app, client, users):
    from crm_core.api.auth import create_token

    _token, secret = create_token(db, users["leader"], "privacy")
    db.commit()
    api, auth = crm_app.test_client(), {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/privacy/accounts/{client['account'].id}"
    preview = api.get(url, headers=auth)
    assert preview.status_code == 200 and preview.get_json()["counts"]["telephony"] == {"calls": 2}
    refused = api.post(url + "/erase", headers=auth, json={"confirm": "yes"})
    assert refused.status_code == 422 and "confirm" in refused.get_json()["error"]["message"] and erasures(db) == 0
    erased = api.post(url + "/erase", headers=auth, json={"confirm": True})
    assert erased.status_code == 200 and erased.get_json()["total"] == preview.get_json()["total"]
    assert api.get("/api/v1/openapi.json", headers=auth).get_json()["paths"][
        "/api/v1/privacy/{session_name}/{element_id}/erase"]["post"]


def test_the_api_refuses_a_user_without_the_permission(db, crm_app, client, users):
    from crm_core.api.auth import create_token

    _token, secret = create_token(db, users["ana"], "privacy")
    db.commit()
    answer = crm_app.test_client().post(f"/api/v1/privacy/accounts/{client['account'].id}/erase",
                                        headers={"Authorization": f"Bearer {secret}"}, json={"confirm": True})
    assert answer.status_code == 403 and erasures(db) == 0


def test_the_command_prints_the_preview_asks_and_erases(db, crm_app, client):
    runner = crm_app.test_cli_runner()
    declined = runner.invoke(cli, ["privacy", "erase", "accounts", "PRV001", "--user", "leader"], input="n\n")
    assert declined.exit_code == 1 and "telephony" in declined.output and erasures(db) == 0
    done = runner.invoke(cli, ["privacy", "erase", "accounts", "PRV001", "--user", "leader", "--yes"])
    assert done.exit_code == 0, done.output
    assert "erased:" in done.output and erasures(db) == 1
    refused = runner.invoke(cli, ["privacy", "erase", "accounts", "PRV001", "--user", "ana", "--yes"])
    assert refused.exit_code == 1 and erasures(db) == 1
