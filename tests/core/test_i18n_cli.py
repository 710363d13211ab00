"""``crm i18n extract|compile`` build an outside package's catalogs with the core's rules."""

from __future__ import annotations

from babel.messages.pofile import read_po
from click.testing import CliRunner

from crm_core.cli import cli


def test_extract_then_compile_an_outside_package(tmp_path):
    package = tmp_path / "crm_stamps"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text('from flask_babel import lazy_gettext as _l\nLABEL = _l("Stamps")\n')
    (package / "templates" / "page.html").write_text("{{ _('Stamp card') }}\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["i18n", "extract", str(package)]).exit_code == 0
    po = package / "translations" / "es" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        assert {m.id for m in read_po(f) if m.id} == {"Stamps", "Stamp card"}
    assert runner.invoke(cli, ["i18n", "compile", str(package)]).exit_code == 0
    assert po.with_suffix(".mo").is_file()


def test_a_folder_that_is_not_a_package_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["i18n", "extract", str(tmp_path)])
    assert result.exit_code == 2 and "not a Python package" in result.output
    assert not (tmp_path / "translations").exists()
