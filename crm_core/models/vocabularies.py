"""Vocabularies (EXT-15): lists of values administrators manage on Configuration →
Vocabularies, for choice fields — hierarchical (a value may name its parent in another
vocabulary: case type → subtype), labelled per language, and kept when inactive so old records
still show them."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base


class VocabularyValue(Base):
    __tablename__ = "crm_vocabulary_value"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)
    __audited__ = True
    __audit_keep__: ClassVar[tuple[str, ...]] = ("vocabulary", "code")

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(60))
    #: the code of this value's parent (in the vocabulary of the parent field), if any.
    parent_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    #: ``{"en": ..., "es": ...}``
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(default=100)
