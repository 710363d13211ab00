"""Contract tests (DESIGN.md): the hook contract is documented, permissions checked in code
were registered, and the migrations match the models."""

from __future__ import annotations

import re
from pathlib import Path

from crm_core import hookspecs
from crm_core.app import create_app
from crm_core.config import REPO_ROOT
from crm_core.migrate import schema_differences
from crm_core.testing.plugin import base_settings

SPECS = sorted(n for n in dir(hookspecs) if n.startswith("crm_"))


def test_every_hook_is_documented_in_the_plugin_guide():
    guide = (REPO_ROOT / "docs" / "plugin-guide.md").read_text(encoding="utf-8")
    missing = [name for name in SPECS if name not in guide]
    assert not missing, f"hooks missing from docs/plugin-guide.md: {missing}"


#: Events published for integrations that no bundled plugin needs yet, with the reason.
NO_BUNDLED_SUBSCRIBER = {
    "crm_opportunity_lost": "SAL-06 event for integrations; the GL7 contract has no call for a lost deal",
}


def test_every_hook_has_a_real_user_in_the_core_a_bundled_plugin_or_a_bundled_client():
    used = set()
    clients = sorted(p.name for p in Path(REPO_ROOT, "customer_overrides").iterdir() if (p / "customer.toml").is_file())
    for customer in ("", *clients):
        pm = create_app(base_settings("sqlite://", CRM_PLUGINS=None, CRM_CUSTOMER=customer)).extensions["crm"].pm
        used |= {name for name in SPECS if getattr(pm.hook, name).get_hookimpls()}
    unused = sorted(set(SPECS) - used - set(NO_BUNDLED_SUBSCRIBER))
    assert not unused, f"hooks nobody implements (drop them or use them): {unused}"


def test_every_permission_checked_in_code_is_a_registered_session():
    app = create_app(base_settings("sqlite://", CRM_PLUGINS=None))
    sessions = set(app.extensions["crm"].registry.sessions)
    pattern = re.compile(r"""\.(?:require|can)\(\s*["']([a-z_]+)["']""")
    checked = {}
    for top in ("crm_core", "plugins"):
        for path in Path(REPO_ROOT, top).rglob("*.py"):
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                checked.setdefault(name, path)
    unknown = {name: str(path) for name, path in checked.items() if name not in sessions}
    assert not unknown, f"permissions checked but never registered: {unknown}"


def test_migrations_match_the_models(crm_template):
    app = create_app(base_settings(str(crm_template.url), CRM_PLUGINS=None))
    modules = [p.module.__name__ for p in app.extensions["crm"].plugins.values() if p.origin != "core"]
    with crm_template.connect() as conn:
        diff = schema_differences(conn, modules)
    assert diff == [], f"models and migrations differ: {diff}"
