"""The element being validated, for rules that compare with what it holds (a unique code, a
vocabulary value that became inactive): set by ``crm_core.services.elements.validate``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

EDITED: ContextVar[Any | None] = ContextVar("crm_edited_element", default=None)
