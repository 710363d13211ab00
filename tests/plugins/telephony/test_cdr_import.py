"""Asterisk CDR files (Master.csv) through the generic import (EXT-11): each line a call with its
direction, result, ring and talk time, agent and client; a second import of the same file
stores nothing twice (the CDR's uniqueid is the call id)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from plugins.activities.models import Activity
from plugins.telephony.models import Call, LinkGap
from plugins.telephony.schemas import CDR_COLUMNS

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])

# accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,
# disposition,amaflags,uniqueid,userfield — as Asterisk's cdr_csv writes them.
MASTER_CSV = """\
"","600111222","201","from-trunk","""  """"Eva"" <600111222>","PJSIP/trunk-00000001","PJSIP/201-00000002","Dial","PJSIP/201,30","2026-11-30 08:00:00","2026-11-30 08:00:07","2026-11-30 08:03:07",187,180,"ANSWERED","DOCUMENTATION","1764489600.1","https://pbx.example/rec/1764489600.1.wav"
"","+44 20 7946 0958","202","from-trunk","","PJSIP/trunk-00000003","PJSIP/202-00000004","Dial","PJSIP/202,30","2026-11-30 08:10:00","","2026-11-30 08:10:25",25,0,"NO ANSWER","DOCUMENTATION","1764490200.3",""
"","201","0040721234567","from-internal","","PJSIP/201-00000005","PJSIP/trunk-00000006","Dial","PJSIP/trunk/0040721234567","2026-11-30 08:20:00","","2026-11-30 08:20:04",4,0,"BUSY","DOCUMENTATION","1764490800.5",""
"","202","999","from-internal","","PJSIP/202-00000007","","Dial","","2026-11-30 08:30:00","","2026-11-30 08:30:01",1,0,"FAILED","DOCUMENTATION","1764491400.7",""
"""
SPEC = ImportSpec(CDR_COLUMNS, separator=",", header=False, mode="valid", on_duplicate="skip")


def _import(sdef, access_for, text: str = MASTER_CSV):
    return run_import(sdef("calls"), access_for("admin"), text, SPEC)


def test_a_master_csv_becomes_call_records(db, users, sdef, access_for, create, extensions):
    account = create("accounts", "ana", code="C-1", name="Eva SL")
    contact = create("contacts", "ana", account_id=account.id, last_name="Eva", phone="600 111 222")
    result = _import(sdef, access_for)
    assert result.errors == [] and result.created == 4
    calls = {c.call_id: c for c in db.scalars(select(Call))}
    answered = calls["1764489600.1"]
    assert (answered.direction, answered.number, answered.extension, answered.result) == (
        "inbound", "600111222", "201", "answered")
    assert (answered.ring_seconds, answered.talk_seconds) == (7, 180)
    assert answered.started_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert answered.owner_id == users["ana"].id  # the agent at extension 201
    assert (answered.session_name, answered.element_id) == ("contacts", contact.id)  # found by its number
    assert answered.recording_url == "https://pbx.example/rec/1764489600.1.wav"
    missed = calls["1764490200.3"]
    assert (missed.result, missed.owner_id, missed.number_e164) == ("missed", users["bob"].id, "+442079460958")
    busy = calls["1764490800.5"]
    assert (busy.direction, busy.number, busy.result, busy.owner_id) == ("outbound", "0040721234567", "busy",
                                                                          users["ana"].id)
    assert busy.number_e164 == "+40721234567"
    assert calls["1764491400.7"].result == "unreachable"


def test_importing_the_same_file_twice_stores_each_call_once(db, sdef, access_for, extensions):
    assert _import(sdef, access_for).created == 4
    again = _import(sdef, access_for)
    assert (again.created, again.skipped, again.errors) == (0, 4, [])
    assert db.scalar(select(func.count()).select_from(Call)) == 4
    assert db.scalar(select(func.count()).select_from(Activity).where(Activity.type == "call")) == 4


def test_each_imported_call_is_a_call_activity_on_the_client(db, users, sdef, access_for, create, extensions):
    account = create("accounts", "ana", code="C-2", name="Eva SL", phone="600111222")
    _import(sdef, access_for)
    activity = db.scalars(select(Activity).where(Activity.element_id == account.id)).one()
    assert (activity.type, activity.status, activity.session_name) == ("call", "done", "accounts")
    assert activity.subject == "Call from 600111222" and activity.owner_id == users["ana"].id
    assert activity.starts_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC) and activity.duration == 3


def test_a_bad_line_is_reported_and_the_others_imported(db, sdef, access_for, extensions):
    bad = MASTER_CSV.replace('"BUSY"', '"ON HOLD"').replace('"2026-11-30 08:30:00"', '"yesterday"')
    result = _import(sdef, access_for, bad)
    assert result.created == 2
    assert [(line, field) for line, field, _reason in result.errors] == [(3, "result"), (4, "started_at")]


def test_a_cdr_file_spanning_a_link_gap_recovers_it(db, sdef, access_for, extensions):
    inside = LinkGap(started_at=datetime(2026, 11, 30, 8, 5, tzinfo=UTC), ended_at=datetime(2026, 11, 30, 8, 12, tzinfo=UTC))
    later = LinkGap(started_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC), ended_at=datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    db.add_all([inside, later])
    db.flush()
    _import(sdef, access_for)
    assert inside.recovered_at is not None and later.recovered_at is None


def test_the_import_cdr_command_imports_a_master_csv_once(crm_app, db, tmp_path, extensions):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from crm_core.cli import CrmGroup

    path = tmp_path / "Master.csv"
    path.write_text(MASTER_CSV, encoding="utf-8")
    cli = CrmGroup(create_app=lambda: crm_app, add_version_option=False)

    def run():
        args = ["telephony", "import-cdr", str(path), "--user", "admin"]
        return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: crm_app))

    first = run()
    assert first.exit_code == 0, first.output
    assert "4 calls imported, 0 already there, 0 refused" in first.output
    again = run()
    assert "0 calls imported, 4 already there, 0 refused" in again.output
    assert db.scalar(select(func.count()).select_from(Call)) == 4


def test_cdr_columns_through_the_api_are_a_cdr_line_or_a_clear_400(client_for, db):
    """The CDR columns are load-only import fields: a partial CDR line through the API is refused
    by its disposition (was a 500: the columns reached the model), and nothing is stored."""
    ana = client_for("ana")
    response = ana.post("/api/v1/calls", json={"call_id": "0", "cdr_billsec": ""})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"].keys() == {"result"}, response.get_json()
    assert db.scalar(select(func.count()).select_from(Call)) == 0
