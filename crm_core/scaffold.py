"""``crm plugin new NAME``: a new partner plugin in the shape of ``examples/loyalty``.

It writes an installable package (own ``pyproject.toml`` with the ``crm.plugins`` entry
point), an empty migration branch folder, a catalog folder, a README and a test using the CRM
test kit, so a partner starts from something whose tests already pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from crm_core.plugins import current_contract_range

NAME = re.compile(r"^[a-z][a-z0-9_]{1,38}$")

FILES = {
    "pyproject.toml": '''[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "crm-{name}"
version = "0.1.0"
description = "{name}: a plugin for the CRM"
requires-python = ">=3.11"
dependencies = ["crm-framework"]

[project.entry-points."crm.plugins"]
{name} = "crm_{name}"

[tool.setuptools.packages.find]
include = ["crm_{name}*"]

[tool.setuptools.package-data]
crm_{name} = ["migrations/**/*", "translations/**/*", "templates/**/*"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "--strict-markers"
''',
    "README.md": '''# crm-{name}

A plugin for the CRM (see the core's docs/plugin-guide.md; `examples/loyalty` is a complete one).

    pip install -e .                                  # registers the `{name}` entry point
    crm db revision --branch {name} -m "first tables" # after adding models (crm_{name}/models.py)
    crm i18n extract crm_{name} && crm i18n compile crm_{name}
    python -m pytest                                  # the CRM test kit comes with the core
''',
    "crm_{name}/__init__.py": '''"""The {name} plugin: hook implementations only (rules go in services.py)."""

from __future__ import annotations

from crm_core.toolkit import PluginMeta

meta = PluginMeta(description="{name}", version="0.1.0", requires_contract="{contract}")
''',
    "crm_{name}/migrations/versions/.gitkeep": "",
    "crm_{name}/translations/.gitkeep": "",
    "tests/test_{name}.py": '''"""Tests with the CRM test kit: the marker enables exactly the plugins named."""

import pytest

pytestmark = pytest.mark.crm(plugins=["{name}"])


def test_the_plugin_is_enabled_and_the_app_serves(crm_app, client_for):
    assert "{name}" in crm_app.extensions["crm"].plugins
    assert client_for("ana").get("/").status_code == 200
''',
}


def scaffold(name: str, directory: Path) -> Path:
    """Write the plugin's files under ``directory/<name>`` and return that folder; refuses a bad
    name or an existing folder so nothing is ever overwritten."""
    if not NAME.match(name):
        raise click.BadParameter(
            f"{name!r}: use 2 to 39 lowercase letters, digits or _, starting with a letter", param_hint="NAME"
        )
    root = directory / name
    if root.exists():
        raise click.BadParameter(f"{root} exists already", param_hint="--dir")
    for template, text in FILES.items():
        path = root / template.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(name=name, contract=current_contract_range()), encoding="utf-8")
    return root


@click.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="folder in which the plugin's folder is created")
def new_plugin(name: str, directory: str) -> None:
    """Create a new plugin package NAME (entry point, migration branch, catalog, tests)."""
    root = scaffold(name, Path(directory))
    click.echo(f"created {root}: `pip install -e {root}` then `python -m pytest {root}`")
