"""``SessionDef.shared``: records matching the declared values are readable by every user who
may view the session, on every read path, and stay writable only by their owner and the groups
that see all records (CORE-05; the knowledge base's published articles use it, EXT-10)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.declarations import SessionDef
from crm_core.errors import NotFound
from crm_core.security.access import check_element, get_element, may_modify, scoped, visible_ids
from crm_core.testing import make_plugin
from tests.support import sample
from tests.support.sample import Sample, SampleSchema

OPEN_SAMPLES = SessionDef(
    name="open_samples", module="testing", label="Open samples", model=Sample, schema=SampleSchema,
    columns=("name", "status"), search=("name",), where={"kind": "sale"}, shared={"status": "active"},
)
sharing = make_plugin("sharing", requires=("sample",), crm_register_sessions=lambda: [OPEN_SAMPLES])
pytestmark = pytest.mark.crm(plugins=["sample", "sharing"], extra_plugins={"sample": sample, "sharing": sharing})


@pytest.fixture
def records(db, users):
    def add(owner: str, name: str, status: str) -> Sample:
        element = Sample(name=name, kind="sale", status=status, owner_id=users[owner].id, creator_id=users[owner].id)
        db.add(element)
        return element

    made = {"open": add("bob", "Bob open", "active"), "closed": add("bob", "Bob closed", "closed"),
            "mine": add("ana", "Ana closed", "closed")}
    db.commit()
    return made


def test_scoped_adds_the_shared_records_to_the_users_own(db, access_for, records):
    ana = access_for("ana")
    names = set(db.scalars(scoped(OPEN_SAMPLES, ana, stmt=select(Sample.name))))
    assert names == {"Bob open", "Ana closed"}
    assert visible_ids(db, OPEN_SAMPLES, ana, [r.id for r in records.values()]) == {
        records["open"].id, records["mine"].id}


def test_reading_one_is_allowed_writing_it_is_not(db, access_for, records):
    ana = access_for("ana")
    assert get_element(db, OPEN_SAMPLES, ana, records["open"].id).name == "Bob open"
    with pytest.raises(NotFound):
        check_element(OPEN_SAMPLES, ana, records["open"], "modify")
    with pytest.raises(NotFound):
        get_element(db, OPEN_SAMPLES, ana, records["closed"].id)
    assert not may_modify(OPEN_SAMPLES, ana, records["open"])
    assert may_modify(OPEN_SAMPLES, ana, records["mine"])
    assert may_modify(OPEN_SAMPLES, access_for("leader"), records["open"])


def test_the_same_record_through_a_session_that_does_not_share_stays_private(db, access_for, records):
    samples = sample.SAMPLES
    with pytest.raises(NotFound):
        get_element(db, samples, access_for("ana"), records["open"].id)


def test_screens_and_api_read_but_never_write_a_shared_record(client_for, db, records):
    ana = client_for("ana")
    eid = records["open"].id
    page = ana.get(f"/s/open_samples/{eid}")
    assert page.status_code == 200
    assert f'action="/s/open_samples/{eid}/delete"' not in page.get_data(as_text=True)
    assert ana.get(f"/api/v1/open_samples/{eid}").status_code == 200
    assert ana.patch(f"/api/v1/open_samples/{eid}", json={"name": "Taken"}).status_code == 404
    assert ana.post(f"/s/open_samples/{eid}", data={"name": "Taken", "version": "1"}).status_code == 404
    assert ana.post(f"/s/open_samples/{eid}/delete").status_code == 404
    db.expire_all()
    assert db.get(Sample, eid).name == "Bob open"


def test_start_up_refuses_a_shared_name_that_is_not_a_column():
    from crm_core.checks import session_problems

    bad = SessionDef(name="bad", module="testing", label="Bad", model=Sample, schema=SampleSchema, shared={"nope": 1})
    assert any("unknown field 'nope' in shared" in p for p in session_problems(bad, {"bad": bad}))


def test_bulk_actions_on_a_shared_record_are_refused_record_by_record(client_for, db, records):
    """Readable is not writable for bulk actions either: ticked or matched, bob's shared record is
    refused (and named, since ana may read it); ana's own is done."""
    ana = client_for("ana")
    ids = [records["open"].id, records["mine"].id]
    ticked = ana.post("/api/v1/open_samples/bulk", json={"action": "delete", "ids": ids}).get_json()
    assert {r["id"]: r["result"] for r in ticked["results"]} == {records["open"].id: "refused",
                                                                 records["mine"].id: "done"}
    matched = ana.post("/s/open_samples/bulk", data={"action": "delete", "scope": "all", "confirm": "1"})
    assert "0 done, 1 refused." in matched.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, records["open"].id) is not None and db.get(Sample, records["mine"].id) is None
    page = ana.get(f"/s/open_samples/{records['open'].id}").get_data(as_text=True)
    assert 'id="detail-read"' in page and 'id="detail-edit"' not in page  # read mode only
