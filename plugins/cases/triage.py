"""Triage of defect cases (EXT-14): the agent walks the product's script before the case is
opened for work or escalated.

The script is the client's declared data (:mod:`plugins.cases.triage_scripts`); the answers are
rows of ``cases_triage_answer``, each one a line of the case's history. A case needs triage when
its product has a script naming its type (defects by default); it is *complete* once an answer reached an outcome.
Until then the "open" action is unavailable (``Action.available`` on the cases session), and
later actions that move a defect on (escalation) ask :func:`is_complete` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import BusinessRuleError, User, crm_state, session, utcnow
from plugins.cases.models import WORKING_STATES, Case
from plugins.cases.triage_models import TriageAnswer


@dataclass
class Triage:
    """Where a case stands in its script: the answers so far and the question now asked
    (``None`` once an outcome is reached)."""

    product: str
    script: dict[str, Any]
    answers: list[TriageAnswer] = field(default_factory=list)
    question_key: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.answers) and bool(self.answers[-1].outcome)

    @property
    def outcome(self) -> str:
        return self.answers[-1].outcome if self.complete else ""

    @property
    def question(self) -> dict[str, Any] | None:
        return self.script["questions"][self.question_key] if self.question_key else None


def script_for(case: Case) -> dict[str, Any] | None:
    """The script the case must walk: its product's, when the case's type is one the script
    names (defects by default); else ``None``."""
    script = (crm_state().setting("cases", "triage") or {}).get(case.product) if case.product else None
    return script if script is not None and case.type in script["types"] else None


def _answers(db: DbSession, case_id: int) -> list[TriageAnswer]:
    return list(db.scalars(select(TriageAnswer).where(TriageAnswer.case_id == case_id).order_by(TriageAnswer.step)))


def state(db: DbSession, case: Case) -> Triage | None:
    """The case's triage, or ``None`` when it needs none."""
    script = script_for(case)
    if script is None:
        return None
    answers = _answers(db, case.id)
    # Answers of another product's script (the product changed) do not count.
    answers = answers if all(a.product == case.product for a in answers) else []
    triage = Triage(case.product, script, answers)
    if not triage.complete:
        key = answers[-1].next_key if answers else script["start"]
        triage.question_key = key if key in script["questions"] else script["start"]
    return triage


def is_complete(db: DbSession, case: Case) -> bool:
    """May the case move on? Yes unless it needs triage and its script has no outcome yet."""
    triage = state(db, case)
    return triage is None or triage.complete


def awaiting_triage() -> Any:
    """SQL: the case needs its product's triage script and has no outcome yet — what
    :func:`is_complete` says of one loaded case, for a set of cases (the SLA escalation job skips
    them); ``None`` when the client declares no script."""
    scripts = crm_state().setting("cases", "triage") or {}
    if not scripts:
        return None
    needs = or_(*(and_(Case.product == product, Case.type.in_(list(script["types"])))
                  for product, script in scripts.items()))
    done = select(TriageAnswer.id).where(TriageAnswer.case_id == Case.id, TriageAnswer.product == Case.product,
                                         TriageAnswer.outcome != "")
    return and_(needs, ~done.exists())


def open_available(case: Case) -> bool:
    """``Action.available`` of "open" and of escalation: a defect waits for its triage."""
    return case.id is None or is_complete(session(), case)


def _lock(db: DbSession, case: Case) -> None:
    """Hold the case's row until the transaction ends (PostgreSQL; SQLite writers queue anyway)."""
    db.execute(select(Case.id).where(Case.id == case.id).with_for_update())


def answer(db: DbSession, case: Case, user: User, question_key: str, choice: int) -> TriageAnswer:
    """Record the answer ``choice`` (its index) to the question now asked.

    ``question_key`` is the question the agent saw: a stale screen (someone answered meanwhile)
    is refused rather than answering the wrong question. The case's row is locked first, so two
    agents answering at once queue and the second one is told, instead of a duplicate-key error.
    """
    _lock(db, case)
    if case.status not in WORKING_STATES:
        raise BusinessRuleError(_("Triage is only possible while the case is being worked on."))
    triage = state(db, case)
    if triage is None:
        raise BusinessRuleError(_("This case has no triage script."))
    if triage.complete:
        raise BusinessRuleError(_("The triage is complete; restart it to answer again."))
    if question_key != triage.question_key:
        raise BusinessRuleError(_("This question was answered meanwhile; reload the case."))
    question = triage.question
    assert question is not None
    if not 0 <= choice < len(question["answers"]):
        raise BusinessRuleError(_("Choose one of the answers."), field="choice")
    picked = question["answers"][choice]
    row = TriageAnswer(
        case_id=case.id, step=len(triage.answers) + 1, product=case.product, question_key=question_key,
        question=question["text"], answer=picked["label"], next_key=picked["next"], outcome=picked["outcome"],
        user_id=user.id, answered_at=utcnow(),
    )
    db.add(row)
    db.flush()
    return row


def restart(db: DbSession, case: Case) -> None:
    """Clear the answers (a wrong answer, a changed product): the history keeps them."""
    _lock(db, case)
    if case.status not in WORKING_STATES:
        raise BusinessRuleError(_("Triage is only possible while the case is being worked on."))
    for row in _answers(db, case.id):
        db.delete(row)  # through the ORM: each removed answer is a line of the history
    db.flush()
