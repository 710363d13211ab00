"""SLA deadlines of cases (CAS-02): set from the client's rule when a case is created, recomputed
when its type, product, symptom or priority changes while it is worked on; the configuration is
checked at start-up with the key named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import refresh
from sqlalchemy import update

from crm_core.app import create_app
from crm_core.errors import ConfigError
from crm_core.testing.plugin import base_settings
from plugins.cases import sla
from plugins.cases.models import Case

CUSTOMERS = Path(__file__).parent / "customers"
pytestmark = pytest.mark.crm(plugins=["sales", "cases"], customer="telco_sla", settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})

AGREEMENT = {"agreed_by": "Rosa Ferrer", "agreed_via": "phone"}


def test_a_new_billing_case_is_due_21_business_days_after_creation(new_case):
    case = new_case()
    policy = sla.current_policy()
    assert case.due_at == policy.calendar.add(case.created_at, 21 * 9 * 60)
    assert case.respond_by == policy.calendar.add(case.created_at, 8 * 60)
    assert policy.calendar.elapsed(case.created_at, case.due_at) == 21 * 9 * 60


def test_the_most_specific_rule_wins(new_case):
    outage = new_case(type="defect", product="fiber", symptom="no signal")
    other = new_case(type="defect", product="fiber", symptom="slow")
    calendar = sla.current_policy().calendar
    assert calendar.elapsed(outage.created_at, outage.due_at) == 9 * 60
    assert calendar.elapsed(other.created_at, other.due_at) == 5 * 9 * 60
    assert other.respond_by is None  # the general defect rule has no response time


def test_a_type_without_a_rule_keeps_the_typed_due_time(new_case):
    typed = datetime(2027, 1, 15, 10, tzinfo=UTC)
    case = new_case(type="sales", due_at=typed.isoformat())
    assert case.due_at == typed


def test_changing_the_type_recomputes_the_deadlines(new_case, db, sdef, access_for):
    from crm_core.db import unit_of_work
    from crm_core.services import elements

    case = new_case()
    with unit_of_work():
        elements.update(db, sdef("cases"), access_for("ana"), case,
                        {"type": "defect", "product": "fiber", "symptom": "no signal"})
    calendar = sla.current_policy().calendar
    assert calendar.elapsed(case.created_at, case.due_at) == 9 * 60
    assert calendar.elapsed(case.created_at, case.respond_by) == 60


def test_a_resolved_case_keeps_its_deadline(new_case, action, db, sdef, access_for):
    from crm_core.db import unit_of_work
    from crm_core.services import elements

    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Refund issued")
    due = case.due_at
    with unit_of_work():
        elements.update(db, sdef("cases"), access_for("ana"), case, {"priority": "urgent"})
    assert case.due_at == due


def test_sla_state_reads_due_breached_or_nothing(new_case, action, db):
    case = new_case()
    assert case.sla_state == "due"
    case.due_at = case.created_at - timedelta(minutes=1)
    assert case.sla_state == "breached"
    action(case, "cancel", "ana", reason="Duplicate")
    assert case.sla_state == ""


def test_the_grid_shows_the_sla_state_and_filters_overdue_cases(new_case, db, client_for):
    late = new_case(subject="Late claim")
    new_case(subject="Fresh claim")
    db.execute(update(Case).where(Case.id == late.id).values(due_at=late.created_at - timedelta(days=1)))
    page = client_for("ana").get("/s/cases").get_data(as_text=True)
    assert "Breached" in page and "On time" in page and 'name="only"' in page
    page = client_for("ana").get("/s/cases?only=overdue").get_data(as_text=True)
    assert "Late claim" in page and "Fresh claim" not in page
    api = client_for("ana").get("/api/v1/cases?only=overdue").get_json()
    assert [row["subject"] for row in api["items"]] == ["Late claim"]
    assert api["items"][0]["sla_state"] == "breached"
    assert client_for("ana").get("/api/v1/cases?only=late").status_code == 400


def test_the_detail_shows_the_sla_state_in_spanish(new_case, client_for, db, users):
    case = new_case()
    users["ana"].language = "es"
    db.commit()
    refresh()  # the tests' app context already chose English
    page = client_for("ana").get(f"/s/cases/{case.id}?tab=sla").get_data(as_text=True)
    assert "En plazo" in page and "Responder antes de" in page and "Sin escalar." in page


def _start(tmp_path: Path, body: str) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "customer.toml").write_text('[plugins]\nenabled = ["sales", "cases"]\n' + body)
    create_app(base_settings("sqlite://", CRM_OVERRIDES_DIR=str(tmp_path), CRM_CUSTOMER="bad"))


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('[settings.cases.calendar]\ntime_zone = "Europe/Madird"\n', "time_zone"),
        ('[settings.cases.calendar]\nworking_hours = ["18:00", "09:00"]\n', "working_hours"),
        ('[settings.cases.calendar]\nholidays = "XX"\n', "holidays"),
        ('[settings.cases.calendar]\nworking_days = [0, 8]\n', "working_days"),
        ('[[settings.cases.sla]]\ntype = "billing"\nresolution = "7 days"\n', "resolution"),
        ('[[settings.cases.sla]]\ntype = "bilinig"\nresolution = "7d"\n', "bilinig"),
        ('[[settings.cases.sla]]\ntype = "billing"\nladder = [{ after = "7d" }]\n', "group"),
        ('[[settings.cases.sla]]\ntype = "billing"\nladder = [{ after = "7d", group = "A" }, { after = "3d", group = "B" }]\n',
         "later"),
    ],
)
def test_a_bad_sla_setting_stops_start_up_naming_the_key(tmp_path, body, named):
    with pytest.raises(ConfigError, match=named):
        _start(tmp_path, body)
