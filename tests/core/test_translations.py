"""Catalogs: every UI string is translated to Spanish and the committed .mo files match the
.po files they were compiled from (CORE-17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from crm_core.config import REPO_ROOT

CATALOGS = sorted(REPO_ROOT.glob("*/translations/es/LC_MESSAGES/messages.po")) + sorted(
    REPO_ROOT.glob("plugins/*/translations/es/LC_MESSAGES/messages.po")
)


def test_there_is_a_spanish_catalog_for_the_core():
    assert REPO_ROOT / "crm_core/translations/es/LC_MESSAGES/messages.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_catalog_is_complete_and_compiled(po_path: Path):
    with po_path.open("rb") as fh:
        po = read_po(fh)
    untranslated = [m.id for m in po if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (a guess the compiled catalog ignores): {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), "run scripts/i18n compile"
    with mo_path.open("rb") as fh:
        mo = read_mo(fh)
    def ids(catalog):
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id and not m.fuzzy}

    assert ids(po) == ids(mo), "stale .mo: run scripts/i18n compile"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_catalog_holds_every_string_of_the_source(po_path: Path):
    """Extract the package's strings now and compare: a new string without an entry means
    ``scripts/i18n update`` (and a translation) was forgotten."""
    package = po_path.parents[3]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    source = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(package), method_map=method_map, keywords=keywords)
    }
    with po_path.open("rb") as fh:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(source - catalog)
    assert not missing, f"strings missing from {po_path}: {missing[:10]} (run scripts/i18n update)"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_translations_keep_the_placeholders(po_path: Path):
    """A lost or renamed ``%(name)s`` makes the message fail (KeyError) or drop the value."""
    with po_path.open("rb") as fh:
        po = read_po(fh)
    placeholder = re.compile(r"%\((\w+)\)")
    wrong = [
        m.id for m in po
        if m.id and isinstance(m.id, str) and m.string
        and set(placeholder.findall(m.id)) != set(placeholder.findall(m.string))
    ]
    assert not wrong, f"placeholders differ: {wrong[:10]}"
