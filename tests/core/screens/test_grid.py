"""The generic grid (CORE-08, CORE-14, CORE-18, CORE-05): columns, filters, switch, sorting,
paging, toolbar and the lookup search (bulk actions: test_bulk_actions_screen.py), for the test-only samples session."""

from __future__ import annotations

import re

import pytest

from crm_core.app import crm_state
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def names_in(html: str) -> list[str]:
    return re.findall(r'<td data-label="Name"><a href="/s/samples/\d+(?:\?back=[^"]*)?">([^<]*)</a>', html)


def test_grid_shows_the_declared_columns_with_schema_labels(client_for, make_sample):
    make_sample("ana", name="Acme", company="Acme SL")
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    headers = re.findall(r'<th scope="col" data-column="(\w+)"[ >]', html)
    assert headers == ["name", "company", "email", "status", "amount"]
    assert ">Due date<" not in html and ">Company" in html
    assert names_in(html) == ["Acme"]


def test_customer_columns_drive_the_grid(crm_app, client_for, make_sample):
    import dataclasses

    reg = crm_state(crm_app).registry
    reg.sessions["samples"] = dataclasses.replace(reg.sessions["samples"], columns=("company", "name"))
    make_sample("ana", name="Acme", company="Acme SL")
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    assert re.findall(r'data-column="(\w+)"', html) == ["company", "name"]
    assert '<td data-label="Company"><a href="/s/samples/' in html


def test_executive_sees_only_own_rows_even_when_asking_for_all(client_for, make_sample):
    make_sample("ana", name="Ana's")
    make_sample("bob", name="Bob's")
    html = client_for("ana").get("/s/samples?all=1").get_data(as_text=True)
    assert names_in(html) == ["Ana&#39;s"]
    assert 'id="grid-all"' not in html


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leader_and_admin_switch_to_all_records(client_for, make_sample, username):
    make_sample("ana", name="Ana's")
    make_sample("bob", name="Bob's")
    client = client_for(username)
    assert names_in(client.get("/s/samples").get_data(as_text=True)) == []
    html = client.get("/s/samples?all=1").get_data(as_text=True)
    assert sorted(names_in(html)) == ["Ana&#39;s", "Bob&#39;s"]
    assert 'id="grid-all"' in html


def test_text_filter_matches_any_search_field(client_for, make_sample):
    make_sample("ana", name="Alpha", company="Northwind")
    make_sample("ana", name="Beta", email="beta@south.test")
    client = client_for("ana")
    assert names_in(client.get("/s/samples?q=northwind").get_data(as_text=True)) == ["Alpha"]
    assert names_in(client.get("/s/samples?q=SOUTH").get_data(as_text=True)) == ["Beta"]


def test_text_filter_words_never_span_two_fields(client_for, make_sample):
    """The fields are searched as one document joined by spaces; words never contain a space,
    so a word matches exactly the rows in which one field contains it."""
    make_sample("ana", name="Alpha", company="Beta")
    client = client_for("ana")
    assert names_in(client.get("/s/samples?q=alpha+BETA").get_data(as_text=True)) == ["Alpha"]
    for word in ("phabe", "a_b", "a%25b"):
        assert names_in(client.get(f"/s/samples?q={word}").get_data(as_text=True)) == [], word


def test_status_filter_and_label_use_the_customer_names(crm_app, client_for, make_sample, db):
    crm_state(crm_app).registry.status_maps["samples"] = {"New": "active", "In progress": "active", "Done": "closed"}
    make_sample("ana", name="Open one")
    closed = make_sample("ana", name="Closed one")
    closed.status = "closed"
    db.commit()
    client = client_for("ana")
    html = client.get("/s/samples?status=Done").get_data(as_text=True)
    assert names_in(html) == ["Closed one"]
    assert '<td data-label="Status"><span class="badge crm-state crm-state-closed" data-state="closed">Done</span></td>' in html
    assert names_in(client.get("/s/samples?status=In+progress").get_data(as_text=True)) == ["Open one"]
    assert 'value="New"' in html and 'value="In progress"' in html


def test_unknown_status_is_reported_not_silently_ignored(client_for, make_sample):
    make_sample("ana", name="Acme")
    html = client_for("ana").get("/s/samples?status=Nope").get_data(as_text=True)
    assert "Unknown status “Nope” ignored." in html


