"""A ``SCHEDULER`` for tests: the cluster scheduler that says, for each lease it acknowledges, whether
the fetch-history record of the URL the lease was granted for is in Redis at that moment.

It watches the frontier's round trips from outside (the URL of each popped request by its lease id,
the ``acks`` of each exchange), so it judges any version of the scheduler the same way. Its log lines:
``ack-probe recorded <url>`` / ``ack-probe unrecorded <url>``.
"""

from __future__ import annotations

import logging
from typing import Any

from politecrawl.middlewares.frontier.cluster import ClusterScheduler
from politecrawl.recrawl.history import fingerprint, url_key

logger = logging.getLogger("politecrawl.ack_probe")


class AckProbeScheduler(ClusterScheduler):
    def open(self, spider: Any) -> Any:
        opened = super().open(spider)
        exchange = self.frontier.exchange
        urls: dict[str, str] = {}
        prefix = self.runtime.store.prefix

        def probed(pushes: Any, pop: int, now: float, **kwargs: Any) -> Any:
            for lease in dict.fromkeys(kwargs.get("acks") or ()):
                url = urls.pop(lease, None)
                if url is not None:
                    there = self.server.exists(prefix + url_key(fingerprint(url)))
                    logger.info("ack-probe %s %s", "recorded" if there else "unrecorded", url)
            result = exchange(pushes, pop, now, **kwargs)
            for popped in result.popped:
                if popped.lease:
                    urls[popped.lease] = self.queue.decode(popped.data).url
            return result

        self.frontier.exchange = probed
        return opened
