"""``crm_core.toolkit`` is the one surface plugins and client overrides import (PLUG-01,
contract 2.0): every name resolves and is documented, and no plugin code reaches around it.

import-linter enforces the rule for the ``plugins`` package (``.importlinter``); the files it
cannot see — client ``overrides.py``, outside packages such as ``examples/loyalty``, migration
scripts and the scaffold's template — are parsed here with ``ast``.
"""

from __future__ import annotations

import ast
import configparser
import pkgutil
import re
from collections.abc import Iterator

import pytest

import crm_core
from crm_core import toolkit
from crm_core.config import REPO_ROOT
from crm_core.hookspecs import HOOKS_VERSION
from crm_core.scaffold import FILES

NAMESPACES = ("audit", "groupings", "logins", "privacy", "workflow")
#: Alembic's autogenerate writes ``import crm_core.models.types`` for the column types; only a
#: migration script may carry it (the script template of the core renders it).
MIGRATION_ONLY = {"crm_core.models.types"}


def toolkit_section() -> str:
    guide = (REPO_ROOT / "docs" / "plugin-guide.md").read_text(encoding="utf-8")
    match = re.search(r"^## Toolkit\n(.*?)^## ", guide, re.S | re.M)
    assert match, "docs/plugin-guide.md has no '## Toolkit' section"
    return match.group(1)


def public_names() -> list[str]:
    names = list(toolkit.__all__)
    for space in NAMESPACES:
        names += [f"{space}.{name}" for name in getattr(toolkit, space).__all__]
    return names


def test_every_toolkit_name_resolves():
    missing = []
    for dotted in public_names():
        target = toolkit
        for part in dotted.split("."):
            target = getattr(target, part, None)
        if target is None:
            missing.append(dotted)
    assert not missing, f"names in crm_core.toolkit.__all__ that do not resolve: {missing}"
    assert set(NAMESPACES) <= set(toolkit.__all__)


def test_every_toolkit_name_is_documented_in_the_plugin_guide():
    section = toolkit_section()
    undocumented = [name for name in public_names() if f"`{name}`" not in section]
    assert not undocumented, f"toolkit names missing from the plugin guide's Toolkit section: {undocumented}"


def test_the_toolkit_is_versioned_with_the_hook_contract():
    assert toolkit.VERSION == HOOKS_VERSION
    assert f"contract {HOOKS_VERSION}" in toolkit_section()


def test_the_import_linter_contract_forbids_every_core_module_but_the_toolkit():
    config = configparser.ConfigParser()
    config.read(REPO_ROOT / ".importlinter", encoding="utf-8")
    contract = config["importlinter:contract:plugins-use-the-toolkit"]
    assert contract["type"] == "forbidden" and contract["source_modules"].split() == ["plugins"]
    forbidden = set(contract["forbidden_modules"].split())
    modules = {f"crm_core.{m.name}" for m in pkgutil.iter_modules(crm_core.__path__)} - {"crm_core.toolkit"}
    assert forbidden == modules, f"add to / remove from the contract: {sorted(modules ^ forbidden)}"


def core_imports(source: str) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import of ``crm_core`` other than the toolkit; ``from
    crm_core import x`` counts as importing ``crm_core.x``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            base = node.module
            modules = [f"{base}.{a.name}" for a in node.names] if base == "crm_core" else [base]
        else:
            continue
        for module in modules:
            top = module.split(".")
            if top[0] == "crm_core" and top[:2] != ["crm_core", "toolkit"]:
                yield node.lineno, module


def plugin_sources() -> Iterator[tuple[str, str, bool]]:
    """``(name, source, is_migration)`` of every file of plugin code outside the tests: bundled
    plugins, client folders, example packages, and the scaffold's Python templates."""
    roots = [REPO_ROOT / "plugins", REPO_ROOT / "customer_overrides"]
    roots += [p.parent for p in (REPO_ROOT / "examples").glob("*/*/__init__.py") if p.parent.name != "tests"]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(REPO_ROOT)
            if "tests" in relative.parts:
                continue
            yield str(relative), path.read_text(encoding="utf-8"), "migrations" in relative.parts
    for template, text in FILES.items():
        if template.endswith(".py") and not template.startswith("tests/"):
            yield f"crm_core/scaffold.py:{template}", text.format(name="sample", contract=">=2.0,<3"), False


def test_plugin_code_imports_the_core_only_through_the_toolkit():
    sources = list(plugin_sources())
    assert any(name.startswith("customer_overrides/demo/") for name, _s, _m in sources)
    assert any(name.startswith("examples/loyalty/crm_loyalty/") for name, _s, _m in sources)
    offending = [
        f"{name}:{line} imports {module}"
        for name, source, migration in sources
        for line, module in core_imports(source)
        if not (migration and module in MIGRATION_ONLY)
    ]
    assert not offending, "use crm_core.toolkit instead:\n" + "\n".join(offending)


@pytest.mark.parametrize(
    "source, found",
    [
        ("from crm_core.db import Base", ["crm_core.db"]),
        ("import crm_core.models.types", ["crm_core.models.types"]),
        ("from crm_core import outbox, toolkit", ["crm_core.outbox"]),
        ("def f():\n    from crm_core.app import crm_state", ["crm_core.app"]),
        ("from crm_core.toolkit import Base\nfrom crm_core.toolkit import workflow", []),
        ("from .models import Card\nimport crm_loyalty", []),
    ],
)
def test_the_import_check_finds_core_imports_outside_the_toolkit(source, found):
    assert [module for _line, module in core_imports(source)] == found
