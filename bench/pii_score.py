"""Scoring and timing shared by the personal-data corpora (bench/pii_bench.py, pii_dev.py, pii_holdout.py).

A label is recalled when a detection of the same type overlaps it; a detection is correct when it overlaps a label
of its type.  A hard negative is "touched" when any detection overlaps it.

Speed is texts/s of CPU time on one core, after a warm-up.  The tools take turns on the same 250-text chunks (the
order alternating chunk by chunk), so that load from other processes falls on both alike; this is repeated
`--runs` times and the median texts/s and the median ratio are reported.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# Presidio's e-mail recognizer calls tldextract, whose default extractor would fetch the Public Suffix List;
# an empty URL list keeps it on the bundled snapshot (as politecrawl.sites does).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from politecrawl.pii import Detector  # noqa: E402

TYPES = ("phone", "email", "cn_resident_id", "payment_card", "iban", "ip", "national_id", "person_name", "nickname",
         "user_id")


@dataclass
class Text:
    text: str
    labels: list[tuple[int, int, str]] = field(default_factory=list)
    negatives: list[tuple[int, int, str]] = field(default_factory=list)


# -------------------------------------------------------------------- tools

class PoliteTool:
    name = "politecrawl.pii"

    def __init__(self) -> None:
        self.detector = Detector()

    def detect(self, text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.type) for s in self.detector.find(text)]


class PresidioTool:
    name = "presidio pattern-only"
    MAP = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "payment_card", "IBAN_CODE": "iban",
           "IP_ADDRESS": "ip", "US_SSN": "national_id"}

    def __init__(self) -> None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine
        from presidio_analyzer.predefined_recognizers import PhoneRecognizer

        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        reg = RecognizerRegistry()
        reg.load_predefined_recognizers(languages=["en"])
        reg.remove_recognizer("SpacyRecognizer")
        reg.remove_recognizer("PhoneRecognizer")
        reg.add_recognizer(PhoneRecognizer(supported_regions=("CN", "US", "GB", "DE", "FR", "JP", "KR", "IN")))
        self.engine = AnalyzerEngine(registry=reg, nlp_engine=NoOpNlpEngine(models=[{"lang_code": "en",
                                                                                      "model_name": "none"}]),
                                     supported_languages=["en"])
        self.entities = list(self.MAP)

    def detect(self, text: str) -> list[tuple[int, int, str]]:
        return [(r.start, r.end, self.MAP[r.entity_type])
                for r in self.engine.analyze(text, language="en", entities=self.entities)]


# -------------------------------------------------------------------- scoring

def overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(tool, corpus: list[Text]) -> dict:
    found = []
    for t in corpus:
        try:
            found.append(tool.detect(t.text))
        except Exception:  # noqa: BLE001 - an unscannable text counts as no detection here
            found.append([])
    labels, hits, dets, good = Counter(), Counter(), Counter(), Counter()
    negatives, touched = 0, Counter()
    for t, det in zip(corpus, found):
        for lab in t.labels:
            labels[lab[2]] += 1
            hits[lab[2]] += any(d[2] == lab[2] and overlaps(d, lab) for d in det)
        for d in det:
            dets[d[2]] += 1
            good[d[2]] += any(d[2] == lab[2] and overlaps(d, lab) for lab in t.labels)
        for neg in t.negatives:
            negatives += 1
            if any(overlaps(d, neg) for d in det):
                touched[neg[2]] += 1
    return {"labels": labels, "hits": hits, "dets": dets, "good": good, "negatives": negatives,
            "touched": touched}


def _detect_all(tool, texts: list[str]) -> None:
    for text in texts:
        try:
            tool.detect(text)
        except Exception:  # noqa: BLE001 - timed like any other text
            pass


def speeds(tools: list, corpus: list[Text], runs: int, chunk: int = 250) -> list[list[float]]:
    """texts/s per run and tool; the tools alternate on each chunk, the first tool changing chunk by chunk."""
    texts = [t.text for t in corpus]
    for tool in tools:
        _detect_all(tool, texts[:200])  # warm-up (lazy metadata)
    out = []
    for run in range(runs):
        seconds = [0.0] * len(tools)
        for k, c in enumerate(range(0, len(texts), chunk)):
            part = texts[c : c + chunk]
            order = list(range(len(tools)))
            if (k + run) % 2:
                order.reverse()
            for i in order:
                t0 = time.process_time()
                _detect_all(tools[i], part)
                seconds[i] += time.process_time() - t0
        out.append([len(texts) / s for s in seconds])
    return out


def fmt(r: float | None) -> str:
    return "—" if r is None else f"{r:.3f}"


def report(seed: int, n: int, tools: list, runs: int, corpus_cls,
           extra: Callable[[int, list[Text]], list[str]] | None = None) -> str:
    """One seed's markdown table: accuracy per type, hard negatives touched, interleaved speed; `extra` adds
    lines (probes of one corpus)."""
    corpus = corpus_cls(seed).make(n)
    nlab = sum(len(t.labels) for t in corpus)
    nneg = sum(len(t.negatives) for t in corpus)
    lines = [f"### seed {seed}: {n} texts, {nlab} personal values, {nneg} hard negatives", "",
             "| tool | " + " | ".join(f"{t} P/R" for t in TYPES)
             + " | overall P/R | hard negatives touched | texts/s |",
             "|---" * (len(TYPES) + 4) + "|"]
    touched_detail = []
    per_run = speeds(tools, corpus, runs)
    median_tps = [statistics.median(r[i] for r in per_run) for i in range(len(tools))]
    for tool, tps in zip(tools, median_tps):
        s = score(tool, corpus)
        cells = []
        for typ in TYPES:
            p = s["good"][typ] / s["dets"][typ] if s["dets"][typ] else None
            r = s["hits"][typ] / s["labels"][typ] if s["labels"][typ] else None
            cells.append(f"{fmt(p)}/{fmt(r)}")
        overall = sum(s["good"].values()) / max(1, sum(s["dets"].values()))
        overall_r = sum(s["hits"].values()) / max(1, sum(s["labels"].values()))
        neg = sum(s["touched"].values()) / max(1, s["negatives"])
        lines.append(f"| {tool.name} | " + " | ".join(cells)
                     + f" | {overall:.3f}/{overall_r:.3f} | {neg:.2%} | {tps:,.0f} |")
        touched_detail.append(f"{tool.name}: " + (", ".join(f"{k} {v}" for k, v in s["touched"].most_common())
                                                 or "none"))
    lines += ["", "Hard negatives touched, by kind: " + "; ".join(touched_detail)]
    if len(tools) > 1:
        ratios = [r[0] / r[1] for r in per_run]
        lines.append(f"Speed ratio {tools[0].name} / {tools[1].name}: median {statistics.median(ratios):.2f}x over "
                     f"{runs} interleaved run(s) (each: " + ", ".join(f"{x:.2f}x" for x in ratios) + ")")
    if extra is not None:
        lines += extra(seed, corpus)
    lines.append("")
    return "\n".join(lines)


def main(corpus_cls, default_seeds: list[int], doc: str,
         extra: Callable[[int, list[Text]], list[str]] | None = None) -> None:
    """The command line every corpus script shares."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--seed", type=int, action="append",
                    help=f"corpus seed (repeatable; default {' and '.join(map(str, default_seeds))})")
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="interleaved timing runs per seed (median reported)")
    args = ap.parse_args()
    tools: list = [PoliteTool()]
    if not args.no_presidio:
        tools.append(PresidioTool())
    for seed in args.seed or default_seeds:
        print(report(seed, args.texts, tools, args.runs, corpus_cls, extra), flush=True)
