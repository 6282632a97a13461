"""AI-use lines of robots.txt that protego does not parse.

* ``Content-Usage: [path] usage-pref`` (draft-ietf-aipref-attach-05 §4,
  updating RFC 9309): path-scoped; the rules whose pattern matches a path
  with the longest pattern apply, and rules of equal length are combined
  restrictively (unlike Allow/Disallow, where a tie goes to allow). A rule
  without a path applies to every path (as ``/``, but shorter than any path).
* ``Content-Signal: [path] search=yes, ai-train=no`` (Cloudflare), scoped the
  same way.
* ``DisallowAITraining: <path>`` / ``AllowAITraining: <path>``
  (draft-canel-robots-ai-control-00): longest match wins, a tie goes to allow,
  as for Allow/Disallow.

Groups follow RFC 9309 §2.1: consecutive ``User-agent`` lines open a group;
the groups naming our product token (case-insensitively) apply, else those of
``*``; several groups for the same agent are merged. Lines before the first
group (seen in the wild for ``Content-Signal``) apply to every group.
Directive names are case-insensitive; values (paths, Content-Usage keys) are
not. Rule order carries no meaning; ``#`` starts a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .aipref import parse_content_signal, parse_content_usage, signal_reservation, usage_reservation
from .patterns import pattern_matches
from .purposes import AI_TRAINING, Reservation

__all__ = ["RobotsSignals", "parse_robots_signals"]

_KNOWN = {"content-usage", "content-signal", "disallowaitraining", "allowaitraining"}


@dataclass(frozen=True)
class _Rule:
    kind: str  # one of _KNOWN
    path: str | None  # None: every path
    value: str  # the preference text (after the path), or the path for *AITraining
    line: str  # the raw line, kept as evidence


@dataclass
class RobotsSignals:
    """The AI-use rules of one robots.txt that apply to our product token."""

    rules: list[_Rule] = field(default_factory=list)

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


def _split_path(value: str) -> tuple[str | None, str]:
    first, _, rest = value.partition(" ")
    if first.startswith(("/", "*")):
        return first, rest.strip()
    return None, value


def parse_robots_signals(text: str, product_token: str) -> RobotsSignals:
    """The AI-use rules of robots.txt *text* for *product_token*."""
    token = product_token.strip().lower()
    global_rules: list[_Rule] = []
    groups: list[tuple[set[str], list[_Rule]]] = []
    agents: set[str] | None = None  # the user agents of the group being read
    rules: list[_Rule] = []
    in_agent_lines = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = " ".join(value.split())
        if name in ("user-agent", "useragent", "user agent"):
            if not in_agent_lines:
                agents, rules = set(), []
                groups.append((agents, rules))
                in_agent_lines = True
            assert agents is not None
            agents.add(value.lower())
            continue
        in_agent_lines = False
        if name not in _KNOWN:
            continue
        if name in ("content-usage", "content-signal"):
            path, pref = _split_path(value)
            rule = _Rule(name, path, pref, raw.strip())
        else:
            rule = _Rule(name, None, value, raw.strip())
        (rules if agents is not None else global_rules).append(rule)
    mine = [r for ags, rs in groups if token in ags for r in rs]
    if not any(token in ags for ags, _ in groups):
        mine = [r for ags, rs in groups if "*" in ags for r in rs]
    return RobotsSignals(global_rules + mine)
