"""The answers of a case's triage script (EXT-14): one row per question the agent answered.

The question and answer are copied as they read when answered, so the case's record stays true
when the client later edits its script. Rows are audited against their case, so each answer is
a line of the case's history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, UTCDateTime, utcnow


class TriageAnswer(Base):
    """The agent's answer to question number ``step`` of the case's script."""

    __tablename__ = "cases_triage_answer"
    #: One answer per step: two agents answering the same question at once cannot both count.
    __table_args__ = (UniqueConstraint("case_id", "step"),)
    __audited__ = True
    __audit_keep__ = ("question", "answer")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"), index=True)
    step: Mapped[int] = mapped_column()
    product: Mapped[str] = mapped_column(String(120))
    question_key: Mapped[str] = mapped_column(String(60))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(String(200))
    #: What the answer leads to: the next question's key, or the script's outcome.
    next_key: Mapped[str] = mapped_column(String(60), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_target(self) -> tuple[str, int]:
        return "case", self.case_id
