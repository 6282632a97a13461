"""Admission: the one answer to "may this request go now", in process with a fake clock."""

from __future__ import annotations

import math

from politecrawl.admission import GO, LOCAL, REFUSED, STOPPED, WAIT, Admission, GateAnswer
from politecrawl.pacing import Pacer

SITE, ORIGIN = "shop.com", "https://shop.com:443"


class Budget:
    def __init__(self, wait: float = 0.0) -> None:
        self.wait = wait
        self.taken = 0

    def acquire(self, site: str, now: float) -> float:
        if self.wait:
            return self.wait
        self.taken += 1
        return 0.0

    def ready_at(self, site: str, now: float) -> float:
        return now + self.wait


class Gate:
    def __init__(self, name: str, refuse: str = "", known: bool = True) -> None:
        self.name, self.refuse, self.known = name, refuse, known
        self.asked = 0

    def known_answer(self, origin: str, url: str, now: float) -> GateAnswer | None:
        self.asked += 1
        if not self.known:
            return None
        return GateAnswer(False, "disallowed") if self.refuse and self.refuse in url else GateAnswer(True)


def admission(budget: Budget, *gates: Gate) -> Admission:
    adm = Admission(Pacer(budget))
    for gate in gates:
        adm.add_gate(gate)
    return adm


def test_go_takes_a_token_and_carries_the_known_answers():
    budget = Budget()
    adm = admission(budget, Gate("robots"), Gate("reservations", known=False))
    answer = adm.admit(SITE, ORIGIN, "https://shop.com/a", 100.0)
    assert answer.kind == GO and budget.taken == 1
    assert answer.gate("robots") == GateAnswer(True)
    assert answer.gate("reservations") is None  # not known: that gate decides itself


def test_a_known_refusal_takes_no_token_and_no_pace_turn():
    budget = Budget()
    robots, reservations = Gate("robots", refuse="/private"), Gate("reservations", refuse="/")
    adm = admission(budget, robots, reservations)
    adm.pacer.set_min_interval(ORIGIN, 10.0, "robots")
    answer = adm.admit(SITE, ORIGIN, "https://shop.com/private/x", 100.0)
    assert answer.kind == REFUSED and answer.refused_by == "robots"
    assert reservations.asked == 0  # the first refusal decides, as the gates run in order
    assert budget.taken == 0
    assert adm.admit(SITE, ORIGIN, "https://shop.com/private/y", 100.0).kind == REFUSED
    # the pace turn is untouched: an allowed page of another gate's answer goes now
    adm2 = admission(budget, Gate("robots", refuse="/private"))
    adm2.pacer.set_min_interval(ORIGIN, 10.0, "robots")
    assert adm2.admit(SITE, ORIGIN, "https://shop.com/private/x", 100.0).kind == REFUSED
    assert adm2.admit(SITE, ORIGIN, "https://shop.com/a", 100.0).kind == GO
    waits = adm2.admit(SITE, ORIGIN, "https://shop.com/b", 100.0)  # /a took the turn
    assert waits.kind == WAIT and waits.wait == 10.0


def test_waits_and_stops():
    budget = Budget(wait=3.0)
    adm = admission(budget, Gate("robots"))
    answer = adm.admit(SITE, ORIGIN, "https://shop.com/a", 100.0)
    assert answer.kind == WAIT and answer.wait == 3.0 and budget.taken == 0
    adm.pacer.stop_site(SITE, "operator", "asked by mail")
    stopped = adm.admit(SITE, ORIGIN, "https://shop.com/a", 100.0)
    assert stopped.kind == STOPPED and stopped.stop.source == "operator" and math.isinf(stopped.wait)


def test_a_protocol_fetch_asks_no_gate():
    gate = Gate("robots", refuse="/")
    adm = admission(Budget(), gate)
    assert adm.admit(SITE, ORIGIN, None, 100.0).kind == GO and gate.asked == 0


def test_before_send_sees_stops_and_pauses_that_came_meanwhile():
    adm = admission(Budget())
    assert adm.before_send(SITE, 100.0).kind == GO
    adm.pacer.pause_site(SITE, 160.0, "retry-after")
    paused = adm.before_send(SITE, 100.0)
    assert paused.kind == WAIT and paused.wait == 60.0
    assert adm.before_send(SITE, 170.0).kind == GO
    adm.pacer.stop_site(SITE, "block", "challenge pages")
    assert adm.before_send(SITE, 170.0).kind == STOPPED


def test_a_request_a_local_cache_answers_takes_no_token_and_no_turn():
    budget = Budget()
    adm = admission(budget, Gate("robots", refuse="/private"))
    answer = adm.admit(SITE, ORIGIN, "https://shop.com/a", 100.0, local=True)
    assert answer.kind == LOCAL and budget.taken == 0 and answer.gate("robots").allowed
    assert adm.pacer.ready_at(SITE, ORIGIN, 100.0) == 100.0  # no turn of the pace either
    # a gate's refusal and a stop still come first
    assert adm.admit(SITE, ORIGIN, "https://shop.com/private", 100.0, local=True).kind == REFUSED
    adm.pacer.stop_site(SITE, "operator", "asked")
    assert adm.admit(SITE, ORIGIN, "https://shop.com/a", 100.0, local=True).kind == STOPPED
