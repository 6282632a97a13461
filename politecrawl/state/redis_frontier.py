"""The frontier a cluster's nodes share in Redis: one queue per origin, popped only when ready.

Keys, all under the frontier's *base* key (scrapy-redis's ``SCHEDULER_QUEUE_KEY``,
``%(spider)s:requests`` by default):

==========================  ==============================================================
key                         what it holds
==========================  ==============================================================
``<base>:ready``            sorted set: origin → the earliest time it may get a request
``<base>:q:<origin>``       sorted set: the origin's requests, by priority, then FIFO
                            (score ``-priority``, member a 16-hex-digit sequence + the
                            serialised request)
``<base>:o:<origin>``       hash: ``site``; ``interval`` (robots.txt Crawl-delay/Request-rate,
                            throttle), ``last`` (when its last request was granted), ``pause``
                            (robots.txt unreachable), ``wstart``/``wend`` (Visit-time,
                            seconds of the UTC day), ``server`` (its server's bucket,
                            written by the nodes), ``swait`` (since when it waits for it)
``<base>:s:<site>``         hash: ``rate`` and ``burst`` of the site's budget, ``pause``
                            (Retry-After, back-off), ``stopped`` (source of a stop),
                            ``slot`` (the send slot of its last grant)
``<base>:origins:<site>``   set: the site's origins
``<base>:n``                the number of queued requests
``<base>:seq``              the FIFO sequence
``<base>:crawl``            the crawl id the nodes share
``<base>:nodes``            sorted set: node → when it last asked (the owners of origins)
``<base>:lease:<lease>``    hash: the requests a node was granted and has not acknowledged
                            (grant id → origin, score and queued member), one per node
``<base>:leases``           sorted set: node lease → its deadline (renewed while it runs)
``<base>:pop:<lease>``      the node's last pop that granted requests: its token and their
                            lease ids (put back unless the node's next script says it got
                            that reply)
``<base>:seen``             when a script last ran (an outage renews every lease)
==========================  ==============================================================

Leases (the reliable-queue pattern): each request a pop grants is also written
into the node's lease hash, in the same script; the node acknowledges it (in
the ``acks`` of a later exchange: no round trip of its own) once the engine is
done with it and the requests it produced are pushed. A node renews its lease
on each exchange and beat (:meth:`RedisFrontier.beat`); any script finds the
leases whose deadline passed (a node killed, or stalled longer than its lease)
and puts their requests back into their queues, first in their order. A pop
whose reply the node never got (Redis ran the script, the node saw a timeout or
a dropped connection) is not left to expire: each exchange carries a token of
the node's and the token of the last reply it got, and the next script of the
node puts back what a pop it never saw granted.

An acknowledgement names the grant it is for: a lease's entry is keyed by the
grant id, the request's 16-hex sequence, ``.`` and the token of the pop that
granted it (a node's tokens increase, and its lease name is its own), and the
node sends that id back. A request put back (its node's lease expired: the node
stalled) and granted again to the same node gets a new id, so the old copy,
finishing late, acknowledges nothing (``HDEL`` of a field that is gone) and the
new grant stays leased until its own copy is done: a node dying meanwhile loses
nothing. No command is added to any round trip.

Waking up: a node that got less than it asked for is told when to ask again:
the earliest ready time of an origin it *owns*, or of any origin already due.
Origins are partitioned over the nodes that asked in the last few seconds
(``<base>:nodes``), by a hash of the origin (as Nutch and StormCrawler
partition by host): each ready moment wakes its owner, and the other nodes only
if they own none of the earliest origins (then they have nothing else to do), so
a crawl of many sites spreads its work over the nodes at about one round trip a
request, and a crawl of one site still uses every node. A node that died or is
busy leaves its origins to the others: any pop takes whatever is ready, whoever
owns it, and every node asks at least once a poll interval.

One Lua script (:meth:`RedisFrontier.exchange`) pushes a node's new requests
(after the shared dupefilter) and pops up to *n* requests, each from an origin
whose ready time has come, whose site is neither stopped nor paused, whose
Crawl-delay since the last grant has passed, inside its Visit-time — and only
after it took a token from its server's bucket (``server:<server>``, the
per-server limit) and from the site's budget bucket (``budget:<site>`` of the
state store), both by :data:`~politecrawl.state.redis.TOKEN_BUCKET_LUA`, the
rule of every store; neither is spent without the other. An origin whose
bucket (or server's) is empty goes back into the index at the time its next
token is due. So a node is never handed a request of a site that
cannot go, and one round trip both pushes and pops.

Send slots (:mod:`politecrawl.state.send_slots`): each grant of a site also
takes the site's send slot, one interval (``1 / rate``) after the previous
one (for a site above 100/s, up to ``SLOT_AHEAD`` ahead of now: several a
pop); the popped request carries its slot to the node's last step before the
send, where a request that has become late takes a new one.

This module knows no Scrapy: requests travel as bytes (the glue serialises
them with scrapy-redis's serializer).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .frontier_lua import FACTS_LUA, LUA_HELPERS
from .redis import TOKEN_BUCKET_LUA, _glob_escape
from .send_slots import SLOT_AHEAD, SLOT_CATCH_UP

__all__ = ["UNLIMITED", "Exchange", "Popped", "PushItem", "RedisFrontier"]

#: The rate of a site without a budget (the budget component off): no token is taken.
UNLIMITED = -1.0

#: Seconds before an origin whose site has no budget in the frontier yet is looked at again.
NO_BUDGET_RETRY = 1.0
#: Origins waiting for their server's next token are put back that much earlier for each second
#: they have waited (at most 600), so that the token goes round them in turn (seconds per second).
SERVER_TURN = 1e-4
#: How many of the earliest origins a node looks through for one it owns (its wake-up time).
WAKE_SCAN = 64
#: At most this many expired leases are put back by one script (the rest by the next ones).
REQUEUE_SCAN = 8

#: ``requeue_expired(base, now, deadline)``: put the requests of leases whose deadline is before
#: *now* (a node gone) back into their origins' queues (their own sequence: first in their order)
#: and the origins into the ready index; returns ``lease<TAB>count`` lines. Unless no script ran for
#: more than half a lease (``deadline - now``) before this one (``<base>:seen``: Redis was down, or
#: every node stalled): then no node could renew, and every lease is renewed to *deadline* instead. ``renew(base, lease, deadline)``:
#: the node's lease lives until *deadline* while it holds requests (else it leaves the index).
#: ``lease_gone(base, lease, holds)``: '1' if the node holds requests (*holds* '1') and its lease is
#: no longer in the index (taken for dead and put back), else '0'.
#: ``unseen(base, lease, token, seen, now)``: the node's last pop (``<base>:pop:<lease>``: its token
#: and the lease ids it granted) is resolved: if its token is not *seen*, the last token whose reply
#: the node got, the reply was lost (Redis ran the script, the node got an error): those requests go
#: back to their queues at once (the node never knew it held them). Returns how many went back, and
#: whether this script (*token*) is stale: a later script of the node already ran (one the node gave
#: up on, run late, after its retry): it must then neither resolve nor pop.
LEASE_LUA = """
local function put_back(base, v, now)
  local a = string.find(v, '\\n', 1, true)
  local b = a and string.find(v, '\\n', a + 1, true)
  if not b then return 0 end
  local origin = string.sub(v, 1, a - 1)
  redis.call('ZADD', base .. ':q:' .. origin, string.sub(v, a + 1, b - 1), string.sub(v, b + 1))
  redis.call('INCR', base .. ':n')
  redis.call('ZADD', base .. ':ready', 'NX', now, origin)
  return 1
