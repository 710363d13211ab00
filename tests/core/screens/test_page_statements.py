"""SQL statements per screen stay fixed (NF-01): the detail page of one's own record reads the
signed-in user, their group's permissions, the record and the menu settings — the owner's name
comes from the user already loaded, not from another query."""

from __future__ import annotations

import re

import pytest
from flask import current_app

from crm_core.models.menu import MenuSetting
from crm_core.services.display import user_names
from crm_core.testing import sql_statements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})



def statements():  # type: ignore[no-untyped-def]
    return sql_statements(current_app.extensions["crm_db"].engine, markers=False)


def test_detail_page_of_ones_own_record_reads_no_user_name(client_for, make_sample):
    mine = make_sample("ana", name="Mine")
    ana = client_for("ana")
    assert ana.get(f"/s/samples/{mine.id}").status_code == 200  # warm: first-request work
    with statements() as seen:
        assert ana.get(f"/s/samples/{mine.id}").status_code == 200
    assert seen and not any("FROM crm_user" in s for s in seen), "\n".join(seen)


def test_user_names_query_only_the_users_the_unit_of_work_does_not_hold(db, users):
    ana, bob = users["ana"], users["bob"]
    expected = {ana.id: ana.display_name(), bob.id: bob.display_name()}
    with statements() as seen:
        assert user_names(db, [ana.id, bob.id, None]) == expected
    assert seen == []  # both held (the fixture keeps them)
    bob_id = bob.id
    db.expunge(bob)
    with statements() as seen:
        assert user_names(db, [ana.id, bob_id]) == expected
    assert len(seen) == 1 and re.search(r"crm_user\.id IN \([^,)]+\)", seen[0]), seen  # bob's id alone


def test_grid_page_reads_the_menu_settings_with_the_permissions(client_for, make_sample):
    """Issue 13 target 4 (≤ 4 statements per grid page): the signed-in user (held by the test
    client's unit of work here, a fourth statement when served), their rights, field rules and
    the menu's settings in one statement, the saved views, the page."""
    make_sample("ana", name="Mine")
    ana = client_for("ana")
    assert ana.get("/s/samples").status_code == 200
    with statements() as seen:
        page = ana.get("/s/samples")
    assert page.status_code == 200 and b"Mine" in page.data
    assert len(seen) == 3, "\n".join(seen)
    assert [s for s in seen if "crm_menu_setting" in s] == [s for s in seen if "crm_permission" in s], seen


def test_a_relabelled_menu_entry_shows_on_the_next_page(client_for, db):
    ana = client_for("ana")
    assert b"Renamed things" not in ana.get("/s/samples").data
    db.add(MenuSetting(kind="session", name="samples", label="Renamed things", hidden=False))
    db.commit()
    assert b"Renamed things" in ana.get("/s/samples").data
