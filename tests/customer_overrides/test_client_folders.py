"""Every client folder of this repository runs against the current core and plugins (EXT-16,
PLUG-04): what ``crm_core.testing.clients.client_problems`` checks after an upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.config import REPO_ROOT
from crm_core.testing.clients import client_problems

FOLDERS = sorted(p.parent for p in (Path(REPO_ROOT) / "customer_overrides").glob("*/customer.toml"))


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_client_folder_runs_on_this_core_and_these_plugins(folder):
    assert client_problems(folder) == []


def test_a_folder_an_upgrade_broke_is_reported_naming_the_key(tmp_path):
    """As if a plugin upgrade had added a built-in ``segment`` field to leads: the client's custom
    field of that name is now a clash, reported before anyone serves the client."""
    client = tmp_path / "acme"
    client.mkdir()
    (client / "customer.toml").write_text('[plugins]\nenabled = ["sales"]\n[fields.leads.company]\ntype = "text"\n')
    [problem] = client_problems(client)
    assert "crm check" in problem and "[fields.leads.company]" in problem and "already a field" in problem


def test_the_demo_client_is_among_the_folders_checked():
    assert "demo" in [f.name for f in FOLDERS]
