"""Saved grid views (issue 17 item 4): the column chooser, the URL keeping the state, views saved,
applied, renamed, made default, shared by administrators (read-only for others) and deleted
after a confirmation; every view checked again when applied, foreign ids not found."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.models.views import GridView
from crm_core.services import views as grid_views
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col" data-column="(\w+)"[ >]', html)


def names_in(html: str) -> list[str]:
    return re.findall(r'<td data-label="Name"><a href="/s/samples/\d+[^"]*">([^<]*)</a>', html)


def make_view(db, user, name="Mine", state=None, **extra):
    with unit_of_work():
        view = grid_views.save(db, user, "samples", name, state or {"q": "acme"})
        for key, value in extra.items():
            setattr(view, key, value)
    return view


def test_the_column_chooser_shows_the_chosen_columns_in_the_chosen_order(client_for, make_sample):
    make_sample("ana", name="Acme", company="Acme SL")
    html = client_for("ana").get("/s/samples?cols=amount&cols=name").get_data(as_text=True)
    assert headers(html) == ["amount", "name"]
    chooser = re.findall(r'<li class="list-group-item d-flex[^"]*" data-col="(\w+)">', html)
    assert chooser == ["amount", "name", "company", "email", "status"]  # shown first, then the rest
    assert re.search(r'id="col-amount" value="amount" checked', html)
    assert not re.search(r'id="col-email" value="email" checked', html)


def test_an_unknown_column_in_the_url_is_left_out_with_a_notice(client_for):
    response = client_for("ana").get("/s/samples?cols=name&cols=password_hash&cols=nope")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert headers(html) == ["name"]
    assert "The column “password_hash” is not available" in html and "“nope”" in html


def test_sort_and_paging_links_keep_the_chosen_columns(client_for, make_sample):
    for i in range(3):
        make_sample("ana", name=f"S{i}")
    html = client_for("ana").get("/s/samples?cols=name&cols=amount&per_page=10&q=S").get_data(as_text=True)
    link = re.search(r'data-column="amount">\s*<a href="([^"]+)"', html).group(1)
    assert "cols=name&amp;cols=amount" in link and "sort=amount" in link and "q=S" in link


def test_hiding_the_sorted_column_falls_back_to_the_default_order_quietly(client_for):
    html = client_for("ana").get("/s/samples?cols=name&sort=amount").get_data(as_text=True)
    assert "cannot be sorted" not in html and headers(html) == ["name"]


def test_a_view_is_saved_from_the_grid_and_applied_with_its_state(client_for, make_sample, db, users):
    make_sample("ana", name="Acme", company="Acme SL")
    make_sample("ana", name="Other")
    ana = client_for("ana")
    response = ana.post("/s/samples/views", data={"name": " Acme  only ", "q": "acme", "cols": ["company", "name"],
                                                  "sort": "-name", "per_page": "10", "status": "Active"})
    assert response.status_code == 302
    view = db.scalar(select(GridView).where(GridView.user_id == users["ana"].id))
    assert view.name == "Acme only"
    assert view.state == {"cols": ["company", "name"], "q": "acme", "status": ["Active"], "sort": "-name",
                          "per_page": 10}
    assert f"view={view.id}" in response.location and "q=acme" in response.location
    applied = ana.get(f"/s/samples/views/{view.id}")
    assert applied.status_code == 302
    html = ana.get(applied.location).get_data(as_text=True)
    assert headers(html) == ["company", "name"]
    assert re.findall(r'<td data-label="Company"><a href="/s/samples/\d+\?back=[^"]+">([^<]*)</a>', html) == ["Acme SL"]
    assert 'id="grid-current-view">Acme only<' in html


def test_saving_under_an_existing_name_replaces_that_views_state(db, users):
    first = make_view(db, users["ana"], "Same", {"q": "one"})
    again = make_view(db, users["ana"], "Same", {"q": "two"})
    assert first.id == again.id and again.state == {"q": "two"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_bad_name_is_refused_and_nothing_is_saved(client_for, db, name):
    ana = client_for("ana")
    response = ana.post("/s/samples/views", data={"name": name, "q": "x"})
    assert response.status_code == 302
    assert db.scalar(select(GridView)) is None
    html = ana.get(response.location).get_data(as_text=True)
    assert "Give the view a name." in html or "at most 80 characters" in html


def test_a_view_is_checked_again_when_applied(client_for, db, users):
    view = make_view(db, users["ana"], "Old", {"cols": ["name", "gone"], "status": ["Vanished"], "sort": "gone",
                                               "only": ["nope"], "per_page": 7, "all": "1"})
    ana = client_for("ana")
    response = ana.get(f"/s/samples/views/{view.id}")
    assert response.status_code == 302
    assert "gone" not in response.location and "Vanished" not in response.location and "all=" not in response.location
    html = ana.get(response.location).get_data(as_text=True)
    assert "The column “gone” is not available" in html
    assert "Unknown status “Vanished” ignored." in html and "Unknown filter “nope” ignored." in html
    assert "Only administrators and leaders may show all records." in html
    assert headers(html) == ["name"]


def test_a_corrupt_stored_state_never_gives_a_server_error(client_for, db, users):
    view = make_view(db, users["ana"], "Broken", {"q": "x"})
    with unit_of_work():
        db.get(GridView, view.id).state = {"cols": 5, "per_page": "many", "status": [None, 3]}
    ana = client_for("ana")
    response = ana.get(f"/s/samples/views/{view.id}")
    assert response.status_code == 302
    html = ana.get(response.location).get_data(as_text=True)
    assert "The column “5” is not available" in html and "Unknown status “None” ignored." in html


def test_the_default_view_opens_on_the_bare_grid_and_standard_leaves_it(client_for, make_sample, db, users):
    make_sample("ana", name="Acme")
    make_sample("ana", name="Zed")
    view = make_view(db, users["ana"], "Z", {"q": "zed"})
    other = make_view(db, users["ana"], "A", {"q": "acme"})
    ana = client_for("ana")
    assert ana.post(f"/s/samples/views/{other.id}/default", data={"on": "1"}).status_code == 302
    assert ana.post(f"/s/samples/views/{view.id}/default", data={"on": "1"}).status_code == 302
    db.expire_all()
    assert [v.name for v in db.scalars(select(GridView).where(GridView.is_default.is_(True)))] == ["Z"]
    response = ana.get("/s/samples")
    assert response.status_code == 302 and response.location.endswith(f"/s/samples/views/{view.id}")
    assert names_in(ana.get("/s/samples?view=0").get_data(as_text=True)) == ["Zed", "Acme"]
    assert client_for("bob").get("/s/samples").status_code == 200  # ana's default is hers alone


def test_rename_refuses_a_name_the_user_already_has(client_for, db, users):
    one = make_view(db, users["ana"], "One")
    make_view(db, users["ana"], "Two")
    ana = client_for("ana")
    html = ana.post(f"/s/samples/views/{one.id}/rename", data={"name": "Two"}, follow_redirects=True).get_data(
        as_text=True)
    assert "You already have a view named “Two”." in html
    db.expire_all()
    assert db.get(GridView, one.id).name == "One"
    ana.post(f"/s/samples/views/{one.id}/rename", data={"name": "Uno"})
    db.expire_all()
    assert db.get(GridView, one.id).name == "Uno"


def test_delete_asks_for_confirmation_first(client_for, db, users):
    view = make_view(db, users["ana"])
    ana = client_for("ana")
    page = ana.get(f"/s/samples/views/{view.id}/delete").get_data(as_text=True)
    assert "Delete the view “Mine”?" in page
    assert ana.post(f"/s/samples/views/{view.id}/delete", data={}).status_code == 200  # no confirm: asks again
    assert db.get(GridView, view.id) is not None
    assert ana.post(f"/s/samples/views/{view.id}/delete", data={"confirm": "1"}).status_code == 302
    db.expire_all()
    assert db.get(GridView, view.id) is None


def test_an_administrator_withdraws_a_view_someone_else_shared_as_the_api_allows(client_for, db, users):
    """Screen and API follow one rule (``views.get_removable``): an administrator may delete a
    shared view of another user, after the confirmation; a private one stays theirs alone."""
    shared = make_view(db, users["ana"], "Ana's shared")
    shared.shared = "all"
    private = make_view(db, users["ana"], "Ana's own")
    db.commit()
    admin = client_for("admin")
    page = admin.get("/s/samples/views").get_data(as_text=True)
    assert f'data-delete="{shared.id}"' in page and f'data-delete="{private.id}"' not in page
    assert admin.post(f"/s/samples/views/{private.id}/delete", data={"confirm": "1"}).status_code == 404
    assert "Delete the view" in admin.get(f"/s/samples/views/{shared.id}/delete").get_data(as_text=True)
    assert admin.post(f"/s/samples/views/{shared.id}/delete", data={"confirm": "1"}).status_code == 302
    db.expire_all()
    assert db.get(GridView, shared.id) is None and db.get(GridView, private.id) is not None


@pytest.mark.parametrize("route", ["", "/rename", "/default", "/share", "/delete"])
def test_another_users_private_view_is_not_found_on_every_route(client_for, db, users, route):
    view = make_view(db, users["bob"], "Bob's")
    ana = client_for("ana")
    response = ana.get(f"/s/samples/views/{view.id}") if not route else ana.post(
        f"/s/samples/views/{view.id}{route}", data={"name": "Taken", "on": "1", "scope": "all", "confirm": "1"})
    assert response.status_code == 404
    db.expire_all()
    kept = db.get(GridView, view.id)
    assert kept is not None and kept.name == "Bob's" and not kept.is_default and kept.shared is None


def test_a_view_of_another_session_is_not_found(client_for, db, users):
    view = make_view(db, users["ana"])
    assert client_for("ana").get(f"/s/locked_samples/views/{view.id}").status_code == 404


def test_only_administrators_share_and_a_shared_view_is_read_only_for_others(client_for, db, users):
    mine = make_view(db, users["ana"], "Ana's")
    assert client_for("ana").post(f"/s/samples/views/{mine.id}/share", data={"scope": "all"}).status_code == 403
    db.expire_all()
    assert db.get(GridView, mine.id).shared is None
    team = make_view(db, users["admin"], "Team", {"q": "acme"})
    admin = client_for("admin")
    assert admin.post(f"/s/samples/views/{team.id}/share", data={"scope": "group",
                                                                 "group_id": str(users["ana"].group_id)}).status_code == 302
    ana, leader = client_for("ana"), client_for("leader")
    assert "Team" in ana.get("/s/samples/views").get_data(as_text=True)
    assert "Team" not in leader.get("/s/samples/views").get_data(as_text=True)
    assert ana.get(f"/s/samples/views/{team.id}").status_code == 302
    assert leader.get(f"/s/samples/views/{team.id}").status_code == 404
    for route in ("/rename", "/default", "/delete"):
        assert ana.post(f"/s/samples/views/{team.id}{route}", data={"name": "Mine now", "on": "1",
                                                                   "confirm": "1"}).status_code == 403
    db.expire_all()
    kept = db.get(GridView, team.id)
    assert kept.name == "Team" and not kept.is_default
    admin.post(f"/s/samples/views/{team.id}/share", data={"scope": "all"})
    assert leader.get(f"/s/samples/views/{team.id}").status_code == 302


@pytest.mark.parametrize("form", [{"scope": "world"}, {"scope": "group"}, {"scope": "group", "group_id": "999999"}])
def test_a_bad_share_is_refused_and_changes_nothing(client_for, db, users, form):
    view = make_view(db, users["admin"], "Team")
    html = client_for("admin").post(f"/s/samples/views/{view.id}/share", data=form,
                                    follow_redirects=True).get_data(as_text=True)
    assert "Choose" in html
    db.expire_all()
    assert db.get(GridView, view.id).shared is None


def test_views_need_the_sessions_view_permission(guest_client, db, users, guest):
    from crm_core.models.auth import Permission

    with unit_of_work():
        db.execute(Permission.__table__.update().where(Permission.group_id == guest.group_id).values(can_view=False))
    assert guest_client.get("/s/samples/views").status_code == 403
    assert guest_client.post("/s/samples/views", data={"name": "x"}).status_code == 403
    assert db.scalar(select(GridView)) is None


def test_service_rules(db, users):
    ana = users["ana"]
    view = make_view(db, ana, "Mine")
    assert grid_views.get_visible(db, ana, "samples", view.id) is view
    with pytest.raises(NotFound):
        grid_views.get_visible(db, users["bob"], "samples", view.id)
    with pytest.raises(BusinessRuleError):
        grid_views.clean_name("\t ")
    with pytest.raises(PermissionDenied):
        grid_views.share(db, ana, view, "all", None)
    shared = make_view(db, users["admin"], "Everyone", shared="all")
    assert [v.name for v in grid_views.visible(db, ana, "samples")] == ["Mine", "Everyone"]
    with pytest.raises(PermissionDenied):
        grid_views.get_own(db, ana, "samples", shared.id)


def test_deleting_a_user_deletes_their_views(db, users):
    from crm_core.admin.services import delete_user

    make_view(db, users["bob"], "Bob's")
    with unit_of_work():
        delete_user(db, users["bob"], users["admin"])
    assert db.scalar(select(GridView)) is None
