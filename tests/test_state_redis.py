"""What only the Redis store has: URL options, key namespace, failing closed fast, round trips."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest
import redis

from politecrawl.state import StateStoreError, open_store
from politecrawl.state.redis import DEFAULT_PREFIX, RedisStateStore, redact_url
from redis_server import INSTALL_HINT, RedisServer, free_port

pytestmark = pytest.mark.redis


@pytest.fixture
def own_server():
    """A redis-server of this test alone (it gets stopped, restarted, counted)."""
    try:
        server = RedisServer()
    except FileNotFoundError:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server.start()
    yield server
    server.close()


def test_open_store_applies_prefix_and_hides_password(redis_url):
    store = open_store(redis_url)
    assert isinstance(store, RedisStateStore)
    prefix = redis_url.split("prefix=")[1]
    assert store.prefix == prefix
    store.set("stop:a.example", "1")
    raw = redis.Redis.from_url(redis_url.split("?")[0], decode_responses=True)
    assert raw.get(prefix + "stop:a.example") == "1"
    assert raw.get("stop:a.example") is None
    raw.close()
    store.close()


def test_prefix_default_override_and_empty(redis_server_url):
    assert RedisStateStore(redis_server_url).prefix == DEFAULT_PREFIX == "politecrawl:"
    assert RedisStateStore(redis_server_url + "?prefix=").prefix == ""
    assert RedisStateStore(redis_server_url + "?prefix=a:", prefix="b:").prefix == "b:"


def test_namespaces_do_not_see_each_other(redis_server_url):
    tag = uuid.uuid4().hex[:8]
    one = RedisStateStore(redis_server_url, prefix=f"t{tag}[1]*:")
    two = RedisStateStore(redis_server_url, prefix=f"t{tag}[2]*:")
    try:
        one.set("k", "1")
        one.hset("h", {"f": 1})
        two.set("k", "2")
        assert one.get("k") == "1" and two.get("k") == "2"
        assert one.keys("") == ["h", "k"]
        assert two.keys("") == ["k"]
    finally:
        for store in (one, two):
            for key in store.keys(""):
                store.delete(key)
            store.close()


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("redis://:s3cret@10.0.0.5:6380/2", "redis://10.0.0.5:6380/2"),
        ("redis://crawler:s3cret@host/0?prefix=pc:", "redis://crawler@host/0?prefix=pc%3A"),
        ("rediss://host:6379/0?password=s3cret&socket_timeout=1", "rediss://host:6379/0?password=%2A%2A%2A&socket_timeout=1"),
        ("unix:///run/redis.sock?db=3", "unix:///run/redis.sock?db=3"),
    ],
)
def test_redact_url(url, safe):
    assert redact_url(url) == safe
    assert "s3cret" not in redact_url(url)


def test_default_timeouts_are_short_and_nothing_is_retried(redis_server_url):
    store = RedisStateStore(redis_server_url)
    kwargs = store._redis.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == 2.0
    assert kwargs["socket_connect_timeout"] == 2.0
    assert kwargs["retry"].get_retries() == 0
    tuned = RedisStateStore(redis_server_url + "?socket_timeout=0.5&prefix=x:")
    assert tuned._redis.connection_pool.connection_kwargs["socket_timeout"] == 0.5


def test_bad_option_is_a_state_store_error():
    with pytest.raises(StateStoreError, match="socket_timeout"):
        RedisStateStore("redis://:s3cret@127.0.0.1:1/0?socket_timeout=soon")


def test_refused_connection_fails_closed_fast_without_password():
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    with pytest.raises(StateStoreError) as info:
        open_store(url)
    assert time.monotonic() - started < 5.0
    message = str(info.value)
    assert f"redis://127.0.0.1:{url.rsplit(':', 1)[1]}" in message
    assert "s3cret" not in message
    assert "ConnectionError" in message


def test_silent_server_times_out():
    """A host that accepts connections but never answers: fails within the socket timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        store = RedisStateStore(f"redis://127.0.0.1:{port}/0?socket_timeout=0.3")
        started = time.monotonic()
        with pytest.raises(StateStoreError, match="TimeoutError"):
            store.take_tokens("b", 0.0, 1.0, 1.0)
        assert time.monotonic() - started < 3.0  # one 0.3 s timeout, not retries
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


def test_wrong_type_error_names_no_value(redis_url):
    store = open_store(redis_url)
    store.hset("h", {"email": "someone@example.org"})
    with pytest.raises(StateStoreError) as info:
        store.incr("h")
    assert "INCRBYFLOAT failed" in str(info.value)
    assert "someone" not in str(info.value)
    store.close()


def test_restart_fails_closed_then_resumes(own_server):
    store = open_store(own_server.url + "?prefix=r:")
    assert store.take_tokens("b", 0.0, 1.0, 5.0) == (True, 0.0)
    own_server.stop()
    with pytest.raises(StateStoreError):
        store.take_tokens("b", 1.0, 1.0, 5.0)
    with pytest.raises(StateStoreError, match="PING failed"):
        store.ping()
    own_server.start()  # empty again (no persistence): the script is gone too
    # The pool's dead connection is replaced and the script reloaded, without a failed call.
    assert store.take_tokens("b", 2.0, 1.0, 5.0) == (True, 0.0)
    assert store.take_tokens("b", 2.0, 1.0, 5.0) == (False, 1.0)
    store.ping()
    store.close()


def test_take_tokens_is_one_round_trip(own_server):
    store = open_store(own_server.url + "?prefix=rt:")
    raw = redis.Redis.from_url(own_server.url)

    store.take_tokens("warm", 0.0, 1.0, 1.0)  # connection set-up and SCRIPT LOAD happen here
    raw.config_resetstat()
    for i in range(50):
        store.take_tokens("b", float(i), 1.0, 1.0)
    calls = {name: stat["calls"] for name, stat in raw.info("commandstats").items()}
    # One EVALSHA per call from the client; HMGET and HSET run inside the script.
    assert calls == {
        "cmdstat_config|resetstat": 1, "cmdstat_evalsha": 50, "cmdstat_hmget": 50, "cmdstat_hset": 50,
    }
    raw.close()
    store.close()
