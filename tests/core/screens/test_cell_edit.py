"""Changing a grid cell in place (issue 17 item 5): only declared fields, only rows the user may
change, through the update service — messages in place, a stale version refused, back to the grid."""

from __future__ import annotations

import dataclasses
import re

import pytest

from crm_core.app import crm_state
from crm_core.checks import session_problems
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.fixture
def inline(crm_app):
    registry = crm_state(crm_app).registry
    registry.sessions["samples"] = dataclasses.replace(registry.sessions["samples"], inline_edit=("company", "amount"))
    return registry.sessions["samples"]


def edit_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'class="crm-cell-edit" href="/s/samples/(\d+)/cell/(\w+)\?back=', html)


def test_declared_cells_of_rows_the_user_may_change_get_an_edit_link(inline, client_for, guest_client, make_sample):
    el = make_sample("ana", name="Acme")
    assert sorted(edit_links(client_for("ana").get("/s/samples").get_data(as_text=True))) == [
        (str(el.id), "amount"), (str(el.id), "company")]
    assert edit_links(guest_client.get("/s/samples").get_data(as_text=True)) == []


def test_no_link_without_the_declaration(client_for, make_sample):
    make_sample("ana", name="Acme")
    assert edit_links(client_for("ana").get("/s/samples").get_data(as_text=True)) == []


def test_the_small_form_saves_through_the_update_service_and_goes_back(inline, client_for, make_sample, db):
    el = make_sample("ana", name="Acme", company="Old")
    ana = client_for("ana")
    url = f"/s/samples/{el.id}/cell/company?back=/s/samples%3Fq%3Dacme"
    page = ana.get(url).get_data(as_text=True)
    assert 'id="cell-form"' in page and 'name="company" value="Old"' in page and 'name="name"' not in page
    saved = ana.post(url, data={"company": "New", "version": el.version})
    assert saved.status_code == 302 and saved.headers["Location"] == "/s/samples?q=acme"
    db.expire_all()
    assert db.get(Sample, el.id).company == "New"


def test_a_bad_value_is_shown_in_place_and_nothing_changes(inline, client_for, make_sample, db):
    el = make_sample("ana", name="Acme", amount="5.00")
    response = client_for("ana").post(f"/s/samples/{el.id}/cell/amount", data={"amount": "lots", "version": el.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'data-error="amount"' in html and 'value="lots"' in html
    db.expire_all()
    assert str(db.get(Sample, el.id).amount) == "5.00"


def test_a_stale_version_is_refused_and_overwrites_nothing(inline, client_for, make_sample, db):
    el = make_sample("ana", name="Acme", company="Old")
    stale = el.version
    ana = client_for("ana")
    assert ana.post(f"/s/samples/{el.id}/cell/company", data={"company": "First", "version": stale}).status_code == 302
    second = ana.post(f"/s/samples/{el.id}/cell/company", data={"company": "Second", "version": stale})
    assert second.status_code == 409 and "Someone else saved this record first" in second.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, el.id).company == "First"


def test_undeclared_fields_others_records_and_view_only_users_are_refused(inline, client_for, guest_client,
                                                                          make_sample, db):
    mine, his = make_sample("ana", name="Mine"), make_sample("bob", name="His")
    ana = client_for("ana")
    assert ana.get(f"/s/samples/{mine.id}/cell/email").status_code == 404
    assert ana.post(f"/s/samples/{his.id}/cell/company", data={"company": "x"}).status_code == 404
    assert guest_client.get(f"/s/samples/{mine.id}/cell/company").status_code == 403
    db.expire_all()
    assert db.get(Sample, his.id).company == ""


def test_an_inline_field_the_schema_does_not_load_stops_start_up(inline):
    broken = dataclasses.replace(inline, inline_edit=("status",))
    assert any("inline_edit" in p for p in session_problems(broken, {"samples": broken}))
