"""The cluster state store: one Redis server shared by every crawl node.

URL: ``redis://[[user]:password@]host[:port][/db][?option=value&...]``, also
``rediss://`` (TLS) and ``unix:///path/to/redis.sock?db=N``. Options:

``prefix``                  namespace put before every key (default ``politecrawl:``;
                            ``prefix=`` for none)
``socket_timeout``          seconds a command may take (default 2)
``socket_connect_timeout``  seconds a connection may take (default 2)

Any other query option is passed to redis-py (``ssl_cert_reqs``,
``health_check_interval``, ...). See ``docs/state.md``.

Each operation of the interface is one Redis command (the table in
``base.py``); ``take_tokens`` is one Lua script. Commands are never retried
automatically: a write whose reply was lost may have been applied, and
retrying it could spend a budget twice. A failed command raises
:class:`StateStoreError` and the caller fails closed.

Time: TTLs (``set(..., ttl=)``) are counted by the Redis server's clock, not
by the injected ``clock``; the buckets of ``take_tokens`` use the ``now``
the caller passes, as in every store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import tokens as _tokens
from .base import Clock, IndexedWrite, Scalar, StateStore, StateStoreError, redact_url

__all__ = ["BUDGET_KEY", "DEFAULT_PREFIX", "TOKEN_BUCKET_LUA", "RedisStateStore", "redact_url"]

#: Namespace of every key unless the URL says ``?prefix=...``: politecrawl
#: usually shares its Redis with scrapy-redis's frontier.
DEFAULT_PREFIX = "politecrawl:"
#: Seconds; short, so that a dead Redis fails closed fast.
DEFAULT_TIMEOUT = 2.0

# A field name no caller uses (NUL), stored when a log record is empty because
# XADD needs at least one field; dropped again on reading.
_EMPTY_RECORD_FIELD = "\x00"

# The rule of politecrawl.state.tokens.take, in the same order of operations,
# so that the numbers match the other stores exactly. Numbers travel as
# strings ("%.17g" round-trips a double), never as Lua-to-Redis integers.
# A Lua function, so that the shared frontier's pop script
# (politecrawl.state.redis_frontier) takes a token by the same rule, on the same key.
TOKEN_BUCKET_LUA = """
local function take_tokens(key, now, rate, burst, cost, initial)
  local state = redis.call('HMGET', key, 'tokens', 'updated_at')
  local tokens = tonumber(state[1])
  local updated_at = tonumber(state[2])
  if tokens == nil or updated_at == nil then
    tokens = math.min(initial, burst)
    updated_at = now
  end
  local elapsed = now - updated_at
  if elapsed < 0 then elapsed = 0 end
  tokens = math.min(burst, tokens + elapsed * rate)
  updated_at = math.max(updated_at, now)
  local granted = 0
  local wait = 0
  if tokens >= cost then
    tokens = tokens - cost
    granted = 1
  elseif rate <= 0 or cost > burst then
    wait = math.huge
  else
    wait = (cost - tokens) / rate
  end
  redis.call('HSET', key, 'tokens', string.format('%.17g', tokens),
             'updated_at', string.format('%.17g', updated_at))
  return granted, wait, tokens
