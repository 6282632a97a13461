from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from politecrawl.sandbox import SandboxWeb  # noqa: E402
from redis_server import INSTALL_HINT, RedisServer  # noqa: E402


def pytest_configure(config):
    """Running crawls list themselves under $XDG_STATE_HOME (politecrawl.running): the test
    session's crawls, in-process and in subprocesses, use a folder of their own."""
    import tempfile  # noqa: PLC0415

    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="politecrawl-test-state-")


@pytest.fixture(autouse=True)
def _scrapy_project_env():
    """Scrapy's get_project_settings() (the CLI's, run in-process by some tests) writes
    SCRAPY_SETTINGS_MODULE into os.environ; a crawl subprocess started later would then take
    that project instead of its own folder's scrapy.cfg. Each test starts from the environment
    as the session had it."""
    names = ("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT")
    saved = {name: os.environ.get(name) for name in names}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


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


# -- Redis (issue 7) -------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_server_url():
    """URL of a Redis for the whole session: ``REDIS_URL``, else our own ``redis-server``.

    Fails (does not skip) when neither is available: CI must run the Redis tests.
    """
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        yield env_url
        return
    try:
        server = RedisServer()
    except FileNotFoundError:
        pytest.fail(INSTALL_HINT, pytrace=False)
    try:
        server.start()
    except Exception as exc:
        server.close()
        pytest.fail(f"could not start redis-server: {exc}. {INSTALL_HINT}", pytrace=False)
    yield server.url
    server.close()


@pytest.fixture
def redis_url(redis_server_url):
    """A Redis state URL with a key prefix of its own; its keys are deleted afterwards."""
    import redis  # noqa: PLC0415 - only Redis tests need the client

    prefix = f"pctest:{uuid.uuid4().hex[:12]}:"
    sep = "&" if "?" in redis_server_url else "?"
    yield f"{redis_server_url}{sep}prefix={prefix}"
    client = redis.Redis.from_url(redis_server_url)
    try:
        names = list(client.scan_iter(match=prefix + "*", count=1000))
        if names:
            client.delete(*names)
    finally:
        client.close()
