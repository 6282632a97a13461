"""What the AI-use lines of a robots.txt reserve, path by path.

The lines are read by the robots package (:func:`politecrawl.robots.ai_use.ai_use_lines`,
the one reader of robots.txt); this module consumes them:

* ``Content-Usage`` and ``Content-Signal`` are path-scoped: the rules whose
  pattern matches a path with the longest pattern apply, and rules of equal
  length are combined restrictively (unlike Allow/Disallow, where a tie goes to
  allow). A rule without a path applies to every path (as ``/``, but shorter
  than any path). Their values are read by :mod:`.aipref`.
* ``DisallowAITraining`` / ``AllowAITraining``: longest match wins, a tie goes
  to allow, as for Allow/Disallow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..robots.ai_use import AIUseLine, ai_use_lines
from .aipref import parse_content_signal, parse_content_usage, signal_reservation, usage_reservation
from .patterns import pattern_matches
from .purposes import AI_TRAINING, Reservation

__all__ = ["RobotsSignals", "parse_robots_signals"]

_Rule = AIUseLine


@dataclass
class RobotsSignals:
    """The AI-use rules of one robots.txt that apply to our product token."""

    rules: Sequence[AIUseLine] = field(default_factory=tuple)

    def reservations(self, path: str) -> list[Reservation]:
        """Reservations these rules put on *path* (path + query, starting with ``/``)."""
        found: list[Reservation] = []
        for kind, source, parse, to_res in (
            ("content-usage", "content-usage-robots", parse_content_usage, usage_reservation),
            ("content-signal", "content-signal-robots", parse_content_signal, signal_reservation),
        ):
            matched = self._longest(kind, path)
            for rule in matched:
                res = to_res(parse(rule.value), source, rule.line)  # type: ignore[operator]
                if res is not None:
                    found.append(res)
        ai = self._ai_training(path)
        if ai is not None:
            found.append(ai)
        return found

    def _longest(self, kind: str, path: str) -> list[_Rule]:
        best = -1
        chosen: list[_Rule] = []
        for rule in self.rules:
            if rule.kind != kind:
                continue
            length = 0 if rule.path is None else len(rule.path)
            if rule.path is not None and not pattern_matches(rule.path, path):
                continue
            if length > best:
                best, chosen = length, [rule]
            elif length == best:
                chosen.append(rule)
        return chosen

    def _ai_training(self, path: str) -> Reservation | None:
        best_len, best_rule = -1, None
        for rule in self.rules:
            if rule.kind not in ("disallowaitraining", "allowaitraining") or not rule.value:
                continue
            if not pattern_matches(rule.value, path):
                continue
            length = len(rule.value)
            tie_to_allow = length == best_len and rule.kind == "allowaitraining"
            if length > best_len or tie_to_allow:
                best_len, best_rule = length, rule
        if best_rule is None or best_rule.kind == "allowaitraining":
            return None
        return Reservation(AI_TRAINING, "disallow-ai-training", best_rule.line)



def parse_robots_signals(text: str, product_token: str) -> RobotsSignals:
    """The AI-use rules of robots.txt *text* for *product_token* (read by :mod:`politecrawl.robots.ai_use`)."""
    return RobotsSignals(ai_use_lines(text, product_token))
