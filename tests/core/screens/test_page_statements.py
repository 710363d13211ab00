"""SQL statements per screen stay fixed (NF-01): the detail page of one's own record reads the
signed-in user, their group's permissions, the record and the menu settings — the owner's name
comes from the user already loaded, not from another query."""

from __future__ import annotations

import re

import pytest
from flask import current_app

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
