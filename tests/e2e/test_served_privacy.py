"""The privacy erase through ``crm serve`` over real HTTP (CORE-21): the administrator grants the
permission to the leaders on the Permissions screen; a leader previews through the API, confirms
on the screen; afterwards the client's values are found nowhere a user can look (records, global
search, export, history), and ``crm privacy erase`` does the same from the command line."""

from __future__ import annotations

import re

from tests.support.served import csrf_token

NAME, EMAIL, PHONE = "Eulalia Privatówna", "eulalia.p@served-privacy.example", "+34 915 551 234"
CONTACT = ("Teodoro", "Zwyczajny-Served")


def grant_leaders(production) -> None:
    admin = production.server.login("admin")
    page = admin.get("/config/permissions").text
    leaders = re.search(r'<option value="(\d+)"[^>]*>Leaders</option>', page).group(1)
    page = admin.get(f"/config/permissions?group={leaders}").text
    ticked = re.findall(r'name="([^"]+:[a-z_]+)" value="1"\s+aria-label="[^"]*" checked', page)
    form = dict.fromkeys(ticked, "1") | {"privacy:view": "1", "privacy:modify": "1",
                                             "csrf_token": csrf_token(admin, f"/config/permissions?group={leaders}")}
    saved = admin.post(f"/config/permissions?group={leaders}", data=form)
    assert saved.status_code == 302, saved.text


def make_client(ana, code: str) -> dict[str, int]:
    account = ana.post("/api/v1/accounts", json={"code": code, "name": f"{NAME} {code}", "email": EMAIL, "phone": PHONE})
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    contact = ana.post("/api/v1/contacts", json={"account_id": account_id, "first_name": CONTACT[0],
                                                 "last_name": CONTACT[1], "email": f"{code.lower()}-{EMAIL}"})
    assert contact.status_code == 201, contact.text
    case = ana.post("/api/v1/cases", json={"account_id": account_id, "contact_id": contact.json()["id"],
                                           "subject": f"Queja de {NAME}", "description": f"Llamó desde {PHONE}",
                                           "type": "billing"})
    assert case.status_code == 201, case.text
    activity = ana.post("/api/v1/activities", json={
        "type": "call", "subject": f"Llamar a {CONTACT[0]}", "starts_at": "2030-01-10T10:00:00",
        "session_name": "cases", "element_id": case.json()["id"], "description": f"{NAME} pide cita"})
    assert activity.status_code == 201, activity.text
    return {"account": account_id, "contact": contact.json()["id"], "case": case.json()["id"]}


def test_a_leader_previews_confirms_and_the_client_is_gone_everywhere(production):
    grant_leaders(production)
    ana, leader = production.server.login("ana"), production.server.login("leader")
    client = make_client(ana, "PRIV-E2E")
    assert ana.get(f"/config/privacy/accounts/{client['account']}").status_code == 403

    preview = leader.get(f"/api/v1/privacy/accounts/{client['account']}")
    assert preview.status_code == 200, preview.text
    counts = preview.json()["counts"]
    assert counts["sales"]["contacts"] == 1 and counts["cases"]["cases"] == 1
    assert counts["activities"]["activities"] == 1

    url = f"/config/privacy/accounts/{client['account']}"
    page = leader.get(url)
    assert page.status_code == 200 and 'data-key="cases"' in page.text
    unconfirmed = leader.post(url, data={"csrf_token": csrf_token(leader, url)})
    assert unconfirmed.status_code == 400
    assert ana.get(f"/api/v1/accounts/{client['account']}").json()["name"] == f"{NAME} PRIV-E2E"
    erased = leader.post(url, data={"csrf_token": csrf_token(leader, url), "understood": "y"})
    assert erased.status_code == 302, erased.text

    account = ana.get(f"/api/v1/accounts/{client['account']}").json()
    assert (account["name"], account["email"], account["phone"], account["code"]) == ("[erased]", "", "", "PRIV-E2E")
    case = ana.get(f"/api/v1/cases/{client['case']}").json()
    assert (case["description"], case["type"]) == ("", "billing") and NAME not in case["subject"]
    for text in (NAME, EMAIL, CONTACT[1]):
        assert ana.get("/search", params={"q": text}).json()["groups"] == [], text
    for session_name in ("accounts", "contacts", "cases", "activities"):
        export = ana.get(f"/s/{session_name}/export", params={"format": "csv", "all": "1"})
        assert export.status_code == 200 and NAME not in export.text and CONTACT[1] not in export.text
    for path in (f"/s/accounts/{client['account']}?tab=history", f"/s/cases/{client['case']}?tab=history"):
        history = ana.get(path)
        assert history.status_code == 200 and NAME not in history.text and PHONE not in history.text
    log = leader.get("/config/privacy").text
    assert f"#{client['account']}" in log and NAME not in log


def test_the_crm_privacy_erase_command_erases_on_the_served_database(production):
    grant_leaders(production)
    ana = production.server.login("ana")
    client = make_client(ana, "PRIV-CLI")
    done = production.server.crm("privacy", "erase", "accounts", "PRIV-CLI", "--user", "leader", "--yes")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "erased:" in done.stdout
    assert ana.get(f"/api/v1/accounts/{client['account']}").json()["name"] == "[erased]"
    refused = production.server.crm("privacy", "erase", "accounts", "PRIV-CLI", "--user", "ana", "--yes")
    assert refused.returncode == 1
