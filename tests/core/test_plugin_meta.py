"""Plugin metadata: the hook contract range checked at start-up, and what ``crm plugins list``
shows of every plugin (PLUG-01, PLUG-03)."""

from __future__ import annotations

import warnings
from importlib.metadata import version as installed_version
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.customer import load_customer
from crm_core.errors import PluginError
from crm_core.hookspecs import HOOKS_VERSION
from crm_core.plugins import _load_override, current_contract_range, discover, from_entry_point, meta_of
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings
from tests.support import sample

OVERRIDES = Path(__file__).resolve().parents[2] / "customer_overrides"


def start(plugins: str, customer: str = "", **extra: ModuleType):  # type: ignore[no-untyped-def]
    settings = base_settings("sqlite://", CRM_PLUGINS=plugins, CRM_CUSTOMER=customer)
    return create_app(settings, extra_plugins=extra)


def partner(requires_contract: str | None) -> ModuleType:
    return make_plugin("partner", requires_contract=requires_contract, crm_home_panels=lambda: [])


def deprecations(plugins: str, **extra: ModuleType) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start(plugins, **extra)
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_a_plugin_inside_its_contract_range_starts_without_a_warning():
    assert (HOOKS_VERSION, current_contract_range()) == ("2.1", ">=2.1,<3")  # this release's contract
    assert [m for m in deprecations("partner", partner=partner(">=2.0,<3")) if "partner" in m] == []  # 2.1 is in


@pytest.mark.parametrize("wanted", [">=3.0,<4", "<2.0", "~=1.0"])
def test_a_plugin_for_another_contract_stops_start_up_naming_plugin_range_and_core_contract(wanted):
    with pytest.raises(PluginError) as refused:
        start("partner", partner=partner(wanted))
    message = str(refused.value)
    assert message.startswith(f"plugin 'partner' requires hook contract {wanted}, but this core provides contract {HOOKS_VERSION}")


def test_a_range_that_is_not_a_version_range_is_a_clear_start_up_error():
    with pytest.raises(PluginError, match=r"plugin 'partner': requires_contract 'two point oh' is not a version range"):
        start("partner", partner=partner("two point oh"))


def test_a_plugin_without_a_contract_range_is_refused_since_contract_2_1():
    """Deprecated (a warning) in 2.0, refused in 2.1: the deprecation policy."""
    with pytest.raises(PluginError, match=r"^plugin 'partner' does not declare requires_contract; add"):
        start("partner", partner=partner(""))


def test_every_bundled_plugin_and_the_demo_override_declare_the_current_contract():
    modules = {name: ep.load() for name, ep in discover().items() if ep.value.startswith("plugins.")}
    assert {"sales", "purchasing", "activities", "erp_gl7", "messaging"} <= set(modules)
    demo = _load_override(load_customer(OVERRIDES, "demo"))
    for name, module in [*modules.items(), ("customer:demo", demo)]:
        assert meta_of(module).requires_contract == current_contract_range(), name
    assert deprecations("sales,purchasing,activities,erp_gl7,messaging") == []


def test_an_installed_packages_version_is_its_distributions_unless_the_plugin_gives_its_own():
    entry_point = SimpleNamespace(dist=SimpleNamespace(name="acme-crm-loyalty", version="1.2.3"))
    plain = make_plugin("acme_crm_loyalty")
    listed = from_entry_point("loyalty", entry_point, plain)
    assert (listed.version, listed.source) == ("1.2.3", "installed package acme-crm-loyalty")
    plain.meta = meta_of(plain).__class__(version="4.5.6")
    assert from_entry_point("loyalty", entry_point, plain).version == "4.5.6"


def test_plugins_list_shows_version_enabled_requires_contract_origin_and_description():
    own = make_plugin("partner")
    own.meta = meta_of(own).__class__(version="3.4.1", description="Partner loyalty cards",
                                     requires_contract=">=2.0,<3")
    app = start("sales,purchasing,activities,partner", customer="demo", partner=own, sample=sample)
    result = app.test_cli_runner().invoke(cli, ["plugins", "list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["plugin", "version", "enabled", "requires", "contract", "origin", "description"]
    rows = {line.split()[0]: " ".join(line.split()) for line in lines[1:] if not line.startswith(" ")}
    core = installed_version("crm-framework")
    assert rows["purchasing"] == f"purchasing {core} yes sales >=2.1,<3 bundled Potential suppliers, purchase opportunities, suppliers"
    assert rows["erp_gl7"].startswith(f"erp_gl7 {core} no sales >=2.1,<3 bundled GL7 ERP")
    assert rows["partner"] == "partner 3.4.1 yes - >=2.0,<3 extra Partner loyalty cards"
    assert rows["customer:demo"].startswith(f"customer:demo {core} yes - >=2.1,<3 client folder Demo Corp")
    hooks = lines[lines.index(next(line for line in lines if line.startswith("sales "))) + 1]
    assert hooks.startswith("    hooks: ") and "crm_register_sessions" in hooks
