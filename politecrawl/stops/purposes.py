"""Crawl purposes and the reservations that apply to each.

``POLITECRAWL_PURPOSE`` says what the collected content is for:

``search``
    building a search index that links back to the source pages.
``research`` (default)
    text and data mining: automated analysis of the content to find
    patterns, trends and correlations (DSM Directive 2019/790 Art. 2(2)),
    without training a generative model on it.
``ai-training``
    training or fine-tuning AI models on the content.

Which signal reserves what (the purpose matrix; see docs/stops.md):

=====================================================  =======  ========  ===========
signal                                                  search   research  ai-training
=====================================================  =======  ========  ===========
TDMRep ``tdm-reservation: 1`` (file, header, meta)                 ✔         ✔
aipref ``train-ai=n`` (and legacy ``train-genai``,                           ✔
``genai``, ``ai``)
aipref ``search=n``                                      ✔
aipref legacy ``tdm=n``                                            ✔         ✔
aipref legacy ``all=n`` / ``bots=n``                     ✔         ✔         ✔
Cloudflare ``Content-Signal: ai-train=no``                                   ✔
Cloudflare ``Content-Signal: search=no``                 ✔
``X-Robots-Tag`` / meta robots ``noai``                                      ✔
``noimageai`` (image responses only)                                         ✔
``DisallowAITraining`` in robots.txt                                         ✔
=====================================================  =======  ========  ===========

Why TDM reservations do not bind ``search``: indexing pages to link back to
them is not text and data mining in the DSM sense (it produces no analysis of
the works), and the TDMRep report describes the protocol as governing TDM use,
not access. ``ai-input`` / ``ai-use`` / ``inference`` / ``ai-output`` (use of
content as input to a model at answer time) bind none of the three purposes
above; they are parsed and ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DEFAULT_PURPOSE", "Purpose", "Reservation", "parse_purpose", "reservations_for"]


class Purpose(str, enum.Enum):
    SEARCH = "search"
    RESEARCH = "research"
    AI_TRAINING = "ai-training"

    def __str__(self) -> str:
        return self.value


DEFAULT_PURPOSE = Purpose.RESEARCH

TDM = frozenset({Purpose.RESEARCH, Purpose.AI_TRAINING})
AI_TRAINING = frozenset({Purpose.AI_TRAINING})
SEARCH = frozenset({Purpose.SEARCH})
ALL = frozenset(Purpose)


def parse_purpose(value: object, setting: str = "POLITECRAWL_PURPOSE") -> Purpose:
    """The :class:`Purpose` named by a setting value; a bad value raises ``ValueError``."""
    if value is None or value == "":
        return DEFAULT_PURPOSE
    text = str(value).strip().lower()
    for purpose in Purpose:
        if purpose.value == text:
            return purpose
    choices = ", ".join(p.value for p in Purpose)
    raise ValueError(f"{setting} ({value!r}) must be one of: {choices}")


@dataclass(frozen=True)
class Reservation:
    """A signal that reserves some purposes, with where it came from.

    *source* is a short fixed name (``tdmrep.json``, ``tdm-reservation-header``,
    ``tdm-reservation-meta``, ``content-usage-header``, ``content-usage-robots``,
    ``content-signal-robots``, ``x-robots-tag``, ``meta-robots``,
    ``disallow-ai-training``); *detail* is the raw signal (a header value,
    a robots.txt line, a file rule) kept as evidence.
    """

    purposes: frozenset[Purpose]
    source: str
    detail: str = ""

    def applies_to(self, purpose: Purpose) -> bool:
        return purpose in self.purposes


def reservations_for(purpose: Purpose, reservations: Iterable[Reservation]) -> list[Reservation]:
    """The reservations among *reservations* that bind *purpose*."""
    return [r for r in reservations if r.applies_to(purpose)]
