"""Menu and field settings an administrator stores from the configuration screens (CORE-06, EXT-16).

Modules and sessions are declared by plugins; the customer file gives a client's defaults;
these rows let an administrator relabel, reorder or hide entries at run time, without code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base


class MenuSetting(Base):
    __tablename__ = "crm_menu_setting"
    __table_args__ = (UniqueConstraint("kind", "name"),)
    __audited__ = True
    __audit_keep__: ClassVar[tuple[str, ...]] = ("kind", "name")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``module`` or ``session``
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    label: Mapped[str | None] = mapped_column(String(120), nullable=True)
    position: Mapped[int | None] = mapped_column(nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class FieldSetting(Base):
    """A field declaration an administrator stored on Configuration → Fields (EXT-16): the same
    keys as ``[fields.<session>.<name>]`` of customer.toml, in ``spec``. Removing the row keeps
    the stored values (``crm fields drop`` deletes them)."""

    __tablename__ = "crm_field_setting"
    __table_args__ = (UniqueConstraint("session_name", "name"),)
    __audited__ = True
    __audit_keep__: ClassVar[tuple[str, ...]] = ("session_name", "name")

    id: Mapped[int] = mapped_column(primary_key=True)
    session_name: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(40))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
