from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from politecrawl.sandbox import SandboxWeb  # noqa: E402


@pytest.fixture
def sandbox():
    """A factory: ``web = sandbox([SiteSpec(...), ...])``; every web is stopped at the end."""
    webs: list[SandboxWeb] = []

    def start(sites):
        web = SandboxWeb(sites).start()
        webs.append(web)
        return web

    yield start
    for web in webs:
        web.stop()
