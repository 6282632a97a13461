"""The AI-use lines of a robots.txt that address one product token (protego does not read them).

* ``Content-Usage: [path] usage-pref`` (draft-ietf-aipref-attach-05 §4,
  updating RFC 9309);
* ``Content-Signal: [path] search=yes, ai-train=no`` (Cloudflare);
* ``DisallowAITraining: <path>`` / ``AllowAITraining: <path>``
  (draft-canel-robots-ai-control-00).

Groups follow RFC 9309 §2.1: consecutive ``User-agent`` lines open a group;
the groups naming our product token (case-insensitively) apply, else those of
``*``; several groups for the same agent are merged. Lines before the first
group (seen in the wild for ``Content-Signal``) apply to every group.
Directive names are case-insensitive; values (paths, preferences) are not.
``#`` starts a comment. What the lines reserve for which purpose is
:mod:`politecrawl.stops.robots_signals`, which consumes this answer.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["AI_USE_FIELDS", "AIUseLine", "ai_use_lines"]

AI_USE_FIELDS = frozenset({"content-usage", "content-signal", "disallowaitraining", "allowaitraining"})


class AIUseLine(NamedTuple):
    """One AI-use line: its field (lower case), its path (``None``: every path), its value (the
    preference after the path, or the path of ``*AITraining``), and the raw line (evidence)."""

    kind: str
    path: str | None
    value: str
    line: str


def _split_path(value: str) -> tuple[str | None, str]:
    first, _, rest = value.partition(" ")
    if first.startswith(("/", "*")):
        return first, rest.strip()
    return None, value


def ai_use_lines(text: str, product_token: str) -> tuple[AIUseLine, ...]:
    """The AI-use lines of robots.txt *text* for *product_token*: the lines before any group, then
    those of the groups naming the token (else of ``*``)."""
    token = product_token.strip().lower()
    global_lines: list[AIUseLine] = []
    groups: list[tuple[set[str], list[AIUseLine]]] = []
    agents: set[str] | None = None  # the user agents of the group being read
    lines: list[AIUseLine] = []
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
                agents, lines = set(), []
                groups.append((agents, lines))
                in_agent_lines = True
            assert agents is not None
            agents.add(value.lower())
            continue
        in_agent_lines = False
        if name not in AI_USE_FIELDS:
            continue
        if name in ("content-usage", "content-signal"):
            path, pref = _split_path(value)
            found = AIUseLine(name, path, pref, raw.strip())
        else:
            found = AIUseLine(name, None, value, raw.strip())
        (lines if agents is not None else global_lines).append(found)
    mine = [r for ags, rs in groups if token in ags for r in rs]
    if not any(token in ags for ags, _ in groups):
        mine = [r for ags, rs in groups if "*" in ags for r in rs]
    return tuple(global_lines + mine)
