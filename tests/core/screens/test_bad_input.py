"""Bad request input is a 400 naming the field and writes nothing (NF-02, NF-03): control
characters anywhere in a query string, form or JSON body; integers no 64-bit column holds;
``%``, ``_`` and ``\\`` typed in a search match themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.api.auth import ApiToken
from crm_core.models.auth import User
from crm_core.models.notes import Note
from crm_core.request_input import forbidden_character, parse_int
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
HUGE = str(2**64)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text, code", [("a\x00b", "U+0000"), ("\x1b[31m", "U+001B"), ("x\x85", "U+0085"),
                                        ("\ud800", "U+D800"), ("tab\tline\nreturn\r ñ €", None)])
def test_control_characters_other_than_tab_lf_cr_are_refused(text, code):
    assert forbidden_character(text) == code


@pytest.mark.parametrize("url", ["/s/samples?q=a%00b", "/s/samples/lookup?q=a%00b", "/s/samples/export?format=csv&q=%00",
                                 "/s/samples/listing?run=1&f=name&op=%3D&v=a%00b"])
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(client_for, url):
    response = client_for("ana").get(url)
    assert response.status_code == 400
    assert "contains a character that is not allowed (U+0000)" in response.get_data(as_text=True)


def test_a_control_character_in_a_form_field_changes_nothing(client_for, make_sample, db):
    element = make_sample("ana", name="Before")
    response = client_for("ana").post(f"/s/samples/{element.id}", data={"name": "x\x1bx", "version": "1"})
    assert response.status_code == 400
    assert "The field “name” contains a character that is not allowed (U+001B)." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, element.id).name == "Before"


def test_a_nul_byte_in_a_note_or_a_token_name_stores_nothing(client_for, make_sample, db):
    client = client_for("ana")
    element = make_sample("ana")
    notes, tokens = count(db, Note), count(db, ApiToken)
    assert client.post(f"/s/samples/{element.id}/notes", data={"text": "a\x00b"}).status_code == 400
    assert client.post("/account/tokens", data={"name": "lap\x00top"}).status_code == 400
    assert (count(db, Note), count(db, ApiToken)) == (notes, tokens)


def test_the_login_form_refuses_a_nul_byte_without_a_login(crm_app):
    response = crm_app.test_client().post("/login", data={"username": "ana\x00", "password": "x"})
    assert response.status_code == 400
    assert "“username”" in response.get_data(as_text=True)


@pytest.mark.parametrize("body, field", [({"name": "x\u001bx"}, "name"), ({"name\u0000": "x"}, "name\ufffd"),
                                         ({"name": "ok", "extra": {"deep": ["\u0007"]}}, "extra.deep[0]")])
def test_the_api_refuses_control_characters_in_json_keys_and_values(client_for, db, body, field):
    before = count(db, Sample)
    response = client_for("ana").post("/api/v1/samples", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    assert count(db, Sample) == before


def test_parse_int_takes_only_what_a_64_bit_column_holds():
    assert parse_int(" 9223372036854775807 ") == 2**63 - 1
    assert parse_int("-9223372036854775808") == -(2**63)
    for bad in (str(2**63), str(-(2**63) - 1), "1.5", "x", ""):
        with pytest.raises(ValueError):
            parse_int(bad)


@pytest.mark.parametrize("url, field", [("/s/samples?page=" + HUGE, "page"), ("/s/samples?per_page=" + HUGE, "per_page"),
                                        ("/config/users?page=" + HUGE, "page"), ("/config/permissions?group=" + HUGE, "group"),
                                        ("/config/outbox?page=" + HUGE, "page"), ("/s/samples?page=1000001", "page"),
                                        ("/api/v1/samples?page=" + HUGE, "page")])
def test_an_integer_parameter_past_64_bits_is_a_400_naming_it(client_for, url, field):
    response = client_for("admin").get(url)
    assert response.status_code == 400
    message = response.get_json()["error"]["fields"][field][0] if url.startswith("/api/") else response.get_data(as_text=True)
    assert f"“{field}” must be between" in message


def test_a_listing_criterion_on_an_id_past_64_bits_is_a_400(client_for):
    response = client_for("ana").get(f"/s/samples/listing?run=1&f=id&op=%3D&v={HUGE}")
    assert response.status_code == 400
    assert "is not a whole number" in response.get_data(as_text=True)


def test_the_admin_user_search_takes_percent_and_underscore_literally(client_for, db, users):
    users["bob"].full_name = "Bob 100% sure"
    db.commit()
    client = client_for("admin")
    for q, expected in (("%", {"bob"}), ("_", set()), ("\\", set()), ("100%", {"bob"})):
        html = client.get("/config/users", query_string={"q": q}).get_data(as_text=True)
        listed = {u.username for u in db.scalars(select(User)) if f">{u.username}<" in html}
        assert listed == expected, q
