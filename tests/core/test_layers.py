"""The core's import structure (contract 2.0, item 8): no module of ``crm_core`` reaches another
through a chain that leads back to itself, and models and schemas stand alone — importing them
builds no app and using them needs no app context."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import grimp

from crm_core.config import REPO_ROOT


def _cycles() -> list[list[str]]:
    """One cycle per import that closes one: ``importer → imported → … → importer``. Imports
    inside functions count (grimp reads them too); imports under ``TYPE_CHECKING`` do not."""
    graph = grimp.build_graph("crm_core", include_external_packages=False, exclude_type_checking_imports=True)
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                found.append([importer, *back])
    return found


def test_no_import_cycle_between_core_modules():
    # Package ``__init__`` modules count too: a package that imports its submodules while they
    # import the package (``from crm_core.screens import bp``) is a cycle.
    assert _cycles() == []


def test_models_and_schemas_need_no_app():
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        import crm_core.models
        from crm_core.db import Base

        for info in pkgutil.iter_modules(crm_core.models.__path__):
            importlib.import_module(f"crm_core.models.{info.name}")
        from crm_core.core_settings import CoreSettings
        from crm_core.services.groupings import GroupingSchema

        for mapper in Base.registry.mappers:
            mapper.class_()
        assert CoreSettings().load({"outbox_max_attempts": 3}) == {"outbox_max_attempts": 3}
        loaded = GroupingSchema().load({"name": "Fair", "description": "x"}, partial=("session_name",))
        assert loaded == {"name": "Fair", "description": "x"}, loaded
        GroupingSchema().dump({"id": 1, "name": "Fair"})
        above = sorted(m for m in sys.modules if m in {"crm_core.app", "crm_core.web", "crm_core.screens"})
        assert not above, f"importing models and schemas imported {above}"
        print(len(Base.registry.mappers))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 5  # every core model was instantiated
