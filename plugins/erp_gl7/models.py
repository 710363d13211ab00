"""Where the GL7 code of each CRM element is kept, without touching the sales tables (ERP-01).

The link is keyed by the element's stable ``uid`` so this plugin never imports sales: the
account (or contact) is known only by uid, type name and id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, UTCDateTime, utcnow

#: ``queued``: the outbox holds the request; ``synced``: GL7 confirmed it and sent its code.
SYNC_STATES = ("queued", "synced")


class Gl7Link(Base):
    __tablename__ = "erp_gl7_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_uid: Mapped[str] = mapped_column(String(36), unique=True)
    element_type: Mapped[str] = mapped_column(String(60))
    element_id: Mapped[int] = mapped_column()
    #: GL7's code of the entity or contact, once GL7 answered.
    gl7_code: Mapped[str] = mapped_column(String(40), default="")
    #: ``potential`` or ``customer`` for entities, ``contact`` for contacts.
    stage: Mapped[str] = mapped_column(String(12))
    sync: Mapped[str] = mapped_column(String(8), default="queued")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
