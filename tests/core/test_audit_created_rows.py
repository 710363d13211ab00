"""A bulk writer's "create" audit row records what the unit of work records for the same new
object (CORE-15): ``audit.created_changes`` over the inserted column values equals
``audit.pending_changes(obj, "create")`` for every audited model of the bundled plugins, with
random values of every column type, empty and missing values, long texts, secrets and custom
fields."""

from __future__ import annotations

import importlib
import random
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Integer, Numeric, String, Time, inspect

from crm_core.db import Base
from crm_core.services import audit

MODULES = ("crm_core.models.auth", "tests.support.sample", *(f"plugins.{name}.models" for name in (
    "activities", "cases", "erp_gl7", "inboxes", "knowledge", "portal", "sales", "telephony")))


def _audited() -> list[type]:
    for name in MODULES:
        importlib.import_module(name)
    models = [m.class_ for m in Base.registry.mappers if audit.is_audited(m.class_())]
    return sorted(models, key=lambda m: m.__name__)


def _value(rnd: random.Random, column: Any) -> Any:
    if rnd.random() < 0.2:
        return None
    kind = column.type
    if isinstance(kind, Enum):
        return rnd.choice(list(kind.enums))
    if isinstance(kind, Boolean):
        return rnd.random() < 0.5
    if isinstance(kind, String):
        size = rnd.choice([0, 1, 12, 499, 500, 501, 2_000])
        return "".join(rnd.choice("aé Ñ€z\n") for _i in range(min(size, kind.length or size)))
    if isinstance(kind, Numeric):
        return Decimal(rnd.randint(-10**6, 10**6)) / 100
    if isinstance(kind, Integer):
        return rnd.randint(-5, 10**9)
    if isinstance(kind, DateTime):
        return datetime(2026, rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23), tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2026, rnd.randint(1, 12), rnd.randint(1, 28))
    if isinstance(kind, Time):
        return time(rnd.randint(0, 23), rnd.randint(0, 59))
    if isinstance(kind, JSON):
        return rnd.choice([{}, {"tier": "gold", "score": 3, "tags": ["a", "b"], "gone": None},
                           {"since": "2026-01-01", "note": "x" * 600}])
    return None


@pytest.mark.parametrize("model", _audited(), ids=lambda m: m.__name__)
def test_a_bulk_created_row_is_audited_as_the_unit_of_work_audits_it(model, app_ctx):
    rnd = random.Random(model.__name__)
    columns = [attr for attr in inspect(model).column_attrs if not attr.columns[0].primary_key]
    for _i in range(60):
        values = {attr.key: _value(rnd, attr.columns[0]) for attr in columns}
        if "session_name" in values:  # a link to a record names a session the model checks
            values["session_name"] = rnd.choice([None, "leads", "contacts"])
        obj = model(**values)
        row = {attr.columns[0].key: values[attr.key] for attr in columns}
        assert audit.created_changes(model, row) == audit.pending_changes(obj, "create"), values


def test_the_models_cover_secrets_custom_fields_and_exclusions():
    models = _audited()
    assert any(getattr(m, "__audit_secret__", ()) for m in models)
    assert any("custom" in inspect(m).column_attrs for m in models)
    assert any(getattr(m, "__audit_exclude__", ()) for m in models)
    assert len(models) >= 15
