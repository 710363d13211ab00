"""Extension per user (My account, the users screen), the agent's missed calls on the home page
with a call-back button, and click-to-call's checks (EXT-11, TEL-01)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import refresh
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.models.outbox import OutboxMessage
from plugins.telephony import services
from plugins.telephony.models import Extension

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])


def extension_of(db, user) -> str | None:
    db.expire_all()
    return db.scalar(select(Extension.extension).where(Extension.user_id == user.id))


def test_an_agent_sets_their_extension_in_my_account(client_for, db, users):
    ana = client_for("ana")
    assert 'name="telephony_extension"' in ana.get("/account").get_data(as_text=True)
    form = {"full_name": "Ana", "language": "en", "timezone": "UTC", "telephony_extension": "205"}
    assert ana.post("/account", data=form).status_code == 302
    assert extension_of(db, users["ana"]) == "205"
    assert 'value="205"' in ana.get("/account").get_data(as_text=True)


def test_an_extension_held_by_someone_else_or_not_digits_is_refused(client_for, db, users, extensions):
    ana = client_for("ana")
    form = {"full_name": "Ana Renamed", "language": "en", "timezone": "UTC", "telephony_extension": "202"}
    taken = ana.post("/account", data=form)
    assert taken.status_code == 400 and "Extension 202 belongs to another user." in taken.get_data(as_text=True)
    letters = ana.post("/account", data={**form, "telephony_extension": "2x1"})
    assert "An extension is 2 to 6 digits." in letters.get_data(as_text=True)
    assert extension_of(db, users["ana"]) == "201" and users["ana"].full_name != "Ana Renamed"


def test_an_administrator_gives_a_new_user_an_extension(client_for, db, users):
    admin = client_for("admin")
    form = {"username": "carla", "full_name": "Carla", "email": "", "phone": "", "group_id": users["ana"].group_id,
            "language": "en", "timezone": "UTC", "active": "y", "password": "a long Passphrase 4 carla",
            "telephony_extension": "230"}
    assert admin.post("/config/users/new", data=form).status_code == 302
    carla = db.scalars(select(type(users["ana"])).where(type(users["ana"]).username == "carla")).one()
    assert extension_of(db, carla) == "230"
    emptied = {**form, "password": "", "telephony_extension": ""}
    assert admin.post(f"/config/users/{carla.id}", data=emptied).status_code == 302
    assert extension_of(db, carla) is None


def _call(db, call_id: str, direction: str, result: str, hour: int, number: str = "600 111 222") -> None:
    with unit_of_work():
        services.record_call(db, {"call_id": call_id, "direction": direction, "number": number, "extension": "201",
                                  "result": result, "started_at": datetime(2026, 11, 30, hour, tzinfo=UTC)})


def test_missed_calls_show_on_the_agents_home_until_called_back(client_for, db, extensions):
    _call(db, "m1", "inbound", "missed", 8)
    _call(db, "m2", "inbound", "busy", 9, number="+44 20 7946 0958")
    _call(db, "ok", "inbound", "answered", 10, number="912 345 678")
    home = client_for("ana").get("/").get_data(as_text=True)
    assert "Missed calls" in home and 'data-call="m1"' in home and 'data-call="m2"' in home
    assert 'data-call="ok"' not in home and "Call back" in home
    assert 'data-call="m1"' not in client_for("bob").get("/").get_data(as_text=True)  # ana's, not bob's
    _call(db, "back", "outbound", "answered", 11)  # ana called 600 111 222 back
    home = client_for("ana").get("/").get_data(as_text=True)
    assert 'data-call="m1"' not in home and 'data-call="m2"' in home


def test_click_to_call_queues_one_originate_through_the_agents_extension(client_for, db, users, extensions):
    ana = client_for("ana")
    response = ana.post("/telephony/call", json={"number": "912 345 678"})
    assert response.status_code == 202 and response.get_json()["number"] == "+34912345678"
    assert ana.post("/telephony/call", json={"number": "912-345-678"}).status_code == 202  # a double click
    queued = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "telephony.originate")).all()
    assert [m.payload for m in queued] == [{"extension": "201", "number": "+34912345678", "user_id": users["ana"].id}]


@pytest.mark.parametrize(
    ("username", "number", "status", "message"),
    [
        ("ana", "12", 422, "is not a valid phone number"),
        ("leader", "912 345 678", 422, "Set your telephone extension in My account first."),
    ],
)
def test_click_to_call_refuses_bad_numbers_and_agents_without_extension(
    client_for, db, extensions, username, number, status, message
):
    response = client_for(username).post("/telephony/call", json={"number": number})
    assert response.status_code == status and message in response.get_json()["message"]
    assert db.scalars(select(OutboxMessage)).all() == []


def test_click_to_call_needs_the_right_to_make_calls(client_for, db, users, extensions):
    from crm_core.models.auth import Permission

    with unit_of_work():
        perm = db.scalars(select(Permission).where(Permission.group_id == users["ana"].group_id,
                                                   Permission.session_name == "calls")).one()
        perm.can_modify = False
    response = client_for("ana").post("/telephony/call", json={"number": "912 345 678"})
    assert response.status_code == 403
    assert db.scalars(select(OutboxMessage)).all() == []


def test_a_spanish_agent_reads_telephony_in_spanish(client_for, db, users, extensions):
    with unit_of_work():
        users["ana"].language = "es"
    _call(db, "es1", "inbound", "missed", 8)
    refresh()  # the requests share the test's app context, where writing the call cached a locale
    home = client_for("ana").get("/").get_data(as_text=True)
    assert "Llamadas perdidas" in home and "Devolver la llamada" in home
    account = client_for("ana").get("/account").get_data(as_text=True)
    assert "Extensión telefónica" in account
    refused = client_for("ana").post("/telephony/call", json={"number": "12"})
    assert refused.get_json()["message"] == "«12» no es un número de teléfono válido."
