"""The ``CustomFields`` mixin: the ``custom`` JSON column holding a client's custom fields of a
business record (EXT-16), whose values read as attributes (``lead.segment``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Mapped, mapped_column

from crm_core.custom_fields.storage import JSON_TYPE, from_json_value, python_type
from crm_core.extensions import crm_state


class CustomFields:
    """Mix into a model (with ``Element``) to let clients declare custom fields on its
    sessions; its migration adds ``sa.Column("custom", sa.JSON().with_variant(JSONB(),
    "postgresql"), nullable=True)``. The core and plugins never write keys of their own in it."""

    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON_TYPE, nullable=True)

    def __getattr__(self, name: str) -> Any:
        """A declared custom field's value, typed; refused like any unknown attribute otherwise
        (and outside an application, which is what declares the fields)."""
        if name.startswith("_") or name == "custom":
            raise AttributeError(name)
        try:
            decl = crm_state().registry.custom_by_model.get(type(self), {}).get(name)
        except (RuntimeError, KeyError):
            decl = None
        if decl is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        stored = self.__dict__.get("custom")
        if stored is None and "custom" not in self.__dict__:
            stored = self.custom  # not loaded yet: load it
        return from_json_value(python_type(decl), (stored or {}).get(name))
