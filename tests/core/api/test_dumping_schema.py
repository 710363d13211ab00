"""``dumping_schema`` (the API list's serialiser) dumps exactly what the declared schema dumps,
only without marshmallow's per-field ``__getitem__`` probe on plain objects (NF-01)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from marshmallow import Schema, fields

from crm_core.declarations import dumping_schema


class Probed:
    """An object whose ``__getattr__`` counts what it is asked (as the custom-fields mixin)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
        self.__dict__["asked"] = []

    def __getattr__(self, name: str) -> Any:
        self.__dict__["asked"].append(name)
        if name == "extra":
            return "from getattr"
        raise AttributeError(name)


class Thing(Schema):
    name = fields.String()
    amount = fields.Decimal(as_string=True)
    extra = fields.String()
    missing_value = fields.String()
    city = fields.String(attribute="address.city")


def test_same_dump_as_the_declared_schema_without_probing_getitem():
    rows = [Probed(name=f"n{i}", amount=i, address=SimpleNamespace(city="Valencia")) for i in range(3)]
    expected = Thing(many=True).dump(rows)
    for row in rows:
        row.asked.clear()
    assert dumping_schema(Thing)(many=True).dump(rows) == expected
    assert expected[0] == {"name": "n0", "amount": "0", "extra": "from getattr", "city": "Valencia"}
    # marshmallow probes once per field and row (5 here); only the dotted path still does
    assert all(row.asked.count("__getitem__") == 1 for row in rows), [row.asked for row in rows]
    assert dumping_schema(Thing) is dumping_schema(Thing)  # built once per schema


def test_mappings_and_dotted_paths_go_marshmallows_way():
    row = {"name": "dict", "amount": 2, "extra": "x", "address": {"city": "Sevilla"}}
    assert dumping_schema(Thing)().dump(row) == Thing().dump(row)


class OwnAccess(Thing):
    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return "own"


def test_a_schema_with_its_own_attribute_access_is_kept():
    assert dumping_schema(OwnAccess) is OwnAccess
