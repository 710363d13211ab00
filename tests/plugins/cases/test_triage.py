"""Triage scripts (EXT-14): a fibre fault cannot be opened until the agent has walked the
product's script to an outcome; each answer is stored on the case and is a line of its history;
stale or invalid answers and foreign cases are refused and write nothing; broken scripts stop
the start naming their key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_core.errors import BusinessRuleError
from plugins.cases import triage
from plugins.cases.models import Case
from plugins.cases.triage_models import TriageAnswer
from tests.support.audit import audit_rows

CUSTOMERS = str(Path(__file__).parent / "customers")
pytestmark = pytest.mark.crm(plugins=["sales", "cases"], customer="telco", settings={"CRM_OVERRIDES_DIR": CUSTOMERS})


@pytest.fixture
def fault(new_case):
    return new_case(subject="Sin conexión", type="fault", product="fiber")


def answer(db, case, username_user, question, choice):
    from crm_core.db import unit_of_work

    with unit_of_work():
        triage.answer(db, db.get(Case, case.id), username_user, question, choice)


def answers(db, case) -> list[tuple[str, str, str]]:
    rows = db.scalars(select(TriageAnswer).where(TriageAnswer.case_id == case.id).order_by(TriageAnswer.step))
    return [(r.question_key, r.answer, r.outcome) for r in rows]


def test_a_fault_opens_only_once_its_triage_reached_an_outcome(fault, action, db, users):
    with pytest.raises(BusinessRuleError, match="not possible"):
        action(fault, "open", "ana")
    answer(db, fault, users["ana"], "lights", 0)
    with pytest.raises(BusinessRuleError, match="not possible"):
        action(fault, "open", "ana")  # half a script is not a triage
    answer(db, fault, users["ana"], "los", 1)
    action(fault, "open", "ana")
    db.expire_all()
    assert db.get(Case, fault.id).status == "open"
    assert answers(db, fault) == [
        ("lights", "Sí", ""),
        ("los", "No", "Configuración: reiniciar el router de forma remota"),
    ]


def test_each_answer_is_a_line_of_the_case_history(fault, db, users, client_for):
    answer(db, fault, users["ana"], "lights", 1)
    created = [changes for _action, changes in audit_rows(db, fault) if "answer" in changes]
    assert [c["answer"][1] for c in created] == ["No"]
    assert created[0]["outcome"][1] == "Fallo de alimentación: enviar un adaptador nuevo"
    history = client_for("ana").get(f"/s/cases/{fault.id}", query_string={"tab": "history"}).get_data(as_text=True)
    assert "Fallo de alimentación" in history


@pytest.mark.parametrize(
    ("question", "choice", "message"),
    [("los", 0, "answered meanwhile"), ("lights", 7, "Choose one of the answers"), ("lights", -1, "Choose one")],
)
def test_stale_or_invalid_answers_are_refused_and_write_nothing(fault, db, users, question, choice, message):
    with pytest.raises(BusinessRuleError, match=message):
        answer(db, fault, users["ana"], question, choice)
    assert answers(db, fault) == []


def test_a_complete_triage_takes_no_more_answers_until_restarted(fault, db, users, action):
    answer(db, fault, users["ana"], "lights", 1)
    with pytest.raises(BusinessRuleError, match="complete"):
        answer(db, fault, users["ana"], "lights", 0)
    from crm_core.db import unit_of_work

    with unit_of_work():
        triage.restart(db, db.get(Case, fault.id))
    assert answers(db, fault) == []
    with pytest.raises(BusinessRuleError, match="not possible"):
        action(fault, "open", "ana")  # blocked again
    deleted = [changes for action_name, changes in audit_rows(db, fault) if "answer" in changes]
    assert len(deleted) == 2  # the answer's creation and its removal both stay in the history


def test_cases_without_a_script_open_directly(new_case, action, db):
    claim = new_case(subject="Factura", type="claim", product="fiber")  # the script names faults only
    mobile = new_case(subject="Sin cobertura", type="fault", product="mobile")  # no script for mobile
    for case in (claim, mobile):
        action(case, "open", "ana")
        assert triage.state(db, case) is None
    db.expire_all()
    assert {db.get(Case, c.id).status for c in (claim, mobile)} == {"open"}


def test_the_tab_walks_the_script_on_the_screen(fault, client_for, db):
    ana = client_for("ana")
    tab = ana.get(f"/s/cases/{fault.id}", query_string={"tab": "triage"}).get_data(as_text=True)
    assert "¿Están encendidas las luces del router?" in tab and 'value="lights"' in tab
    done = ana.post(f"/cases/triage/{fault.id}/answer", data={"question": "lights", "choice": "0"})
    assert done.status_code == 302 and "tab=triage" in done.headers["Location"]
    tab = ana.get(done.headers["Location"]).get_data(as_text=True)
    assert "¿Parpadea en rojo la luz LOS?" in tab
    ana.post(f"/cases/triage/{fault.id}/answer", data={"question": "los", "choice": "0"})
    tab = ana.get(f"/s/cases/{fault.id}", query_string={"tab": "triage"}).get_data(as_text=True)
    assert 'id="triage-outcome"' in tab and "Corte de fibra" in tab
    assert ana.post(f"/cases/triage/{fault.id}/answer", data={"question": "los", "choice": "x"}).status_code == 400


def test_a_user_who_may_not_see_the_case_cannot_answer(fault, client_for, db):
    bob = client_for("bob")
    assert bob.post(f"/cases/triage/{fault.id}/answer", data={"question": "lights", "choice": "0"}).status_code == 404
    assert bob.post(f"/cases/triage/{fault.id}/restart").status_code == 404
    assert db.scalar(select(func.count()).select_from(TriageAnswer)) == 0


def test_the_open_action_is_not_offered_before_the_triage(fault, client_for, db, users):
    ana = client_for("ana")
    assert "/action/open" not in ana.get(f"/s/cases/{fault.id}").get_data(as_text=True)
    refused = ana.post(f"/api/v1/cases/{fault.id}/actions/open", json={})
    assert refused.status_code == 422
    answer(db, fault, users["ana"], "lights", 1)
    assert "/action/open" in ana.get(f"/s/cases/{fault.id}").get_data(as_text=True)


SCRIPT = '[plugins]\nenabled = ["sales", "cases"]\n[settings.cases.triage.fiber]\nstart = "a"\n'


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ('[settings.cases.triage.fiber.questions.a]\ntext = "A"\nanswers = [{label = "x", next = "zz"}]\n',
         "no question is called"),
        ('[settings.cases.triage.fiber.questions.a]\ntext = "A"\nanswers = [{label = "x", next = "a"}]\n', "loops"),
        ('[settings.cases.triage.fiber.questions.a]\ntext = "A"\nanswers = [{label = "x", outcome = "o"}]\n'
         '[settings.cases.triage.fiber.questions.b]\ntext = "B"\nanswers = [{label = "x", outcome = "o"}]\n',
         "Never asked"),
        ('[settings.cases.triage.fiber.questions.a]\ntext = "A"\nanswers = [{label = "x", next = "a", outcome = "o"}]\n',
         "either to a next question or to an outcome"),
        ('[settings.cases.triage.fiber.questions.b]\ntext = "B"\nanswers = [{label = "x", outcome = "o"}]\n',
         "No question is called"),
    ],
)
def test_a_broken_script_stops_the_start_naming_its_key(tmp_path, questions, message):
    from crm_core.app import create_app
    from crm_core.errors import ConfigError
    from crm_core.testing.plugin import base_settings

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "customer.toml").write_text(SCRIPT + questions)
    with pytest.raises(ConfigError, match="settings.cases.triage") as error:
        create_app(base_settings("sqlite://", CRM_PLUGINS=None, CRM_CUSTOMER="bad", CRM_OVERRIDES_DIR=str(tmp_path)))
    assert "fiber" in str(error.value) and message in str(error.value)


def test_the_triage_tab_and_its_refusals_read_in_spanish(fault, client_for, db, users):
    users["ana"].language = "es"
    db.commit()
    ana = client_for("ana")
    tab = ana.get(f"/s/cases/{fault.id}", query_string={"tab": "triage"}).get_data(as_text=True)
    assert "Triaje" in tab and "no se puede abrir ni escalar" in tab
    stale = ana.post(f"/cases/triage/{fault.id}/answer", data={"question": "los", "choice": "0"}, follow_redirects=True)
    assert "vuelva a cargar el caso" in stale.get_data(as_text=True)


def test_the_sla_job_does_not_escalate_a_fault_until_its_triage_has_an_outcome(fault, db, users):
    """EXT-14: a defect is not escalated before its script is walked — by the agent's action nor
    by the SLA job, which takes it on the first run after the outcome."""
    from datetime import timedelta

    from crm_core.db import unit_of_work
    from crm_core.models.types import utcnow
    from plugins.cases import escalation
    from plugins.cases.sla import build_policy

    policy = build_policy({"sla": [{"type": "fault", "ladder": [{"after": "1h", "group": "Leaders"}]}]})
    with unit_of_work():
        db.get(Case, fault.id).created_at = utcnow() - timedelta(days=3)
    assert escalation.run(policy=policy) == 0
    db.expire_all()
    assert db.get(Case, fault.id).escalation_step == 0
    answer(db, fault, users["ana"], "lights", 0)
    assert escalation.run(policy=policy) == 0  # half a script is not a triage
    answer(db, fault, users["ana"], "los", 1)
    assert escalation.run(policy=policy) == 1
    db.expire_all()
    assert db.get(Case, fault.id).escalation_step == 1
