"""Send slots: a site's requests reach it one interval apart, whichever node sends them and however late.

The shared frontier's token bucket bounds the times tokens are *granted*. A
request reaches the site later: the node's event loop, a wait for the
server's token, a robots.txt lookup, a loaded machine (measured on a loaded
2-core machine: 1 to 2 s between a grant and the send, while the node's other
requests went at once). No node sees another node's send times, so two
requests granted one interval apart could reach the site together.

So every grant of a site also takes the site's *send slot*, a time kept in
the frontier's site hash (``<base>:s:<site>``, field ``slot``): each slot is at
least one interval (``1 / rate``) after the previous one, whoever took it.
A pop may take a slot up to :data:`SLOT_CATCH_UP` of an interval in the past
(a node that asked late catches up that much, never a burst). At the send
itself, the last step before the request leaves the node, the node checks
the request's slot (:meth:`SendSlots.late`): a request going more than
:data:`SEND_LATE` of an interval after its slot takes a new slot in Redis
(:meth:`SendSlots.take`, one round trip, only for late requests) and waits
for it (at most ``SEND_HOLD`` since it was first held, else back to the
frontier for a new turn). A new slot may catch up as a pop's does.
robots.txt and tdmrep.json fetches (one per origin for the whole cluster),
which never pass the pop, are paced by the budget's bucket alone: they go
when they have its token, and move the slots up to their send, so the next
request keeps its distance from them.

So every request leaves the node within ``SEND_LATE / rate`` after a slot of
its own (``(burst - 1.5) / rate`` for a burst above 2:
:meth:`SendSlots.tolerance`), slots are one interval apart, and any window of W
seconds holds at most ``rate × W + 2`` requests at the site with a burst up to 2
(the default; ``rate × W + burst - 0.5`` above, within the budget's own bound) —
as long as the step from that last check to the site (a few milliseconds: the
downloader and the socket) stays under half an interval. Nothing here depends
on how long the request waited before.

A site faster than ``1 / SLOT_AHEAD`` has its slots granted up to
:data:`SLOT_AHEAD` before they are due (several a pop; the node holds each
request until its own): a node asks at most every 10 ms, and one slot a pop
held such a site to ~100 requests/s a node.

The re-slot of a late request reuses its own slot when no node took a later
one (the schedule moves up to now, nothing is lost); otherwise the late
request gets the next free slot, and its first slot stays unused (the site
gets less, never more: in a sequence where 1 request in 5 reaches its send
0.45 to 0.7 s late, 4 req/s, ~0.8 of the cap is used; tests/test_send_slots.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SEND_LATE", "SLOT_AHEAD", "SLOT_CATCH_UP", "SendSlots"]

#: A late pop may take a site's send slot up to this share of the site's interval after it
#: was due (catching up), no more.
SLOT_CATCH_UP = 0.25
#: A request may leave the node up to this share of the site's interval after its slot; later,
#: it takes a new slot first. With a burst above 2, up to ``burst - 1.5`` intervals
#: (:meth:`SendSlots.tolerance`).
SEND_LATE = 0.5
#: A pop may grant a site's send slots up to this many seconds before they are due, when more
#: than one slot falls in that time (a rate above ``1 / SLOT_AHEAD``): a node asks at most every
#: ``SharedFrontierLink.MIN_GAP`` (the same 10 ms), so granting only the slot due now held a fast
#: site to one request per ask (~85 pages/s for one node where the site allowed 1000/s).
SLOT_AHEAD = 0.01

#: Lua helpers shared with the frontier's scripts: a float as Redis keeps it.
LUA_FMT = """
local function fmt(x)
  if x == math.huge then return '+inf' end
  return string.format('%.17g', x)
end
"""

# ARGV: base, site, now, the request's slot ('' = none), the longest wait ('' = a protocol-file
# fetch that goes now). Returns {''} when the site keeps no send slots (no rate known, or
# unlimited), {'+', slot} when the slot was taken, {'-', slot} when the next free slot is further
# away than the longest wait (nothing taken).
_TAKE_LUA = LUA_FMT + """
local skey = ARGV[1] .. ':s:' .. ARGV[2]
local now, mine = tonumber(ARGV[3]), ARGV[4]
local s = redis.call('HMGET', skey, 'rate', 'slot')
local rate = tonumber(s[1])
if rate == nil or rate <= 0 then return {''} end
local last = tonumber(s[2])
local at = now - """ + repr(SLOT_CATCH_UP) + """ / rate
if ARGV[5] == '' then
  at = now  -- the schedule moves up to a send it did not plan, so the next one keeps its distance
  if last and last > at then at = last end
elseif last then
  if s[2] == mine then at = math.max(at, last) else at = math.max(at, last + 1 / rate) end
  if at - now > tonumber(ARGV[5]) then return {'-', fmt(at)} end
end
local slot = fmt(at)
redis.call('HSET', skey, 'slot', slot)
return {'+', slot}
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SendSlots:
    """The send slots of the sites of one shared frontier (*base*: its key, see the module doc)."""

    def __init__(self, client: Any, base: str) -> None:
        self.base = base
        self._take = client.register_script(_TAKE_LUA)

    @staticmethod
    def tolerance(burst: float) -> float:
        """How many of the site's intervals a request may leave after its slot: ``SEND_LATE``, or
        ``burst - 1.5`` for a burst above 2. Slots are one interval apart and no request leaves
        before its own, so a window of W seconds holds at most ``floor(rate × W + tolerance) + 1``
        sends: ``rate × W + 2`` (a burst up to 2, the default), ``rate × W + burst - 0.5`` above."""
        return max(SEND_LATE, burst - 1.5)

    @staticmethod
    def late(slot: float, now: float, rate: float, burst: float = 2.0) -> bool:
        """Is a request with *slot* too late to go now on it (rate ≤ 0 or unlimited: never)?"""
        return rate > 0 and now - slot > SendSlots.tolerance(burst) / rate

    def take(self, site: str, now: float, mine: str = "", *, hold: float | None) -> tuple[bool, str]:
        """Take *site*'s next free send slot for a request that goes at *now* or later (its
        slot *mine*, if it had one). Returns ``(taken, slot)``: ``slot`` is ``""`` when the site
        keeps no slots (go now); not taken when the slot is more than *hold* seconds away.
        ``hold=None``: a robots.txt or tdmrep.json fetch that goes now (paced by the budget's
        bucket only); the slots move up to it, so the next request keeps its distance."""
        args = [self.base, site, repr(float(now)), mine, "" if hold is None else repr(float(hold))]
        reply = [_text(part) for part in self._take(keys=[], args=args)]
        if reply[0] == "":
            return True, ""
        return reply[0] == "+", reply[1]

    @staticmethod
    def wait(slot: str, now: float) -> float:
        """Seconds from *now* until *slot* (``""``: none)."""
        return max(0.0, float(slot) - now) if slot else 0.0
