"""Channel figures (EXT-24): calls received per hour/day/week/month, mean talk time and missed
rate, per agent and per group, as a chart, a table and in the listing formats — each user's
figures through the calls' ownership rule."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from crm_core.db import unit_of_work
from plugins.telephony import services

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])

URL = "/telephony/figures?from=2026-11-01&to=2026-11-30"


@pytest.fixture
def calls(db, extensions):
    rows = [  # (extension, day, hour, result, talk)
        ("201", 2, 9, "answered", 120), ("201", 2, 9, "missed", 0), ("201", 2, 10, "answered", 60),
        ("202", 3, 9, "busy", 0), ("202", 3, 9, "answered", 30), ("202", 10, 11, "missed", 0),
    ]
    with unit_of_work():
        for n, (ext, day, hour, result, talk) in enumerate(rows):
            services.record_call(db, {"call_id": f"f{n}", "direction": "inbound", "number": "600111222",
                                      "extension": ext, "result": result, "talk_seconds": talk,
                                      "started_at": datetime(2026, 11, day, hour, 15, tzinfo=UTC)})
        services.record_call(db, {"call_id": "out", "direction": "outbound", "number": "600111222", "extension": "201",
                                  "result": "answered", "started_at": datetime(2026, 11, 2, 12, tzinfo=UTC)})


def rows_of(csv_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text)))[1:]


def test_a_leader_sees_everyones_figures_per_day_agent_and_group(client_for, calls):
    leader = client_for("leader")
    page = leader.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="figures-chart"' in html and 'data-period="2026-11-02"' in html
    per_day = rows_of(leader.get(URL + "&table=periods&format=csv").get_data(as_text=True))
    assert per_day == [
        ["2026-11-02", "3", "2", "1", "33.3", "90"],
        ["2026-11-03", "2", "1", "1", "50.0", "30"],
        ["2026-11-10", "1", "0", "1", "100.0", "0"],
        ["Total", "6", "3", "3", "50.0", "70"],
    ]
    agents = rows_of(leader.get(URL + "&table=agents&format=csv").get_data(as_text=True))
    assert [row[1:] for row in agents] == [["3", "2", "1", "33.3", "90"], ["3", "1", "2", "66.7", "30"]]
    groups = rows_of(leader.get(URL + "&table=groups&format=csv").get_data(as_text=True))
    assert [row[1:] for row in groups] == [["6", "3", "3", "50.0", "70"]]  # ana and bob: one group


@pytest.mark.parametrize(("per", "first"), [("hour", "2026-11-02 09:00"), ("week", "2026-W45"), ("month", "2026-11")])
def test_calls_per_hour_week_and_month(client_for, calls, per, first):
    rows = rows_of(client_for("leader").get(f"{URL}&per={per}&table=periods&format=csv").get_data(as_text=True))
    assert rows[0][0] == first


def test_an_agent_sees_their_own_calls_only(client_for, calls):
    rows = rows_of(client_for("ana").get(URL + "&table=periods&format=csv").get_data(as_text=True))
    assert rows[-1] == ["Total", "3", "2", "1", "33.3", "90"]


def test_the_figures_download_as_xlsx_and_pdf(client_for, calls):
    leader = client_for("leader")
    xlsx = leader.get(URL + "&table=agents&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:2] == ["Period, agent or group", "Calls"] and sheet.max_row == 3
    pdf = leader.get(URL + "&table=groups&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_bad_dates_and_buckets_are_explained(client_for, calls):
    leader = client_for("leader")
    bad = leader.get("/telephony/figures?from=yesterday&per=year")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Dates are written YYYY-MM-DD." in text and "Choose hour, day, week or month." in text
    assert leader.get("/telephony/figures?from=2026-11-30&to=2026-11-01").status_code == 400


def test_a_gap_of_the_pbx_link_is_flagged_until_a_cdr_import_recovers_it(client_for, db, calls):
    from plugins.telephony.models import LinkGap

    gap = LinkGap(started_at=datetime(2026, 11, 5, 8, tzinfo=UTC), ended_at=datetime(2026, 11, 5, 9, tzinfo=UTC),
                  reason="the PBX closed the AMI link")
    db.add(gap)
    db.flush()
    assert "The PBX link was down from" in client_for("leader").get(URL).get_data(as_text=True)
    with unit_of_work():
        services.recover_gaps(db, datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC))
    assert "The PBX link was down from" not in client_for("leader").get(URL).get_data(as_text=True)