end
"""

#: :meth:`RedisStateStore.set_indexed_many`: ARGV groups (record key or '', value, index or '', field,
#: entry, count key or '', limit, n, then n pairs of also-key, also-value); '1'/'0' per group.
_SET_INDEXED_MANY_LUA = """
local done = {}
local i = 1
while i <= #ARGV do
  local ok = 1
  if ARGV[i] ~= '' then
    if ARGV[i + 5] ~= '' then
      local n = tonumber(redis.call('INCRBYFLOAT', ARGV[i + 5], 1))
      if ARGV[i + 6] ~= 'inf' and n > tonumber(ARGV[i + 6]) then
        redis.call('INCRBYFLOAT', ARGV[i + 5], -1)
        ok = 0
      end
    end
    if ok == 1 then
      redis.call('SET', ARGV[i], ARGV[i + 1])
      if ARGV[i + 2] ~= '' then redis.call('HSET', ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]) end
    end
  end
  local n = tonumber(ARGV[i + 7])
  if ok == 1 then
    for j = 0, n - 1 do redis.call('SET', ARGV[i + 8 + 2 * j], ARGV[i + 9 + 2 * j]) end
  end
  done[#done + 1] = tostring(ok)
  i = i + 8 + 2 * n
end
return table.concat(done)
"""

_TAKE_TOKENS_LUA = TOKEN_BUCKET_LUA + """
local granted, wait = take_tokens(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
                                  tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if wait == math.huge then
  return {granted, 'inf'}
end
return {granted, string.format('%.17g', wait)}
"""

#: The key of a site's budget bucket (``BudgetLedger``), without the store's prefix.
BUDGET_KEY = "budget:"

_GLOB_SPECIALS = frozenset("*?[]\\")


def _glob_escape(text: str) -> str:
    """Escape the glob characters of Redis MATCH patterns (``* ? [ ] \\``)."""
    return "".join("\\" + c if c in _GLOB_SPECIALS else c for c in text)


def _split_options(url: str) -> tuple[str, dict[str, str]]:
    """Return *url* without politecrawl's own query options, and those options."""
    parts = urlsplit(url)
    own: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "prefix":
            own[name] = value
        else:
            rest.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(rest))), own


def _ms(ttl: float) -> int:
    """A TTL in whole milliseconds, rounded up, at least 1 (``PX`` rejects 0)."""
    return max(1, math.ceil(ttl * 1000))


def _encode_log_id(raw: str) -> str:
    # Stream ids "ms-seq" do not sort as text ("9-0" > "10-0"); zero-padded they
    # do, like the other stores' ids. Both parts are unsigned 64-bit: 20 digits.
    ms, _, seq = raw.partition("-")
    return f"{int(ms):020d}-{int(seq):020d}"


def _decode_log_id(log_id: str) -> str:
    ms, sep, seq = log_id.partition("-")
    if not sep or not ms.isdigit() or not seq.isdigit():
        raise ValueError(f"read_log: after ({log_id!r}) is not an id this store returned")
    return f"{int(ms)}-{int(seq)}"


