"""The generic detail screen (CORE-09, CORE-05, NF-02): generated form, validation in place,
optimistic locking, read-only view, lookups, tabs, actions and delete."""

from __future__ import annotations

import re

import pytest

from tests.core.screens import tabby_plugin
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def form_data(**values):
    base = {"name": "Acme", "company": "", "email": "", "phone": "", "amount": "", "due": "", "comments": "",
            "parent_id": ""}
    base.update(values)
    return base


def test_new_form_has_a_widget_per_field_type_and_marks_required(client_for):
    html = client_for("ana").get("/s/samples/new").get_data(as_text=True)
    assert re.search(r'<label class="form-label required" for="f-name">Name</label>', html)
    assert 'type="email" id="f-email" name="email"' in html
    assert 'type="number" id="f-amount" name="amount" value="" step="0.01"' in html
    assert 'type="date" id="f-due" name="due"' in html
    assert '<textarea class="form-control" id="f-comments" name="comments"' in html
    assert 'data-lookup-url="/s/samples/lookup"' in html
    assert 'name="status"' not in html and 'name="kind"' not in html


def test_owner_picker_only_with_change_owner_permission(client_for):
    assert 'name="owner_id"' not in client_for("ana").get("/s/samples/new").get_data(as_text=True)
    html = client_for("leader").get("/s/samples/new").get_data(as_text=True)
    assert '<select class="form-select" id="f-owner_id" name="owner_id">' in html and ">Bob</option>" in html


def test_create_saves_and_redirects_to_the_detail(client_for, db, users):
    response = client_for("ana").post("/s/samples/new", data=form_data(amount="12.50", due="2026-03-01"))
    assert response.status_code == 302
    element_id = int(response.headers["Location"].rsplit("/", 1)[1])
    el = db.get(Sample, element_id)
    assert (el.name, str(el.amount), el.due.isoformat(), el.owner_id) == ("Acme", "12.50", "2026-03-01",
                                                                          users["ana"].id)


