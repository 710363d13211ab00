"""The history tab (CORE-15) and output escaping on every generic screen (NF-03)."""

from __future__ import annotations

import re

import pytest

from crm_core.db import unit_of_work
from crm_core.services import elements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})

PAYLOAD = "<script>alert(1)</script>"
TEXT_FIELDS = ("name", "company", "phone", "comments")


def test_history_shows_who_when_action_and_old_to_new(client_for, make_sample, db, access_for, samples):
    el = make_sample("ana", name="Acme", company="Old Co")
    with unit_of_work():
        elements.update(db, samples, access_for("ana"), el, {"company": "New Co"})
    html = client_for("ana").get(f"/s/samples/{el.id}?tab=history").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    update = next(r for r in rows if ">Changed<" in r)
    assert ">Ana<" in update and ">Company<" in update and ">Old Co<" in update and ">New Co<" in update
    assert any(">Created<" in r for r in rows)


def test_history_is_as_private_as_the_element(client_for, make_sample):
    el = make_sample("ana", name="Acme")
    assert client_for("bob").get(f"/s/samples/{el.id}?tab=history").status_code == 404


@pytest.fixture
def hostile(make_sample, db, access_for, samples):
    el = make_sample("ana", **dict.fromkeys(TEXT_FIELDS, PAYLOAD))
    with unit_of_work():
        elements.update(db, samples, access_for("ana"), el, dict.fromkeys(TEXT_FIELDS, PAYLOAD + "!"))
    return el


@pytest.mark.parametrize("path", ["/s/samples", "/s/samples/{id}", "/s/samples/{id}?tab=history",
                                  "/s/samples/{id}/delete", "/s/samples/{id}/action/close"])
def test_script_payload_in_every_text_field_comes_back_escaped(client_for, hostile, path):
    html = client_for("ana").get(path.format(id=hostile.id)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_escaped_in_the_lookup_json_and_notes(client_for, hostile):
    client = client_for("ana")
    assert client.get("/s/samples/lookup?q=script").get_json()[0]["label"] == PAYLOAD + "!"
    client.post(f"/s/samples/{hostile.id}/notes", data={"text": PAYLOAD})
    html = client.get(f"/s/samples/{hostile.id}?tab=notes").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_no_inline_scripts_on_the_generic_screens(client_for, hostile):
    client = client_for("ana")
    for path in ("/s/samples", f"/s/samples/{hostile.id}", "/s/samples/new"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "onclick=" not in html