class RedisStateStore(StateStore):
    """State in Redis, shared by every node of a crawl (see the module doc)."""

    batch_writes = True

    def __init__(
        self, url: str, clock: Clock = time.time, *, prefix: str | None = None
    ) -> None:
        super().__init__(clock)
        self.url = redact_url(url)
        client_url, own = _split_options(url)
        self.prefix = prefix if prefix is not None else own.get("prefix", DEFAULT_PREFIX)
        try:
            self._redis = redis.Redis.from_url(
                client_url,
                decode_responses=True,
                socket_timeout=DEFAULT_TIMEOUT,
                socket_connect_timeout=DEFAULT_TIMEOUT,
                # No automatic retries: see the module doc (double spending).
                retry=Retry(NoBackoff(), 0),
            )
        except (ValueError, TypeError) as exc:
            # redis-py's messages name the option, never the password.
            raise StateStoreError(
                f"POLITECRAWL_STATE {self.url!r} is not a usable Redis URL: {exc}. "
                "Use redis://host:port/db (options: prefix, socket_timeout, "
                "socket_connect_timeout)."
            ) from exc
        self._take_tokens = self._redis.register_script(_TAKE_TOKENS_LUA)
        self._set_indexed_many = self._redis.register_script(_SET_INDEXED_MANY_LUA)

    # -- plumbing --------------------------------------------------------
    def _k(self, key: str) -> str:
        return self.prefix + key

    def _call(self, operation: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except redis.exceptions.RedisError as exc:
            # redis-py's messages carry host:port and the server's error text,
            # never a password or the values sent.
            raise StateStoreError(
                f"state store {self.url}: {operation} failed: "
                f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
            ) from exc

    # -- notifications ---------------------------------------------------
    def publish(self, channel: str) -> None:
        """``PUBLISH`` on the prefixed *channel* (best effort: an error is ignored)."""
        try:
            self._redis.publish(self._k(channel), "1")
        except redis.exceptions.RedisError:
            pass

    def subscriber(self, channel: str) -> redis.client.PubSub:
        """A ``PubSub`` subscribed to the prefixed *channel* (raises ``redis`` errors as they come)."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self._k(channel))
        return pubsub

    # -- strings ---------------------------------------------------------
    def get(self, key: str) -> str | None:
        return self._call("GET", self._redis.get, self._k(key))

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        px = None if ttl is None else _ms(ttl)
        self._call("SET", self._redis.set, self._k(key), str(value), px=px)

    def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        px = None if ttl is None else _ms(ttl)
        return bool(self._call("SET NX", self._redis.set, self._k(key), str(value), px=px, nx=True))

    def delete(self, key: str) -> None:
        self._call("DEL", self._redis.delete, self._k(key))

    def incr(self, key: str, amount: float = 1) -> float:
        return float(self._call("INCRBYFLOAT", self._redis.incrbyfloat, self._k(key), amount))

    # -- hashes ----------------------------------------------------------
    def hgetall(self, key: str) -> dict[str, str]:
        return self._call("HGETALL", self._redis.hgetall, self._k(key))

    def hset(self, key: str, mapping: Mapping[str, Scalar]) -> None:
        if not mapping:
            return
        fields = {field: str(value) for field, value in mapping.items()}
        self._call("HSET", self._redis.hset, self._k(key), mapping=fields)

    def hincr(self, key: str, field: str, amount: float = 1) -> float:
        return float(
            self._call("HINCRBYFLOAT", self._redis.hincrbyfloat, self._k(key), field, amount)
        )

    def hdel(self, key: str, *fields: str) -> None:
        if fields:
            self._call("HDEL", self._redis.hdel, self._k(key), *fields)

    # -- a record and its index entry -------------------------------------
    def set_indexed_many(self, writes: Sequence[IndexedWrite]) -> list[bool]:
        if not writes:
            return []
        args: list[str] = []
        for w in writes:
            args += [self._k(w.key) if w.key else "", str(w.value), self._k(w.index) if w.index else "",
                     w.field, str(w.entry), self._k(w.count) if w.count is not None else "",
                     "inf" if w.limit == float("inf") else repr(float(w.limit)), str(len(w.also))]
            for key, value in w.also:
                args += [self._k(key), str(value)]
        flags = str(self._call("EVALSHA set_indexed_many", self._set_indexed_many, keys=[], args=args))
        return [c == "1" for c in flags]

    # -- logs ------------------------------------------------------------
    def append(self, log: str, record: Mapping[str, Scalar]) -> str:
        fields = {field: str(value) for field, value in record.items()}
        if not fields:
            fields = {_EMPTY_RECORD_FIELD: ""}
        return _encode_log_id(self._call("XADD", self._redis.xadd, self._k(log), fields))

    def read_log(
        self, log: str, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, dict[str, str]]]:
        if limit is not None and limit <= 0:
            return []
        start = "-" if after is None else "(" + _decode_log_id(after)  # "(" = exclusive
        entries = self._call("XRANGE", self._redis.xrange, self._k(log), start, "+", count=limit)
        result = []
        for raw_id, fields in entries:
            fields.pop(_EMPTY_RECORD_FIELD, None)
            result.append((_encode_log_id(raw_id), fields))
        return result

    # -- keys ------------------------------------------------------------
    def keys(self, prefix: str) -> list[str]:
        pattern = _glob_escape(self.prefix + prefix) + "*"
        found = self._call("SCAN", lambda: set(self._redis.scan_iter(match=pattern, count=1000)))
        n = len(self.prefix)
        # SCAN may return a key twice; MATCH is exact on bytes (case-sensitive).
        return sorted(k[n:] for k in found)

    # -- budgets ---------------------------------------------------------
    def take_tokens(
        self,
        key: str,
        now: float,
        rate: float,
        burst: float,
        cost: float = 1.0,
        *,
        initial: float = 1.0,
    ) -> tuple[bool, float]:
        _tokens.check_bucket_args(rate, burst, cost, initial)
        args = [repr(float(x)) for x in (now, rate, burst, cost, initial)]
        granted, wait = self._call(
            "EVALSHA take_tokens", self._take_tokens, keys=[self._k(key)], args=args
        )
        return bool(granted), float(wait)

    # -- life cycle ------------------------------------------------------
    def ping(self) -> None:
        """One PING; raise :class:`StateStoreError` if Redis does not answer."""
        self._call("PING", self._redis.ping)

    def close(self) -> None:
        self._redis.close()
