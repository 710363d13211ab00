"""``crm i18n extract|compile PACKAGE_DIR``: translation catalogs of an outside package.

A partner's plugin has no copy of the core's ``scripts/i18n`` nor of its ``babel.cfg``; these
commands run pybabel (installed with flask-babel) over one package folder with the core's
extraction rules, writing ``<package>/translations/<lang>/LC_MESSAGES/messages.po|mo`` — the
place the core loads a plugin's catalog from.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

#: What is extracted from a package: Python sources and Jinja templates (as babel.cfg).
MAPPING = "[python: **.py]\n[jinja2: **/templates/**.html]\n"
KEYWORDS = ("-k", "_l", "-k", "lazy_gettext")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(package: Path, languages: tuple[str, ...]) -> list[Path]:
    """Extract the package's strings and create or update each language's ``.po`` (new entries
    empty, never fuzzy-matched); returns the ``.po`` files."""
    out = package / "translations"
    out.mkdir(exist_ok=True)
    pot = out / "messages.pot"
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "babel.cfg"
        mapping.write_text(MAPPING, encoding="utf-8")
        _pybabel("extract", "-F", str(mapping), *KEYWORDS, "--no-location", "--sort-output",
                 "-o", str(pot), str(package))
    catalogs = []
    for lang in languages:
        po = out / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "--no-fuzzy-matching", "-i", str(pot), "-d", str(out), "-l", lang)
        else:
            _pybabel("init", "-i", str(pot), "-d", str(out), "-l", lang)
        catalogs.append(po)
    return catalogs


def compile_catalogs(package: Path) -> None:
    """Compile every ``.po`` of the package to the ``.mo`` the app reads."""
    _pybabel("compile", "-d", str(package / "translations"))


def _package(path: str) -> Path:
    package = Path(path)
    if not (package / "__init__.py").is_file():
        raise click.BadParameter(f"{path} is not a Python package folder (no __init__.py)")
    return package


@click.group()
def i18n() -> None:
    """Translation catalogs of a plugin package (outside packages included)."""


@i18n.command("extract")
@click.argument("package_dir", type=click.Path(exists=True, file_okay=False))
@click.option("-l", "--lang", "languages", multiple=True, default=("es",), show_default=True,
              help="language to create or update (repeatable)")
def extract_command(package_dir: str, languages: tuple[str, ...]) -> None:
    """Extract PACKAGE_DIR's strings into translations/messages.pot and each language's .po."""
    for po in extract(_package(package_dir), languages):
        click.echo(f"updated {po}: fill in the empty msgstr entries, then run `crm i18n compile`")


@i18n.command("compile")
@click.argument("package_dir", type=click.Path(exists=True, file_okay=False))
def compile_command(package_dir: str) -> None:
    """Compile PACKAGE_DIR's .po catalogs to .mo."""
    compile_catalogs(_package(package_dir))
    click.echo("catalogs compiled")
