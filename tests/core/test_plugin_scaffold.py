"""``crm plugin new NAME`` scaffolds an installable plugin whose own tests pass unchanged
(PLUG-05): it is pip-installed (entry point included) into a throw-away virtualenv layered on
this one, and its tests run there in a subprocess, exactly as the partner would run them."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from click.testing import CliRunner

from crm_core.cli import cli


def _layered_venv(tmp_path: Path) -> Path:
    """A virtualenv that sees this one's packages (a .pth) but installs into its own folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(purelib, "crm_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n", encoding="utf-8")
    return python


def test_refuses_a_bad_name_and_an_existing_folder(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli, ["plugin", "new", "Bad-Name", "--dir", str(tmp_path)])
    assert bad.exit_code == 2 and "lowercase" in bad.output and not any(tmp_path.iterdir())
    assert runner.invoke(cli, ["plugin", "new", "points", "--dir", str(tmp_path)]).exit_code == 0
    again = runner.invoke(cli, ["plugin", "new", "points", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "exists already" in again.output


def test_the_scaffold_installs_and_its_tests_pass_unchanged(tmp_path):
    result = CliRunner().invoke(cli, ["plugin", "new", "stamps", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "stamps"
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        "pyproject.toml", "README.md", "crm_stamps/__init__.py", "crm_stamps/migrations/versions/.gitkeep",
        "crm_stamps/translations/.gitkeep", "tests/test_stamps.py",
    }
    python = _layered_venv(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CRM_")) or k == "CRM_TEST_DATABASE_URL"}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-e", str(root)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root,
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
