"""Reading a session's marshmallow schema: its fields, and the fast dumping subclass of the API
lists."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marshmallow import Schema
    from marshmallow.fields import Field



@lru_cache(maxsize=512)
def schema_fields(schema: type[Schema]) -> Mapping[str, Field]:
    """The fields of a declared schema by name, read-only and built once: a schema instance
    copies every field, which the screens would otherwise pay per column and per request. Load
    and dump with a fresh instance as usual."""
    return MappingProxyType(schema().fields)


def _get_attribute(self: Any, obj: Any, attr: str, default: Any) -> Any:
    """marshmallow's ``get_value`` without its per-field ``hasattr(obj, "__getitem__")`` probe
    for plain objects: on an element with custom fields the probe goes through ``__getattr__``
    and raises, once per field and row (most of an API list's CPU). Dotted paths and mappings
    take marshmallow's own way, so the values are the same."""
    if "." in attr or hasattr(type(obj), "__getitem__"):
        from marshmallow.utils import get_value

        return get_value(obj, attr, default)
    return getattr(obj, attr, default)


@lru_cache(maxsize=512)
def dumping_schema(schema: type[Schema]) -> type[Schema]:
    """``schema`` with a cheaper attribute access for dumping many elements (the API list): a
    subclass, built once per schema, that dumps exactly what ``schema`` dumps. A schema with its
    own ``get_attribute`` is returned as it is."""
    from marshmallow import Schema as Base

    if schema.get_attribute is not Base.get_attribute:
        return schema
    return type(schema.__name__, (schema,), {"get_attribute": _get_attribute, "__module__": schema.__module__})