end
local function unseen(base, name, token, seen, now)
  local pkey = base .. ':pop:' .. name
  local last = redis.call('GET', pkey)
  if not last then return 0, false end
  local ids = {}
  for word in string.gmatch(last, '%S+') do ids[#ids + 1] = word end
  if tonumber(ids[1]) > tonumber(token) then return 0, true end
  redis.call('DEL', pkey)
  if ids[1] == seen then return 0, false end
  local lkey = base .. ':lease:' .. name
  local n = 0
  for i = 2, #ids do
    local v = redis.call('HGET', lkey, ids[i])
    if v then
      n = n + put_back(base, v, now)
      redis.call('HDEL', lkey, ids[i])
    end
  end
  return n, false
end
local function requeue_expired(base, now, deadline)
  local leases = base .. ':leases'
  local seen = tonumber(redis.call('GET', base .. ':seen'))
  if seen == nil or tonumber(now) > seen then redis.call('SET', base .. ':seen', now) end
  if seen and tonumber(now) - seen > (tonumber(deadline) - tonumber(now)) / 2 then
    for _, name in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', '(' .. deadline)) do
      redis.call('ZADD', leases, deadline, name)
    end
    return ''
  end
  local dead = redis.call('ZRANGEBYSCORE', leases, '-inf', '(' .. now, 'LIMIT', 0, """ + str(REQUEUE_SCAN) + """)
  local lines = {}
  for _, name in ipairs(dead) do
    local lkey = base .. ':lease:' .. name
    local entries = redis.call('HGETALL', lkey)
    local n = 0
    for i = 2, #entries, 2 do n = n + put_back(base, entries[i], now) end
    redis.call('DEL', lkey, base .. ':pop:' .. name)
    redis.call('ZREM', leases, name)
    if n > 0 then lines[#lines + 1] = name .. '\\t' .. n end
  end
  return table.concat(lines, '\\n')
end
local function renew(base, name, deadline)
  if redis.call('EXISTS', base .. ':lease:' .. name) == 1 then
    redis.call('ZADD', base .. ':leases', deadline, name)
  else
    redis.call('ZREM', base .. ':leases', name)
  end
end
local function lease_gone(base, name, holds)
  if holds == '1' and not redis.call('ZSCORE', base .. ':leases', name) then return '1' end
  return '0'
end
"""

# ARGV: base, now, busy mark's time to live in ms ('' = not set), lease, lease deadline, '1' if the
# node holds requests, the token of the last reply the node got, this beat's token. Returns {requeued lines,
# '1' if the node held requests and its lease was gone, requests of a lost reply put back}.
_BEAT_LUA = LEASE_LUA + """
local base, lname = ARGV[1], ARGV[4]
if ARGV[3] ~= '' then redis.call('SET', base .. ':busy', '1', 'PX', ARGV[3]) end
local lost, back = '0', 0
if lname ~= '' then
  back = unseen(base, lname, ARGV[8], ARGV[7], ARGV[2])
  lost = lease_gone(base, lname, ARGV[6])
  renew(base, lname, ARGV[5])
end
return {requeue_expired(base, ARGV[2], ARGV[5]), lost, tostring(back)}
"""


# ARGV: base, budget key prefix, dupefilter key, now, initial tokens, pop count, scan limit,
# push count m, node name, seconds a node stays an owner of origins after it last asked,
# server bucket key prefix ('' = no per-server limit), server rate, server burst,
# fetch-history record key prefix ('' = none read), the busy mark's time to live in ms ('' = none
# set), '1' if the node is busy (the mark <base>:busy is then renewed, and also when the pop hands
# it requests), the node's lease ('' = none kept), its deadline, '1' if the node holds leased requests,
# this pop's token (the node's, increasing), the token of the last pop whose reply the node got
# (the requests of a pop whose reply was lost go back first: ``unseen``), then m groups of (fingerprint or '', site, origin, score, data or '', rate, burst, server,
# history fingerprint or ''), then the lease ids the node acknowledges.
# A push with data '' is only checked against the dupefilter (a request this node answers itself).
# A queued member is the 16-hex sequence, the data and, for a request whose fetch-history record
# the node reads before it sends it, '#' and the record's 40-hex fingerprint (a pickle ends in '.').
# Returns {pushed flags ('1'/'0' per push), next ready time or '', queued count,
#          servers that held an origin back ('server<TAB>site' lines), leases put back
#          ('lease<TAB>count' lines), '1' if this node held requests and its lease was gone,
#          requests of a lost reply put back, site, origin, data, send slot ('': none), history record ('': not asked, 'n': none,
#          'r' .. record), lease id ('': none kept), ...}.
_EXCHANGE_LUA = TOKEN_BUCKET_LUA + LUA_HELPERS + LEASE_LUA + """
local base, bprefix, dfkey = ARGV[1], ARGV[2], ARGV[3]
local now, initial = tonumber(ARGV[4]), tonumber(ARGV[5])
local want, scan, m = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local sprefix, srate, sburst = ARGV[11], tonumber(ARGV[12]), tonumber(ARGV[13])
local hprefix, busy_ttl, busy = ARGV[14], ARGV[15], ARGV[16] == '1'
local lname, lkey = ARGV[17], base .. ':lease:' .. ARGV[17]
local ready_key = base .. ':ready'
local flags = {}
for i = 0, m - 1 do
  local j = 22 + i * 9
  local fp, site, origin, score, data = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3], ARGV[j + 4]
  if ARGV[j + 8] ~= '' then data = data .. '#' .. ARGV[j + 8] end
  local new = 1
  if fp ~= '' then new = redis.call('SADD', dfkey, fp) end
  flags[#flags + 1] = tostring(new)
  if new == 1 and data ~= '' then
    local seq = redis.call('INCR', base .. ':seq')
    redis.call('ZADD', base .. ':q:' .. origin, score, string.format('%016x', seq) .. data)
    redis.call('INCR', base .. ':n')
    if redis.call('HSETNX', base .. ':o:' .. origin, 'site', site) == 1 then
      redis.call('SADD', base .. ':origins:' .. site, origin)
    end
    if ARGV[j + 7] ~= '' then redis.call('HSET', base .. ':o:' .. origin, 'server', ARGV[j + 7]) end
    if ARGV[j + 5] ~= '' then
      local skey = base .. ':s:' .. site
      redis.call('HSETNX', skey, 'rate', ARGV[j + 5])
      redis.call('HSETNX', skey, 'burst', ARGV[j + 6])
    end
    redis.call('ZADD', ready_key, 'NX', fmt(now), origin)
  end
end
-- the requests of a pop whose reply the node never got go back; acknowledgements (after the pushes
-- of the requests they produced); then the lease renewed
local lost, back, stale = '0', 0, false
if lname ~= '' then
  back, stale = unseen(base, lname, ARGV[20], ARGV[21], ARGV[4])
  if stale then want = 0 end  -- run after a later script of the node: it grants nothing
  lost = lease_gone(base, lname, ARGV[19])
  for i = 22 + m * 9, #ARGV do redis.call('HDEL', lkey, ARGV[i]) end
  renew(base, lname, ARGV[18])
end
local ids = {ARGV[20]}
local requeued = requeue_expired(base, ARGV[4], ARGV[18])
local out = {table.concat(flags), ''}
local held = {}
local got, tries = 0, 0
while got < want and tries < scan do
  local head = redis.call('ZRANGEBYSCORE', ready_key, '-inf', ARGV[4], 'LIMIT', 0, 1)
  if #head == 0 then break end
  tries = tries + 1
  local origin = head[1]
  local q = base .. ':q:' .. origin
  local okey = base .. ':o:' .. origin
  local o = redis.call('HMGET', okey, 'site', 'interval', 'last', 'pause', 'wstart', 'wend', 'server',
                       'swait')
  local site = o[1]
  if not site or redis.call('ZCARD', q) == 0 then
    redis.call('ZREM', ready_key, origin)
  else
    local skey = base .. ':s:' .. site
    local s = redis.call('HMGET', skey, 'rate', 'burst', 'pause', 'stopped', 'slot')
    local at = now
    if s[4] then at = math.huge end
    local p = tonumber(s[3])
    if p and p > at then at = p end
    p = tonumber(o[4])
    if p and p > at then at = p end
    local interval = tonumber(o[2]) or 0
    local last = tonumber(o[3])
    if interval > 0 and last and last + interval > at then at = last + interval end
    at = window(at, tonumber(o[5]), tonumber(o[6]))
    local rate, burst = tonumber(s[1]), tonumber(s[2])
    local slot = tonumber(s[5])
    -- a fast site's next send slot may be granted up to `ahead` seconds before it is due
    local ahead = 0
    if rate and rate * """ + repr(SLOT_AHEAD) + """ > 1 then ahead = """ + repr(SLOT_AHEAD) + """ end
    if slot and rate and rate > 0 and slot + 1 / rate - ahead > at then at = slot + 1 / rate - ahead end
    local granted, wait, tokens = 1, 0, 1
    if at > now then
      redis.call('ZADD', ready_key, fmt(at), origin)
    elseif rate == nil or burst == nil or burst <= 0 then
      redis.call('ZADD', ready_key, fmt(now + """ + repr(NO_BUDGET_RETRY) + """), origin)
    else
      -- the server's token first (per-server limit), then the site's; neither is spent alone
      local server = nil
      if sprefix ~= '' and o[7] then server = sprefix .. o[7] end
      if server then
        local sgranted, swait = take_tokens(server, now, srate, sburst, 1, initial)
        if sgranted == 0 then
          -- back at the server's next token, the origins that waited longest for it first
          local since = tonumber(o[8]) or now
          if not o[8] then redis.call('HSET', okey, 'swait', fmt(now)) end
          granted, wait = 0, swait - math.min(now - since, 600) * """ + repr(SERVER_TURN) + """
          held[#held + 1] = o[7] .. '\\t' .. site
        end
      end
      if granted == 1 and rate >= 0 then
        granted, wait, tokens = take_tokens(bprefix .. site, now, rate, burst, 1, initial)
        if granted == 0 and server then take_tokens(server, now, srate, sburst, -1, initial) end
      end
      if granted == 1 then
        local item = redis.call('ZPOPMIN', q)
        local data, record = string.sub(item[1], 17), ''
        local lease = ''
        if lname ~= '' then
          -- the grant's id: the request's sequence and this pop's token (a request granted again to
          -- the same node, after its lease expired, gets a new id: an ack of the old copy is a no-op)
          lease = string.sub(item[1], 1, 16) .. '.' .. ARGV[20]
          redis.call('HSET', lkey, lease, origin .. '\\n' .. item[2] .. '\\n' .. item[1])
          ids[#ids + 1] = lease
        end
        local hfp = string.sub(data, -40)
        if #data > 41 and string.sub(data, -41, -41) == '#' and string.find(hfp, '^%x+$') then
          data = string.sub(data, 1, -42)
          if hprefix ~= '' then
            record = redis.call('GET', hprefix .. hfp)
            if record then record = 'r' .. record else record = 'n' end
          end
        end
        out[#out + 1] = site
        out[#out + 1] = origin
        out[#out + 1] = data
        got = got + 1
        redis.call('HSET', okey, 'last', fmt(now))
        if o[8] then redis.call('HDEL', okey, 'swait') end
        redis.call('DECR', base .. ':n')
        local after, taken = now, ''
        if rate > 0 then
          if slot then after = math.max(slot + 1 / rate, now - """ + repr(SLOT_CATCH_UP) + """ / rate) end
          taken = fmt(after)
          redis.call('HSET', skey, 'slot', taken)
          after = after + 1 / rate
        end
        out[#out + 1] = taken
        out[#out + 1] = record
        out[#out + 1] = lease
        if redis.call('ZCARD', q) == 0 then
          redis.call('ZREM', ready_key, origin)
        else
          local nxt = after - ahead
          if tokens < 1 then
            if rate > 0 then nxt = math.max(nxt, now + (1 - tokens) / rate) else nxt = math.huge end
          end
          if interval > 0 and now + interval > nxt then nxt = now + interval end
          redis.call('ZADD', ready_key, fmt(nxt), origin)
        end
      else
        redis.call('ZADD', ready_key, fmt(now + wait), origin)
      end
    end
  end
end
if busy_ttl ~= '' and (busy or got > 0) then
  redis.call('SET', base .. ':busy', '1', 'PX', busy_ttl)
end
if lname ~= '' and got > 0 then
  redis.call('ZADD', base .. ':leases', ARGV[18], lname)
  -- this pop's token and grants: put back by the next script unless the node says it got the reply
  redis.call('SET', base .. ':pop:' .. lname, table.concat(ids, ' '))
end
local nodes_key = base .. ':nodes'
redis.call('ZADD', nodes_key, ARGV[4], ARGV[9])
redis.call('ZREMRANGEBYSCORE', nodes_key, '-inf', fmt(now - tonumber(ARGV[10])))
local live = redis.call('ZRANGE', nodes_key, 0, -1)
table.sort(live)  -- by name: the order of last asks changes at every ask
local mine = 0
for i, name in ipairs(live) do
  if name == ARGV[9] then mine = i - 1 end
end
local head = redis.call('ZRANGE', ready_key, 0, """ + str(WAKE_SCAN - 1) + """, 'WITHSCORES')
for i = 2, #head, 2 do
  local t = tonumber(head[i])
  if t == math.huge then break end
  if i == 2 then out[2] = head[i] end  -- a node that owns none of these wakes for the earliest
  if t <= now or #live <= 1
      or tonumber(string.sub(redis.sha1hex(head[i - 1]), 1, 7), 16) % #live == mine then
    out[2] = head[i]
    break
  end
end
table.insert(out, 3, tostring(back))
table.insert(out, 3, lost)
table.insert(out, 3, requeued)
table.insert(out, 3, table.concat(held, '\\n'))
table.insert(out, 3, redis.call('GET', base .. ':n') or '0')
return out
"""




@dataclass(frozen=True)
class PushItem:
    """One request for the shared frontier (``data=b""``: only ask the dupefilter)."""

    fingerprint: str  # "" = do not filter (``dont_filter``)
    site: str
    origin: str
    priority: int
    data: bytes
    rate: float | None = None  # the site's budget (pace, burst), kept if the frontier has none
    burst: float | None = None
    server: str = ""  # the origin's server (its address, or host name): the per-server bucket
    #: the fingerprint of the request's fetch-history record, read by the pop ("": none read)
    history: str = ""


@dataclass(frozen=True)
class Popped:
    site: str
    origin: str
    data: bytes
    #: the send slot its grant took (:mod:`~politecrawl.state.send_slots`; "": the site keeps none)
    slot: str = ""
    #: its fetch-history record as the pop read it: ``None`` not read, ``""`` none, else the record
    record: str | None = None
    #: its id in the node's lease, to acknowledge ("": the frontier keeps no lease)
    lease: str = ""


@dataclass(frozen=True)
class Exchange:
    """What one round trip did: which pushes were new, what was popped, what is next."""

    new: list[bool]
    popped: list[Popped]
    #: When this node should ask again: the earliest ready time it owns (None: nothing queued)
    next_ready: float | None
    queued: int
    #: (server, site) of each origin whose server had no token (the per-server limit held it back)
    held: list[tuple[str, str]] = field(default_factory=list)
    #: (lease, requests) of the expired leases this round trip put back into the queues
    requeued: list[tuple[str, int]] = field(default_factory=list)
    #: this node held leased requests and its lease was gone (taken for dead: they were put back)
    lease_lost: bool = False
    #: requests of an earlier pop of this node whose reply it never got, put back by this round trip
    unseen: int = 0


def _requeued(value: Any) -> list[tuple[str, int]]:
    pairs = [line.rsplit("\t", 1) for line in _text(value).split("\n") if line]
    return [(name, int(n)) for name, n in pairs]


def _ms(seconds: float | None) -> str:
    """A time to live as the scripts take it: whole milliseconds, at least 1 ('' for ``None``: not set)."""
    return "" if seconds is None else str(max(1, int(seconds * 1000)))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _record(value: Any) -> str | None:
    text = _text(value)
    return None if not text else "" if text == "n" else text[1:]


def _num(value: float) -> str:
    return "+inf" if value == math.inf else repr(float(value))


class RedisFrontier:
    """The shared frontier's keys and scripts on one Redis client (see the module doc).

    *budget_prefix* is the state store's key of a site's budget bucket without the
    site (``politecrawl:budget:``): the frontier and the state store must be the
    same Redis server and database.
    """

    def __init__(self, client: Any, base: str, dupefilter_key: str, budget_prefix: str,
                 *, initial: float = 1.0, node: str = "", live: float = 3.0,
                 servers: tuple[str, float, float] | None = None, history_prefix: str = "",
                 lease: str = "", lease_timeout: float = 3.0) -> None:
        self.client = client
        self.node = node
        self.live = live
        self.base = base
        self.dupefilter_key = dupefilter_key
        self.budget_prefix = budget_prefix
        self.initial = initial
        #: the per-server limit: (bucket key prefix, rate, burst); None: none
        self.servers = servers
        #: the key of a fetch-history record without its fingerprint ("": the pop reads none)
        self.history_prefix = history_prefix
        #: this node's lease ("": granted requests are not leased) and how long it lives unrenewed
        self.lease = lease
        self.lease_timeout = lease_timeout
        #: each exchange carries a token of its own (increasing) and the token of the last reply this
        #: client got: the requests of a pop whose reply was lost go back at the next script
        self._token = 0
        self._seen = ""
        self._exchange = client.register_script(_EXCHANGE_LUA)
        self._beat = client.register_script(_BEAT_LUA)
        self._facts = client.register_script(FACTS_LUA)

    # -- the round trip ------------------------------------------------------
    def exchange(self, pushes: Sequence[PushItem], pop: int, now: float,
                 *, scan: int | None = None, busy: bool = False, busy_ttl: float | None = None,
                 acks: Sequence[str] = (), leased: bool = False) -> Exchange:
        """Push *pushes* (after the dupefilter), acknowledge the leased requests *acks*, put back
        the requests of expired leases, then pop up to *pop* ready requests, each with a budget
        token taken (and leased to this node, with :attr:`lease`). One EVALSHA. With *busy_ttl*:
        the busy mark (``<base>:busy``, read by idle nodes) is renewed for that many seconds if the
        node is *busy* or gets requests. *leased*: the node holds leased requests (so a lease found
        gone is reported)."""
        args: list[Any] = [
            self.base, self.budget_prefix, self.dupefilter_key, repr(float(now)),
            repr(float(self.initial)), int(pop), int(scan if scan is not None else 4 * pop + 16),
            len(pushes), self.node, repr(float(self.live)),
            *((self.servers[0], repr(float(self.servers[1])), repr(float(self.servers[2])))
              if self.servers else ("", "", "")),
            self.history_prefix,
            _ms(busy_ttl), "1" if busy else "0",
            self.lease, repr(float(now + self.lease_timeout)), "1" if leased else "0",
        ]
        self._token += 1
        token = str(self._token)
        args += [token, self._seen]
        for item in pushes:
            args += [
                item.fingerprint, item.site, item.origin, repr(-float(item.priority)), item.data,
                "" if item.rate is None else repr(float(item.rate)),
                "" if item.burst is None else repr(float(item.burst)), item.server,
                item.history if self.history_prefix else "",
            ]
        if self.lease:
            args += acks
        reply = self._exchange(keys=[], args=args)
        self._seen = token  # the reply came: what this pop granted is known to the node
        flags = _text(reply[0])
        next_ready = _text(reply[1])
        popped = [
            Popped(_text(reply[i]), _text(reply[i + 1]), reply[i + 2], _text(reply[i + 3]),
                   _record(reply[i + 4]), _text(reply[i + 5]))
            for i in range(7, len(reply), 6)
        ]
        held = [tuple(line.split("\t", 1)) for line in _text(reply[3]).split("\n") if line]
        return Exchange(
            new=[c == "1" for c in flags],
            popped=popped,
            next_ready=float(next_ready) if next_ready else None,
            queued=int(_text(reply[2])),
            held=held,  # type: ignore[arg-type] - pairs
            requeued=_requeued(reply[4]),
            lease_lost=_text(reply[5]) == "1",
            unseen=int(_text(reply[6])),
        )

    # -- leases --------------------------------------------------------------
    def beat(self, now: float, *, busy_ttl: float | None = None,
             leased: bool = False) -> tuple[list[tuple[str, int]], bool, int]:
        """A node's beat between exchanges (one EVALSHA): the busy mark set for *busy_ttl* seconds
        (``None``: not), this node's lease renewed, expired leases put back, and the requests of a pop
        whose reply was lost. Returns what was put back (as :attr:`Exchange.requeued`), whether this
        node's lease was gone (*leased*) and how many requests of a lost reply went back."""
        self._token += 1
        reply = self._beat(keys=[], args=[
            self.base, repr(float(now)), _ms(busy_ttl),
            self.lease, repr(float(now + self.lease_timeout)), "1" if leased else "0", self._seen,
            str(self._token),
        ])
        return _requeued(reply[0]), _text(reply[1]) == "1", int(_text(reply[2]))

    def release(self) -> None:
        """Give this node's lease up (a node that closes: what it holds is done or handed back)."""
        if self.lease:
            pipe = self.client.pipeline(transaction=False)
            pipe.delete(f"{self.base}:lease:{self.lease}", f"{self.base}:pop:{self.lease}")
            pipe.zrem(f"{self.base}:leases", self.lease)
            pipe.execute()

    def leased(self) -> int:
        """Requests leased to any node and not acknowledged (for tests and reports)."""
        return sum(int(self.client.hlen(f"{self.base}:lease:{_text(name)}"))
                   for name in self.client.zrange(f"{self.base}:leases", 0, -1))

    # -- facts every node must see -------------------------------------------
    def set_site(self, site: str, now: float, **fields: float | str | None) -> None:
        """Set the site's ``rate``, ``burst``, ``pause`` (only grows) or ``stopped``
        (``None`` deletes); its origins are looked at again."""
        self._set("s", site, "", now, fields)

    def set_origin(self, site: str, origin: str, now: float, **fields: float | str | None) -> None:
        """Set the origin's ``interval``, ``pause``, ``wstart``/``wend`` (``None`` deletes)."""
        self._set("o", site, origin, now, fields)

    def _set(self, where: str, site: str, origin: str, now: float,
             fields: dict[str, float | str | None]) -> None:
        args: list[Any] = [self.base, repr(float(now)), site, origin]
        for name, value in fields.items():
            text = "" if value is None else value if isinstance(value, str) else _num(value)
            args += [where, name, text]
        self._facts(keys=[], args=args)

    def clear_operator_stops(self) -> int:
        """Remove the ``stopped`` marks of operator stops (the stop registry is read again by
        every node at start: a stop resumed while no node ran must not stay)."""
        cleared = 0
        for key in self.client.scan_iter(match=_glob_escape(self.base + ":s:") + "*", count=1000):
            if _text(self.client.hget(key, "stopped") or b"") == "operator":
                self.client.hdel(key, "stopped")
                cleared += 1
        return cleared

    # -- whole frontier ------------------------------------------------------
    def __len__(self) -> int:
        return int(_text(self.client.get(self.base + ":n") or b"0"))

    def claim_crawl_id(self, candidate: str) -> str:
        """The crawl id of the nodes on this frontier: the first node's *candidate*."""
        key = self.base + ":crawl"
        self.client.set(key, candidate, nx=True)
        return _text(self.client.get(key) or candidate.encode())

    def clear(self) -> None:
        """Delete every key of the frontier (not the dupefilter's)."""
        keys = list(self.client.scan_iter(match=_glob_escape(self.base + ":") + "*", count=1000))
        keys.append(self.base)
        for i in range(0, len(keys), 500):
            self.client.delete(*keys[i:i + 500])

    def waiting_by_site(self) -> dict[str, int]:
        """Queued requests per site (for reports; one ZCARD per origin)."""
        counts: dict[str, int] = {}
        for key in self.client.scan_iter(match=_glob_escape(self.base + ":q:") + "*", count=1000):
            origin = _text(key)[len(self.base) + 3:]
            site = _text(self.client.hget(self.base + ":o:" + origin, "site") or b"")
            counts[site] = counts.get(site, 0) + int(self.client.zcard(key))
        return {site: n for site, n in counts.items() if n}
