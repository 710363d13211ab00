"""Case reports (issue 14): cases by status, type, priority, group and age, SLA breaches, mean
and percentile resolution time per type and group — each a chart and a table, the table also as
CSV, XLSX and PDF; the figures count only the cases the viewer may view."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import update

from crm_core.admin.services import set_permissions
from crm_core.db import unit_of_work
from crm_core.models.auth import Group
from crm_core.models.types import utcnow
from plugins.cases import reports
from plugins.cases.models import Case

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])

URL = "/cases/reports"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def set_case(db, case, **values) -> None:
    with unit_of_work():
        db.execute(update(Case).where(Case.id == case.id).values(**values))


@pytest.fixture
def cases(db, create, new_case, users):
    """Ana: 3 cases (billing ×2, defect), Bob: 1 (complaint, his own customer). Ages, due times,
    resolutions and a group set directly, as the clock and escalation would."""
    now = utcnow()
    support = Group(name="Support", description="", sees_all=False)
    with unit_of_work():
        db.add(support)
    a1 = new_case(subject="Factura duplicada", type="billing", priority="high")
    a2 = new_case(subject="Cobro doble", type="billing")
    a3 = new_case(subject="Router roto", type="defect", priority="urgent")
    bobs = create("accounts", "bob", code="C0200", name="Bob S.L.")
    b1 = create("cases", "bob", account_id=bobs.id, subject="Queja de Bob", type="complaint")
    set_case(db, a1, created_at=now - timedelta(days=10), status="open", due_at=now - timedelta(days=2),
             group_id=support.id)
    set_case(db, a2, created_at=now - timedelta(hours=30), status="resolved", due_at=now - timedelta(hours=20),
             resolved_at=now - timedelta(hours=10), group_id=support.id)  # resolved late, after 20 h
    set_case(db, a3, created_at=now - timedelta(hours=50), status="closed", due_at=now + timedelta(days=1),
             resolved_at=now - timedelta(hours=10))  # resolved on time, after 40 h
    set_case(db, b1, created_at=now - timedelta(hours=2), status="gathering", due_at=now - timedelta(hours=1))
    return {"ana": [a1, a2, a3], "bob": [b1], "support": support}


def test_cases_by_status_type_priority_group_and_age_for_a_leader(client_for, cases):
    leader = client_for("leader")
    status = dict(rows_of(leader.get(URL + "?report=status&format=csv"))[1:])
    assert status == {"Gathering information": "1", "Open": "1", "Resolved": "1", "Closed": "1", "Cancelled": "0"}
    assert rows_of(leader.get(URL + "?report=type&format=csv"))[1:] == [
        ["Billing", "2"], ["Complaint", "1"], ["Defect", "1"]]
    assert dict(rows_of(leader.get(URL + "?report=priority&format=csv"))[1:]) == {
        "Low": "0", "Normal": "2", "High": "1", "Urgent": "1"}
    assert rows_of(leader.get(URL + "?report=group&format=csv"))[1:] == [["No group", "2"], ["Support", "2"]]
    age = dict(rows_of(leader.get(URL + "?report=age&format=csv"))[1:])  # only cases still worked on
    assert age == {"Less than a day": "1", "1 to 3 days": "0", "3 to 7 days": "0", "7 to 30 days": "1",
                   "More than 30 days": "0"}


def test_sla_breaches_and_resolution_times(client_for, cases):
    leader = client_for("leader")
    sla = rows_of(leader.get(URL + "?report=sla&format=csv"))
    assert sla[0] == ["Type", "Open past due", "Resolved late", "Cases with a due time", "Breached %"]
    assert sla[1:] == [["Billing", "1", "1", "2", "100.0"], ["Complaint", "1", "0", "1", "100.0"],
                       ["Defect", "0", "0", "1", "0.0"]]
    by_type = rows_of(leader.get(URL + "?report=resolution_type&format=csv"))
    assert by_type[0] == ["Type", "Mean (hours)", "Median (hours)", "90th percentile (hours)", "Resolved cases"]
    assert by_type[1:] == [["Billing", "20.0", "20.0", "20.0", "1"], ["Defect", "40.0", "40.0", "40.0", "1"]]
    by_group = rows_of(leader.get(URL + "?report=resolution_group&format=csv"))
    assert by_group[1:] == [["No group", "40.0", "40.0", "40.0", "1"], ["Support", "20.0", "20.0", "20.0", "1"]]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert (reports.percentile(values, 0.5), reports.percentile(values, 0.9), reports.percentile(values, 1.0)) == (
        5.0, 9.0, 10.0)
    assert reports.percentile([], 0.5) == 0.0


def test_an_executive_counts_only_the_cases_he_may_view(client_for, cases):
    ana, bob = client_for("ana"), client_for("bob")
    assert rows_of(ana.get(URL + "?report=type&format=csv"))[1:] == [["Billing", "2"], ["Defect", "1"]]
    assert rows_of(bob.get(URL + "?report=type&format=csv"))[1:] == [["Complaint", "1"]]
    assert [r[0] for r in rows_of(bob.get(URL + "?report=sla&format=csv"))[1:]] == ["Complaint"]


def test_the_period_counts_cases_created_in_it(client_for, cases):
    today = utcnow().date()
    since = (today - timedelta(days=3)).isoformat()
    rows = rows_of(client_for("leader").get(f"{URL}?report=type&format=csv&from={since}&to={today.isoformat()}"))
    assert rows[1:] == [["Billing", "1"], ["Complaint", "1"], ["Defect", "1"]]  # the 10-day-old case is out


def test_the_page_draws_the_chart_and_the_table_of_the_same_figures(client_for, cases):
    html = client_for("leader").get(URL + "?report=sla").get_data(as_text=True)
    assert 'data-chart-key="sla"' in html and 'id="chart-sla"' in html and 'id="case-report-table"' in html
    assert 'data-category="Billing"' in html and 'data-series="open_late"' in html
    assert 'data-series="with_sla"' not in html  # table-only figures are not drawn
    for key in reports.REPORTS:
        assert f'data-report="{key}"' in html
    assert 'data-format="xlsx"' in html


def test_xlsx_and_pdf_downloads(client_for, cases):
    leader = client_for("leader")
    sheet = load_workbook(io.BytesIO(leader.get(URL + "?report=group&format=xlsx").data)).active
    assert [c.value for c in sheet[1]] == ["Group", "Cases"] and sheet.max_row == 3
    pdf = leader.get(URL + "?report=resolution_type&format=pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert 'filename="cases-resolution_type.pdf"' in pdf.headers["Content-Disposition"]


def test_bad_input_is_explained_and_unknown_reports_are_not_found(client_for, cases):
    leader = client_for("leader")
    bad = leader.get(URL + "?report=type&from=2026-13-01")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)
    reversed_period = leader.get(URL + "?from=2026-05-01&to=2026-04-01")
    assert reversed_period.status_code == 400 and "cannot be before its start" in reversed_period.get_data(as_text=True)
    assert leader.get(URL + "?report=secret").status_code == 404
    assert leader.get(URL + "?report=type&format=docx").status_code == 404


def test_no_data_is_reported_not_an_empty_file(client_for, cases):
    page = client_for("leader").get(URL + "?report=type&format=csv&from=2001-01-01&to=2001-12-31")
    assert page.mimetype == "text/html" and "No data." in page.get_data(as_text=True)


def test_the_reports_need_their_permission_and_the_cases_view(client_for, cases, db, users):
    set_permissions(db, users["ana"].group, ["case_reports"], {"case_reports": set()})
    db.commit()
    assert client_for("ana").get(URL).status_code == 403
    set_permissions(db, users["ana"].group, ["case_reports", "cases"], {"case_reports": {"view"}, "cases": set()})
    db.commit()
    assert client_for("ana").get(URL).status_code == 403


def test_spanish(client_for, cases, db, users):
    users["leader"].language = "es"
    db.commit()
    refresh()  # the tests' app context already chose English while the fixtures created records
    html = client_for("leader").get(URL + "?report=age").get_data(as_text=True)
    assert "Informes de casos" in html and "Casos abiertos por antigüedad" in html and "Menos de un día" in html
    csv_text = client_for("leader").get(URL + "?report=sla&format=csv").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("Tipo,Abiertos vencidos,Resueltos tarde,Casos con vencimiento,% incumplido")