def test_sorting_by_a_shown_column_both_ways(client_for, make_sample):
    for name in ("Beta", "Alpha", "Gamma"):
        make_sample("ana", name=name)
    client = client_for("ana")
    assert names_in(client.get("/s/samples?sort=name").get_data(as_text=True)) == ["Alpha", "Beta", "Gamma"]
    assert names_in(client.get("/s/samples?sort=-name").get_data(as_text=True)) == ["Gamma", "Beta", "Alpha"]


def test_sorting_by_a_hidden_field_is_refused_with_a_message(client_for, make_sample):
    make_sample("ana", name="Acme")
    html = client_for("ana").get("/s/samples?sort=owner_id").get_data(as_text=True)
    assert "cannot be sorted" in html and names_in(html) == ["Acme"]


def test_only_the_sorts_a_list_index_serves_have_a_header_link(client_for, make_sample):
    """Issue 13 target 4: ``company`` is shown but no list index serves it, so its header is
    plain text and a URL asking for it is answered in the default order with a notice."""
    make_sample("ana", name="Beta", company="Acme")
    make_sample("ana", name="Alpha", company="Zeta")
    client = client_for("ana")
    html = client.get("/s/samples").get_data(as_text=True)
    assert re.search(r'data-column="name">\s*<a href="[^"]*sort=name', html)
    assert re.search(r'data-column="company">\s*Company\s*</th>', html)
    refused = client.get("/s/samples?sort=-company").get_data(as_text=True)
    assert "The grid cannot be sorted by “company”." in refused
    assert names_in(refused) == ["Alpha", "Beta"]  # the default order, newest first


def test_paging_with_rows_per_page(client_for, make_sample):
    for i in range(11):
        make_sample("ana", name=f"S{i:02d}")
    client = client_for("ana")
    first = client.get("/s/samples?sort=name&per_page=10").get_data(as_text=True)
    assert len(names_in(first)) == 10
    assert 'class="page-item disabled"><a class="page-link" id="page-prev"' in first
    assert 'class="page-item"><a class="page-link" id="page-next"' in first
    second = client.get("/s/samples?sort=name&per_page=10&page=2").get_data(as_text=True)
    assert names_in(second) == ["S10"]
    assert 'class="page-item disabled"><a class="page-link" id="page-next"' in second


def test_per_page_outside_the_choices_falls_back_to_the_default(client_for, make_sample):
    make_sample("ana", name="Acme")
    html = client_for("ana").get("/s/samples?per_page=100000").get_data(as_text=True)
    assert '<option value="25" selected>' in html


def test_count_is_asked_for_on_demand(client_for, make_sample):
    make_sample("ana", name="Acme")
    client = client_for("ana")
    assert 'id="grid-count"' not in client.get("/s/samples").get_data(as_text=True)
    assert re.search(r'id="grid-count">1 records', client.get("/s/samples?count=1").get_data(as_text=True))


def test_toolbar_for_a_user_who_may_modify(client_for):
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    assert 'id="tool-new"' in html and '<option value="delete">' in html


def test_toolbar_hides_new_bulk_import_for_view_only_users(guest_client):
    html = guest_client.get("/s/samples").get_data(as_text=True)
    assert 'id="tool-new"' not in html and 'id="grid-bulk"' not in html and 'id="tool-import"' not in html


def test_non_deletable_session_offers_no_bulk_delete(client_for):
    html = client_for("ana").get("/s/locked_samples").get_data(as_text=True)
    assert 'id="tool-new"' in html and '<option value="delete">' not in html


def test_toolbar_links_appear_only_for_registered_endpoints(crm_app, client_for):
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    for endpoint, marker in (("screens.listing", "tool-listing"), ("screens.export", "tool-export")):
        assert (f'id="{marker}"' in html) == (endpoint in crm_app.view_functions)
    importable = "screens.import_upload" in crm_app.view_functions
    assert ('id="tool-import"' in html) == importable
    assert 'id="tool-import"' not in client_for("ana").get("/s/locked_samples").get_data(as_text=True)


def test_group_without_view_gets_403(guest_client):
    assert guest_client.get("/s/locked_samples").status_code == 403


