"""One table, two points of view (PUR-01): a sales record's ``kind`` is ``sale`` or ``purchase``,
fixed at creation; purchasing declares its sessions over the same tables with ``kind="purchase"``.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

KINDS = ("sale", "purchase")


class KindMixin:
    """``kind`` = sale or purchase, fixed at creation (PUR-01)."""

    kind: Mapped[str] = mapped_column(String(10), default="sale", index=True)
