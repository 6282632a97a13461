"""``Retry-After`` (RFC 9110 §10.2.3): how long a site asked us to wait; the one reader of the header.

Read for 429/503 answers to pages (:mod:`politecrawl.stops.throttle`) and for
robots.txt and tdmrep.json fetches that failed (:mod:`politecrawl.robots.outage`).

    Retry-After = HTTP-date / delay-seconds
    delay-seconds = 1*DIGIT

An HTTP-date may come in any of the three formats of RFC 9110 §5.6.7
(recipients MUST accept all three): IMF-fixdate
``Sun, 06 Nov 1994 08:49:37 GMT``, the obsolete RFC 850 form
``Sunday, 06-Nov-94 08:49:37 GMT`` and asctime ``Sun Nov  6 08:49:37 1994``.
Month names are matched from a fixed table (``strptime``'s ``%b`` depends on
the locale).

What each kind of value means for a page's 429/503 (:mod:`politecrawl.stops.throttle`):

==============  ==============================================================
kind            meaning
==============  ==============================================================
``absent``      no header: back off exponentially
``invalid``     garbage, a sign, a fraction, a unit, an impossible date: as
                absent (the site said nothing we can read); reported
``past``        a date not after now, or ``0``: the site says "now", which
                after a 429/503 tells us nothing about how long to wait; as
                absent (exponential back-off), so a stale date cannot make us
                hammer the site
``seconds``     a delay in whole seconds, within the cap
``date``        a date in the future, within the cap
``too-large``   over the cap (``POLITECRAWL_MAX_RETRY_AFTER``): the site is
                paused for the rest of the crawl and this is reported
==============  ==============================================================
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["DEFAULT_MAX_RETRY_AFTER", "RetryAfter", "parse_http_date", "parse_retry_after", "retry_after_seconds"]

#: Default cap, seconds (24 h), of ``POLITECRAWL_MAX_RETRY_AFTER``.
DEFAULT_MAX_RETRY_AFTER = 86400.0

# More digits than this is "too large" whatever the cap (and keeps int() cheap:
# Python refuses to convert strings of more than 4300 digits).
_MAX_DIGITS = 12

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_TIME = r"(\d{2}):(\d{2}):(\d{2})"
_IMF_FIXDATE = re.compile(
    rf"^[A-Za-z]{{3}}, (\d{{2}}) ([A-Za-z]{{3}}) (\d{{4}}) {_TIME} GMT$"
)
_RFC850 = re.compile(rf"^[A-Za-z]{{6,9}}, (\d{{2}})-([A-Za-z]{{3}})-(\d{{2}}) {_TIME} GMT$")
_ASCTIME = re.compile(rf"^[A-Za-z]{{3}} ([A-Za-z]{{3}}) ([ \d]\d) {_TIME} (\d{{4}})$")


class RetryAfter(NamedTuple):
    """A parsed ``Retry-After`` value.

    *delay* is seconds from *now* (``None`` for ``absent`` / ``invalid``;
    ``0.0`` for ``past``; possibly ``inf`` for ``too-large``).
    """

    kind: str
    delay: float | None

    @property
    def usable(self) -> bool:
        """Whether the value says how long to pause (``seconds`` or ``date``)."""
        return self.kind in ("seconds", "date")


def _timestamp(year: int, month: int, day: int, hh: int, mm: int, ss: int) -> float | None:
    if not (1 <= month <= 12 and 1 <= day <= 31 and hh <= 23 and mm <= 59 and ss <= 60):
        return None
    if day > calendar.monthrange(year, month)[1]:
        return None
    return float(calendar.timegm((year, month, day, hh, mm, min(ss, 59), 0, 0, 0)))


def parse_http_date(text: str, now: float) -> float | None:
    """Seconds since the epoch of an HTTP-date, or ``None`` if it is not one.

    *now* resolves the two-digit year of the RFC 850 form (RFC 9110 §5.6.7:
    a year more than 50 years ahead is the latest past year with those digits).
    """
    text = text.strip()
    m = _IMF_FIXDATE.match(text)
    if m:
        day, mon, year, hh, mm, ss = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return None
        return _timestamp(int(year), month, int(day), int(hh), int(mm), int(ss))
    m = _RFC850.match(text)
    if m:
        day, mon, yy, hh, mm, ss = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return None
        this_year = time.gmtime(now).tm_year
        year = (this_year // 100) * 100 + int(yy)
        if year > this_year + 50:
            year -= 100
        return _timestamp(year, month, int(day), int(hh), int(mm), int(ss))
    m = _ASCTIME.match(text)
    if m:
        mon, day, hh, mm, ss, year = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return None
        return _timestamp(int(year), month, int(day.strip()), int(hh), int(mm), int(ss))
    return None


def parse_retry_after(
    value: str | bytes | None, now: float, max_delay: float = DEFAULT_MAX_RETRY_AFTER
) -> RetryAfter:
    """Parse a ``Retry-After`` header value received at *now*."""
    if value is None:
        return RetryAfter("absent", None)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = value.strip()
    if not text:
        return RetryAfter("absent", None)
    if text.isascii() and text.isdigit():
        if len(text.lstrip("0")) > _MAX_DIGITS:
            return RetryAfter("too-large", float("inf"))
        seconds = float(int(text))
        if seconds == 0:
            return RetryAfter("past", 0.0)
        if seconds > max_delay:
            return RetryAfter("too-large", seconds)
        return RetryAfter("seconds", seconds)
    when = parse_http_date(text, now)
    if when is None:
        return RetryAfter("invalid", None)
    delay = when - now
    if delay <= 0:
        return RetryAfter("past", 0.0)
    if delay > max_delay:
        return RetryAfter("too-large", delay)
    return RetryAfter("date", delay)


def retry_after_seconds(values: Iterable[str | bytes], now: float) -> float | None:
    """Seconds to wait from the first of repeated ``Retry-After`` *values* that says a time, or ``None``.

    A past date or ``0`` is ``0.0``; a value past the 24 h cap keeps its delay (the caller caps
    it, ``inf`` for an absurd number of digits); garbage is skipped. For protocol-file fetches,
    whose back-off wins when longer (:func:`politecrawl.robots.outage.backoff`).
    """
    for value in values:
        delay = parse_retry_after(value, now).delay
        if delay is not None:
            return delay
    return None
