"""What is in force for one origin: its robots.txt record, the rules it gives, and the pace they set."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import RobotsConfig
from .record import UNREACHABLE, RobotsRecord
from .rules import RobotsRules

__all__ = ["OriginRules", "robots_url"]


def robots_url(origin: str) -> str:
    """``scheme://host[:port]/robots.txt`` of an origin key, default port left out."""
    parts = urlsplit(origin)
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.netloc if parts.port != default else parts.netloc.rsplit(":", 1)[0]
    return f"{parts.scheme}://{netloc}/robots.txt"


@dataclass
class OriginRules:
    """An origin's record and the rules in force from it; ``skip`` says why the origin is skipped."""

    record: RobotsRecord
    rules: RobotsRules
    rules_key: tuple[str, float]
    skip: str | None
    paced: bool

    def current(self, now: float, config: RobotsConfig) -> bool:
        """Still in force at *now*: the record has not expired and gives the same rules.

        Only an unreachable record with a last good copy gives rules that change with
        time; any other record's rules are fixed until it expires (checked per request
        without building a key).
        """
        record = self.record
        if now >= record.expires_at:
            return False
        if record.kind != UNREACHABLE or record.last_good is None:
            return True
        return self.rules_key == record.rules_key(now, config)
