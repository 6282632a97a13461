"""May a request go now? One answer per request, from every limit politecrawl honours.

:class:`Admission` is asked when a request leaves the frontier
(:meth:`Admission.admit`) and, if the request then waits before it is sent
(its send time, a robots.txt fetch it waits for), once more
(:meth:`Admission.before_send`). Its answer covers:

* the site's stop and pause, the origin's minimum interval and visit window,
  and the site's traffic budget (through the :class:`~politecrawl.pacing.Pacer`);
* the gate answers already known before fetching (:class:`KnownAnswers`: the
  origin's robots.txt rules, the purpose reservations), asked *before* a
  budget token is taken, so a request our own gates refuse takes no token and
  no turn of the pace;
* whether a local cache will answer the request (the caller says so): such a
  request never reaches the site and takes no token and no turn of the pace.

The answer travels with the request; the gates read it instead of asking again.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Protocol

from .pacing import Pacer, SiteStop

__all__ = ["GO", "LOCAL", "REFUSED", "STOPPED", "WAIT", "Admission", "Answer", "GateAnswer", "KnownAnswers"]

GO, WAIT, STOPPED, REFUSED, LOCAL = "go", "wait", "stopped", "refused", "local"


class GateAnswer(NamedTuple):
    """What one gate already knows about a URL: allowed or not, why, and what it records."""

    allowed: bool
    reason: str = ""
    detail: Any = None


class Answer(NamedTuple):
    """The admission decision for one request.

    ``kind`` is :data:`GO` (a budget token and the pace turn were taken),
    :data:`WAIT` (``wait`` seconds; nothing taken), :data:`STOPPED` (``stop``),
    :data:`REFUSED` (by the known answer of the gate ``refused_by``; nothing
    taken) or :data:`LOCAL` (a local cache answers it: nothing taken). ``gates`` holds the known gate answers, by gate name.
    """

    kind: str
    wait: float = 0.0
    stop: SiteStop | None = None
    refused_by: str = ""
    gates: dict[str, GateAnswer] | None = None

    def gate(self, name: str) -> GateAnswer | None:
        """The known answer of gate *name*, or ``None`` if it was not known at admission."""
        return None if self.gates is None else self.gates.get(name)


class KnownAnswers(Protocol):
    """A gate's answers that are known before fetching (robots rules, reservations)."""

    name: str

    def known_answer(self, origin: str, url: str, now: float) -> GateAnswer | None:
        """The gate's answer for *url* of *origin*, or ``None`` if not known yet."""


_UNKNOWN_SITE_STOP = SiteStop("", "stop", "")


class Admission:
    """The one place that decides whether a request to a site and origin may go now."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self._gates: list[KnownAnswers] = []

    def add_gate(self, gate: KnownAnswers) -> None:
        """Consult *gate*'s known answers at admission (in the order the gates run)."""
        self._gates.append(gate)

    def known_answers(self, origin: str, url: str, now: float) -> tuple[dict[str, GateAnswer] | None, str]:
        """The gates' known answers for *url*, and the name of the first that refuses (or ``""``)."""
        answers: dict[str, GateAnswer] | None = None
        for gate in self._gates:
            answer = gate.known_answer(origin, url, now)
            if answer is None:
                continue
            if answers is None:
                answers = {}
            answers[gate.name] = answer
            if not answer.allowed:
                return answers, gate.name
        return answers, ""

    def admit(self, site: str, origin: str, url: str | None, now: float, *, local: bool = False) -> Answer:
        """Asked when a request to *url* (``None``: a protocol-file fetch) leaves the frontier.

        A stopped site: :data:`STOPPED`. A URL a gate already refuses:
        :data:`REFUSED`, with no token and no pace turn taken. A request a local
        cache answers (*local*): :data:`LOCAL`, nothing taken. Otherwise the
        pacer decides; :data:`GO` means a token and the turn were taken.
        """
        stop = self.pacer.stopped(site)
        if stop is not None:
            return Answer(STOPPED, math.inf, stop)
        gates: dict[str, GateAnswer] | None = None
        if url is not None and self._gates:
            gates, refused_by = self.known_answers(origin, url, now)
            if refused_by:
                return Answer(REFUSED, refused_by=refused_by, gates=gates)
        if local:
            return Answer(LOCAL, gates=gates)
        wait = self.pacer.acquire(site, origin, now)
        if wait == 0.0:
            return Answer(GO, gates=gates)
        if math.isinf(wait):
            return Answer(STOPPED, math.inf, self.pacer.stopped(site) or _UNKNOWN_SITE_STOP)
        return Answer(WAIT, wait)

    def before_send(self, site: str, now: float) -> Answer:
        """Asked once more for an admitted request that waited before its send: may it still go?

        :data:`STOPPED` if the site was stopped meanwhile, :data:`WAIT` (until
        the pause ends) if it was paused meanwhile, else :data:`GO` (nothing
        more is taken: the request already has its turn).
        """
        stop = self.pacer.stopped(site)
        if stop is not None:
            return Answer(STOPPED, math.inf, stop)
        paused_until = self.pacer.paused_until(site)
        if paused_until > now:
            return Answer(WAIT, paused_until - now)
        return Answer(GO)