def test_unknown_or_plain_page_session_is_404(client_for):
    client = client_for("admin")
    assert client.get("/s/nope").status_code == 404
    assert client.get("/s/users").status_code == 404


def test_anonymous_user_is_sent_to_login(crm_app):
    response = crm_app.test_client().get("/s/samples")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_phone_markup_uses_table_cards_with_labels(client_for, make_sample):
    make_sample("ana", name="Acme")
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    assert 'class="table table-hover table-grid table-cards"' in html
    assert '<td data-label="Email">' in html and 'name="viewport"' in html


def test_lookup_returns_only_visible_matches_as_json(client_for, make_sample):
    make_sample("ana", name="Acme North")
    make_sample("bob", name="Acme South")
    data = client_for("ana").get("/s/samples/lookup?q=acme").get_json()
    assert [d["label"] for d in data] == ["Acme North"]
    leader = client_for("leader").get("/s/samples/lookup?q=acme").get_json()
    assert sorted(d["label"] for d in leader) == ["Acme North", "Acme South"]


def test_lookup_returns_at_most_twenty(client_for, make_sample):
    for i in range(25):
        make_sample("ana", name=f"Item {i}")
    assert len(client_for("ana").get("/s/samples/lookup?q=item").get_json()) == 20


def test_lookup_columns_link_the_referenced_record_only_when_visible(crm_app, client_for, make_sample, db, users):
    import dataclasses

    reg = crm_state(crm_app).registry
    reg.sessions["samples"] = dataclasses.replace(reg.sessions["samples"], columns=("name", "parent_id"))
    parent, secret = make_sample("ana", name="Parent Co"), make_sample("ana", name="Secret Co")
    make_sample("ana", name="Child", parent_id=parent.id)
    make_sample("ana", name="Other", parent_id=secret.id)
    secret.owner_id = users["bob"].id  # reassigned to bob after ana referenced it
    db.commit()
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    assert f'<td data-label="Parent"><a href="/s/samples/{parent.id}">Parent Co</a></td>' in html
    assert "Secret Co" not in html and f'<td data-label="Parent"><span>{secret.id}</span></td>' in html


def test_header_and_pager_addresses_are_url_fors_over_many_states(crm_app):
    """The sort headers' and pager's addresses, made from one ``url_for`` with a mark, are what
    ``url_for`` gives for each value — whatever the other parameters hold (the mark itself, an
    ``&sort=`` in the search words, accents, lists) — and a value an address would encode is
    built by ``url_for``."""
    import random

    from flask import url_for

    from crm_core.screens.grid_state import VALUE_MARK, addresses_by

    rng = random.Random(6)
    words = ["", "martin", "a b", f"x&sort={VALUE_MARK}", VALUE_MARK, "é/ü?#", "100%", "sort=name", "-name"]
    sorts = ["name", "-name", "created_at", "-created_at", "a b", "é", "x&y", "", VALUE_MARK]
    with crm_app.test_request_context(base_url="http://localhost/crm/"):
        for _ in range(300):
            base = {"session_name": rng.choice(["leads", "x_y"]),
                    "cols": rng.sample(["name", "city", "phone"], rng.randint(0, 3)), "q": rng.choice(words) or None,
                    "status": rng.sample(["New", "Won", f"{VALUE_MARK}"], rng.randint(0, 2)),
                    "only": rng.choice([[], ["mine"]]), "all": rng.choice([None, "1"]),
                    "per_page": rng.choice([10, 50]), "sort": rng.choice([None, "name", "-name"]),
                    "grouping": rng.choice([None, 3])}
            wanted = rng.sample(sorts, 4)
            got = addresses_by(lambda v, b=base: url_for("screens.grid", **{**b, "sort": v}), "sort", wanted)
            assert got == {v: url_for("screens.grid", **{**base, "sort": v}) for v in wanted}
            numbers = [str(rng.randint(-1, 500)) for _ in range(2)]
            got = addresses_by(lambda v, b=base: url_for("screens.grid", page=v, **b), "page", numbers)
            assert got == {v: url_for("screens.grid", page=v, **base) for v in numbers}
        without = addresses_by(lambda v: url_for("screens.grid", session_name="leads"), "sort", ["name"])
        assert without == {"name": url_for("screens.grid", session_name="leads")}
