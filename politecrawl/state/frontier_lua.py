"""Lua of the shared frontier (:mod:`politecrawl.state.redis_frontier`): the helpers its scripts share,
and the script that writes the pacing facts every node reads (Crawl-delay, pauses, Visit-time, stops,
rates)."""

from __future__ import annotations

from .send_slots import LUA_FMT

__all__ = ["FACTS_LUA", "LUA_HELPERS"]

#: ``fmt(x)`` (a float as Redis keeps it) and ``window(at, ws, we)`` (the next moment inside a
#: Visit-time window of seconds of the UTC day).
LUA_HELPERS = LUA_FMT + """
local function window(at, ws, we)
  if ws == nil or we == nil or ws == we or at == math.huge then return at end
  local tod = at % 86400
  local inside
  if ws < we then inside = (tod >= ws and tod < we) else inside = (tod >= ws or tod < we) end
  if inside then return at end
  local opening = at - tod + ws
  if opening <= at then opening = opening + 86400 end
  return opening
end
"""

# ARGV: base, now, site, origin ('' = every origin of the site), then triples
# (hash 's' or 'o', field, value): value '' deletes the field; the field 'pause' only grows.
# Then the origin (or every origin of the site) with queued requests is looked at again now.
FACTS_LUA = """
local base, now, site, origin = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
for i = 5, #ARGV, 3 do
  local key
  if ARGV[i] == 's' then key = base .. ':s:' .. site else key = base .. ':o:' .. origin end
  local field, value = ARGV[i + 1], ARGV[i + 2]
  if value == '' then
    redis.call('HDEL', key, field)
  elseif field == 'pause' then
    local current = tonumber(redis.call('HGET', key, field))
    if current == nil or tonumber(value) > current then redis.call('HSET', key, field, value) end
  else
    redis.call('HSET', key, field, value)
  end
end
local origins
if origin ~= '' then origins = {origin} else
  origins = redis.call('SMEMBERS', base .. ':origins:' .. site)
end
local ready_key = base .. ':ready'
for _, o in ipairs(origins) do
  if redis.call('ZCARD', base .. ':q:' .. o) > 0 then
    local score = tonumber(redis.call('ZSCORE', ready_key, o))
    if score == nil or score > now then redis.call('ZADD', ready_key, ARGV[2], o) end
  end
end
return #origins
"""
