"""Build step: the wheel carries the screens' front-end libraries (``crm_core/static/vendor``).

Those files come from npm (``scripts/assets``: ``npm ci`` from ``package-lock.json``, then a copy
into ``crm_core/static/vendor``); they are build output, not part of the repository. Building a
wheel without them would make a package whose calendar, dashboards and API reference fail, so the
build refuses with the command to run. Editable installs (``pip install -e .``) read the folder
in place and are not checked here; the pages name a missing file when rendered.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

VERSIONS = Path(__file__).parent / "crm_core" / "static" / "vendor" / "versions.json"


class BuildWithAssets(build_py):
    def run(self) -> None:
        if not getattr(self, "editable_mode", False) and not VERSIONS.is_file():
            raise SystemExit(
                "error: the front-end libraries are missing from crm_core/static/vendor; "
                "run scripts/assets (needs npm) before building the wheel"
            )
        super().run()


setup(cmdclass={"build_py": BuildWithAssets})