def test_validation_errors_show_in_place_and_keep_the_input(client_for, db):
    response = client_for("ana").post("/s/samples/new", data=form_data(name="", email="not-mail", company="Kept Co"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'data-error="email">[^<]*email', html)
    assert 'data-error="name"' in html
    assert 'value="Kept Co"' in html
    assert db.query(Sample).count() == 0


def test_leader_gives_a_new_sample_to_bob(client_for, db, users):
    response = client_for("leader").post("/s/samples/new", data=form_data(owner_id=str(users["bob"].id)))
    el = db.get(Sample, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert el.owner_id == users["bob"].id


def test_executive_cannot_smuggle_an_owner(client_for, db, users, make_sample):
    el = make_sample("ana", name="Acme")
    client_for("ana").post(f"/s/samples/{el.id}", data=form_data(owner_id=str(users["bob"].id),
                                                                  version=str(el.version)))
    db.refresh(el)
    assert el.owner_id == users["ana"].id


def test_update_saves_and_audits(client_for, db, make_sample):
    el = make_sample("ana", name="Acme")
    response = client_for("ana").post(f"/s/samples/{el.id}", data=form_data(company="New Co", version=el.version))
    assert response.status_code == 302
    db.refresh(el)
    assert el.company == "New Co" and el.version == 2


def test_stale_version_is_a_conflict_that_keeps_the_input(client_for, db, make_sample):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    client.post(f"/s/samples/{el.id}", data=form_data(company="First", version="1"))
    response = client.post(f"/s/samples/{el.id}", data=form_data(company="Second", version="1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this record first" in html and 'value="Second"' in html
    db.refresh(el)
    assert el.company == "First"


def test_view_only_user_only_ever_sees_read_mode_and_cannot_post(guest_client, guest, make_sample, db):
    el = make_sample("ana", name="Acme")
    el.owner_id = guest.id
    db.commit()
    for url in (f"/s/samples/{el.id}", f"/s/samples/{el.id}?edit=1"):
        html = guest_client.get(url).get_data(as_text=True)
        assert 'id="detail-read"' in html and 'id="detail-form"' not in html
        assert 'id="detail-edit"' not in html and 'id="detail-delete"' not in html
    assert guest_client.post(f"/s/samples/{el.id}", data=form_data(version=el.version)).status_code == 403
    assert guest_client.get("/s/samples/new").status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/s/samples/{id}"),
        ("post", "/s/samples/{id}"),
        ("get", "/s/samples/{id}?tab=history"),
        ("get", "/s/samples/{id}/delete"),
        ("post", "/s/samples/{id}/delete"),
        ("get", "/s/samples/{id}/action/close"),
        ("post", "/s/samples/{id}/action/close"),
        ("post", "/s/samples/{id}/notes"),
        ("post", "/s/samples/{id}/groupings"),
    ],
)
def test_ana_never_reaches_bobs_sample(client_for, make_sample, db, method, path):
    his = make_sample("bob", name="Bob's", company="Untouched")
    response = getattr(client_for("ana"), method)(path.format(id=his.id),
                                                   data=form_data(company="Hacked", version="1", reason="x"))
    assert response.status_code == 404
    db.refresh(his)
    assert (his.company, his.status) == ("Untouched", "active")


def test_a_sample_of_another_session_is_not_found(client_for, locked):
    assert client_for("ana").get(f"/s/samples/{locked.id}").status_code == 404


def test_lookup_field_shows_the_referenced_name(client_for, make_sample):
    parent = make_sample("ana", name="Parent Co")
    child = make_sample("ana", name="Child", parent_id=parent.id)
    html = client_for("ana").get(f"/s/samples/{child.id}?edit=1").get_data(as_text=True)
    assert 'value="Parent Co"' in html and f'name="parent_id" value="{parent.id}"' in html
    read = client_for("ana").get(f"/s/samples/{child.id}").get_data(as_text=True)
    assert f'<a href="/s/samples/{parent.id}">Parent Co</a>' in read


def test_lookup_never_reveals_a_name_the_user_may_not_see(client_for, make_sample, db, users):
    his = make_sample("ana", name="Secret Co")
    mine = make_sample("ana", name="Mine", parent_id=his.id)
    his.owner_id = users["bob"].id  # reassigned to bob after ana referenced it
    db.commit()
    html = client_for("ana").get(f"/s/samples/{mine.id}?edit=1").get_data(as_text=True)
    assert "Secret Co" not in html and f'value="#{his.id}"' in html
    read = client_for("ana").get(f"/s/samples/{mine.id}").get_data(as_text=True)
    assert "Secret Co" not in read and f"#{his.id}" in read and f'href="/s/samples/{his.id}"' not in read


def test_side_tabs_start_with_information_and_render_the_active_one(client_for, make_sample):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    html = client.get(f"/s/samples/{el.id}").get_data(as_text=True)
    tabs = re.findall(r'data-tab="(\w+)"', html)
    assert tabs[0] == "info"
    assert [t for t in tabs if t in ("notes", "groupings", "history")] == ["notes", "groupings", "history"]
    assert 'id="detail-read"' in html and 'id="detail-form"' not in html
    assert 'id="detail-form"' in client.get(f"/s/samples/{el.id}?edit=1").get_data(as_text=True)
    notes = client.get(f"/s/samples/{el.id}?tab=notes").get_data(as_text=True)
    assert 'id="tab-notes"' in notes and 'id="detail-form"' not in notes


@pytest.mark.crm(extra_plugins={"sample": sample, "tabby": tabby_plugin})
def test_tabs_from_plugins_are_listed_in_order(client_for, make_sample):
    el = make_sample("ana", name="Acme")
    html = client_for("ana").get(f"/s/samples/{el.id}?tab=extra").get_data(as_text=True)
    assert re.findall(r'data-tab="(\w+)"', html)[:2] == ["info", "extra"]
    assert "<b>extra for Acme</b>" in html


def test_action_shown_only_when_available(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    assert 'data-action="close"' in client.get(f"/s/samples/{el.id}").get_data(as_text=True)
    el.status = "closed"
    db.commit()
    assert 'data-action="close"' not in client.get(f"/s/samples/{el.id}").get_data(as_text=True)
    assert client.get(f"/s/samples/{el.id}/action/close").status_code == 409


def test_action_form_validates_and_shows_business_errors_in_place(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    form = client.get(f"/s/samples/{el.id}/action/close").get_data(as_text=True)
    assert 'name="reason"' in form and 'class="form-label required" for="f-reason"' in form
    missing = client.post(f"/s/samples/{el.id}/action/close", data={"reason": ""})
    assert missing.status_code == 400 and 'data-error="reason"' in missing.get_data(as_text=True)
    refused = client.post(f"/s/samples/{el.id}/action/close", data={"reason": "refuse"})
    assert refused.status_code == 400
    assert re.search(r'data-error="reason">refused by rule', refused.get_data(as_text=True))
    db.refresh(el)
    assert el.status == "active"


def test_action_runs_and_is_audited(client_for, make_sample, db):
    from crm_core.services.audit import history

    el = make_sample("ana", name="Acme")
    response = client_for("ana").post(f"/s/samples/{el.id}/action/close", data={"reason": "done"},
                                      follow_redirects=True)
    assert "Close done." in response.get_data(as_text=True)
    db.refresh(el)
    assert el.status == "closed"
    assert history(db, "test_sample", el.id)[0].action == "close"


def test_action_needs_modify(guest_client, guest, make_sample, db):
    el = make_sample("ana", name="Acme")
    el.owner_id = guest.id
    db.commit()
    assert 'data-action="close"' not in guest_client.get(f"/s/samples/{el.id}").get_data(as_text=True)
    assert guest_client.post(f"/s/samples/{el.id}/action/close", data={"reason": "x"}).status_code == 403


def test_unknown_action_is_404(client_for, make_sample):
    el = make_sample("ana", name="Acme")
    assert client_for("ana").get(f"/s/samples/{el.id}/action/explode").status_code == 404


def test_delete_asks_then_deletes(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    assert 'id="confirm-question"' in client.get(f"/s/samples/{el.id}/delete").get_data(as_text=True)
    assert client.post(f"/s/samples/{el.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(Sample, el.id) is None


def test_non_deletable_session_refuses_delete_with_a_message(client_for, locked, db):
    client = client_for("ana")
    html = client.get(f"/s/locked_samples/{locked.id}").get_data(as_text=True)
    assert 'id="detail-delete"' not in html
    response = client.post(f"/s/locked_samples/{locked.id}/delete")
    assert response.status_code == 403
    assert "Locked samples cannot be deleted." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, locked.id) is not None


def test_an_error_on_a_field_the_form_does_not_show_moves_to_the_top():
    from crm_core.screens.detail import placed
    from crm_core.screens.forms import FieldSpec

    specs = [FieldSpec("name", "Name", "text")]
    assert placed(specs, {"name": ["bad"], "secret": ["hidden rule"], "_form": ["top"]}) == {
        "name": ["bad"], "_form": ["hidden rule", "top"]}


def test_unknown_owner_is_refused_in_place_for_the_leader(client_for, db):
    response = client_for("leader").post("/s/samples/new", data=form_data(owner_id="999999"))
    assert response.status_code == 400
    assert 'data-error="owner_id">Unknown or inactive user.' in response.get_data(as_text=True)
    assert db.query(Sample).count() == 0


def test_a_record_opens_in_read_mode_with_values_as_the_grid_shows_them(client_for, make_sample, users):
    el = make_sample("ana", name="Acme", amount="1234.50", due="2026-03-04", comments="line one\nline two")
    html = client_for("ana").get(f"/s/samples/{el.id}").get_data(as_text=True)
    assert 'id="detail-read"' in html and 'id="detail-form"' not in html and "<input" not in html.split(
        'id="detail-read"')[1].split("</dl>")[0]
    assert re.search(r'data-value="amount">\s*1,234.5', html)
    assert re.search(r'data-value="due">\s*3/4/26', html)
    assert re.search(r'data-value="comments">line one\nline two<', html) and "Owner: Ana" in html
    assert f'id="detail-edit" href="/s/samples/{el.id}?edit=1"' in html


def test_saving_the_form_goes_back_to_read_mode(client_for, make_sample):
    el = make_sample("ana", name="Acme")
    client = client_for("ana")
    form = client.get(f"/s/samples/{el.id}?edit=1").get_data(as_text=True)
    assert 'id="detail-save"' in form and 'id="detail-cancel"' in form
    saved = client.post(f"/s/samples/{el.id}", data=form_data(name="Acme 2", version=el.version))
    assert saved.status_code == 302 and "edit=1" not in saved.headers["Location"]
    assert 'id="detail-read"' in client.get(saved.headers["Location"]).get_data(as_text=True)
