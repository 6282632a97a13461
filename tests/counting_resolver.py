"""A TWISTED_DNS_RESOLVER for tests: Scrapy's default caching resolver, counting the lookups that
miss its DNS cache (real lookups), printed to standard error when the process ends."""

from __future__ import annotations

import atexit
import json
import sys
from collections import Counter

from scrapy.resolver import CachingThreadedResolver, dnscache

LOOKUPS: Counter[str] = Counter()


class CountingResolver(CachingThreadedResolver):
    def getHostByName(self, name, timeout=()):  # noqa: N802 - Twisted's name
        if name not in dnscache:
            LOOKUPS[name] += 1
        return super().getHostByName(name, timeout)


atexit.register(lambda: print(f"LOOKUPS {json.dumps(LOOKUPS, sort_keys=True)}", file=sys.stderr))
