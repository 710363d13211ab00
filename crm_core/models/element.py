"""The ``Element`` mixin: what every business record has (seed: *Elemento sistema*).

An element has a stable ``uid``, an owner and a creator, timestamps and a ``version`` used
for optimistic locking: SQLAlchemy adds ``WHERE version = :old`` to every UPDATE, so a stale
edit fails instead of silently overwriting someone else's change.
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crm_core.models.types import UTCDateTime, utcnow

_RANDOM = threading.local()


def new_uid() -> str:
    """A random (version 4) UUID, like ``uuid.uuid4()`` but drawing ``os.urandom`` 256 uids at
    a time: an import creates 100,000 elements, and one system call each was a measurable cost."""
    pool = getattr(_RANDOM, "pool", b"")
    if not pool:
        pool = os.urandom(16 * 256)
    _RANDOM.pool = pool[16:]
    return str(uuid.UUID(bytes=pool[:16], version=4))


class Element:
    """Mixin for business records. Subclass together with ``Base``."""

    #: Name used to link notes, groupings, activities and audit rows to this table.
    __element_type__: ClassVar[str]
    #: Every business record's changes are recorded at flush (``crm_core.services.audit``); a
    #: model adds fields to leave out in ``__audit_exclude__``, or sets this to ``False``.
    __audited__: ClassVar[bool] = True
    #: The fields :meth:`display_name` is made of. The name shows wherever the record is linked
    #: (pickers, history, timeline, other records' grids), so a group may not have these fields
    #: *hidden* (read-only is fine): ``crm_core.custom_fields.field_rules.rule_problems``. A model
    #: that overrides :meth:`display_name` declares its own.
    __name_fields__: ClassVar[tuple[str, ...]] = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    owner_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__element_type__" not in cls.__dict__ and "__tablename__" in cls.__dict__:
            cls.__element_type__ = cls.__tablename__

    @property
    def element_type(self) -> str:
        return self.__element_type__

    def display_name(self) -> str:
        """Human label for links, pickers and audit; models override when they have a name."""
        return getattr(self, "name", None) or f"#{self.id}"

