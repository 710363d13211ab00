"""The test kit builds its database only from migrations and compares it with the models of the
enabled plugins: a model without a migration fails its plugin's tests (PLUG-05, issue 11 item 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.migrate import schema_differences
from crm_core.plugins import LoadedPlugin
from crm_core.testing import TEST_ONLY_TABLES, make_plugin
from crm_core.testing.plugin import check_schema


class Orphan(Base):
    """A model no migration creates."""

    __tablename__ = "test_kit_orphan"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40))


def test_the_template_has_no_table_that_only_create_all_would_make(crm_template):
    with crm_template.connect() as conn:
        assert crm_template.dialect.has_table(conn, "sales_account")  # from the sales migrations
        assert not crm_template.dialect.has_table(conn, "test_kit_orphan")
    assert all(t.name.startswith("test_") for t in TEST_ONLY_TABLES)


def test_schema_differences_list_a_model_without_migration(crm_template):
    with crm_template.connect() as conn:
        diff = schema_differences(conn, [__name__])
        assert [d[0] for d in diff] == ["add_table"] and diff[0][1].name == "test_kit_orphan"
        assert schema_differences(conn, ["plugins.sales", "tests.support.sample"]) == []


@pytest.mark.crm(plugins=["sales"])
def test_a_plugin_whose_model_has_no_migration_fails_with_the_list(crm_app, crm_template):
    checked: set[tuple[str, ...]] = set()
    check_schema(crm_app, crm_template, checked)  # sales alone: models and migrations agree
    assert checked == {("plugins.sales",)}
    plugin = make_plugin(__name__)  # a plugin module declaring Orphan, as the kit sees it
    crm_app.extensions["crm"].plugins["orphan"] = LoadedPlugin("orphan", plugin, plugin.meta, "1", "extra")
    with pytest.raises(pytest.fail.Exception, match="test_kit_orphan"):
        check_schema(crm_app, crm_template, checked)
