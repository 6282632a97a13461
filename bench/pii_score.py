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
    # The text's language, when the corpus writes one language a text (corpus 4); `confusion` then counts by it.
    lang: str | None = None

    def append(self, sep: str, text: str, labels: list[tuple[int, int, str]],
               negatives: list[tuple[int, int, str]]) -> None:
        """Add *text* after *sep*, its labels and negatives moved to where it lands."""
        base = len(self.text) + len(sep)
        self.text += sep + text
        self.labels += [(s + base, e + base, k) for s, e, k in labels]
        self.negatives += [(s + base, e + base, k) for s, e, k in negatives]


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


def detect_all(tool, corpus: list[Text]) -> list[list[tuple[int, int, str]]]:
    found = []
    for t in corpus:
        try:
            found.append(tool.detect(t.text))
        except Exception:  # noqa: BLE001 - an unscannable text counts as no detection here
            found.append([])
    return found


def score(tool, corpus: list[Text], found: list[list[tuple[int, int, str]]] | None = None) -> dict:
    if found is None:
        found = detect_all(tool, corpus)
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


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


# How close (in characters) a detection that overlaps nothing must come to a label to count as "beside" it: a cut
# at the wrong place (a name's first half labelled, its second half found) rather than a span no label explains.
BESIDE = 2


def script_of(piece: str) -> str:
    """The script most of a span's letters are written in: latin, han, kana, hangul or other (none: no letter)."""
    n = Counter()
    for ch in piece:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
            n["kana"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
            n["han"] += 1
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            n["hangul"] += 1
        elif ch.isalpha():
            n["latin" if o < 0x250 or 0x1E00 <= o <= 0x1EFF else "other"] += 1
    return max(n, key=lambda k: (n[k], k)) if n else "none"


def confusion(corpus: list[Text], found: list[list[tuple[int, int, str]]]) -> dict:
    """Aggregate counts of where detections and labels meet, beyond score()'s same-type overlap (counts only: no
    text, value or position leaves this function).

    Each detection falls in exactly one class, tried in this order: it overlaps a label of its own type ("same";
    "exact" when it has that label's bounds), a label of another type only ("label:<type>", the type it overlaps
    most), a hard negative only ("negative:<kind>"), or nothing ("beside:<type>" when within BESIDE characters of
    a label, the nearest one's type; else "nothing").  Each label: covered by a detection of its own type
    ("same", "exact" as above), by another type only ("by:<type>", the type covering most), or not at all.
    Type-agnostic: a label is removed when any detection overlaps it; a detection removes a personal value when
    it overlaps any label.  With `Text.lang` set, the same counts by language.  Detections in "nothing" are also
    counted by the script of their span (`script_of`), which tells the finders apart without showing a text."""
    det: dict[str, Counter] = {}
    lab: dict[str, Counter] = {}
    removed = Counter()  # labels, labels_removed, dets, dets_on_label
    by_lang: dict[str, Counter] = {}
    nothing_script: dict[str, Counter] = {}
    for t, ds in zip(corpus, found):
        lc = by_lang.setdefault(t.lang, Counter()) if t.lang is not None else Counter()
        lc["texts"] += 1
        for d in ds:
            c = det.setdefault(d[2], Counter())
            c["total"] += 1
            lc["dets"] += 1
            on = [lb for lb in t.labels if overlaps(d, lb)]
            removed["dets"] += 1
            removed["dets_on_label"] += bool(on)
            same = [lb for lb in on if lb[2] == d[2]]
            if same:
                c["same"] += 1
                c["exact"] += any(lb[0] == d[0] and lb[1] == d[1] for lb in same)
                lc["dets_same"] += 1
                continue
            if on:
                c["label:" + max(on, key=lambda lb: (_overlap(d, lb), lb[2]))[2]] += 1
                lc["dets_other_type"] += 1
                continue
            negs = [n for n in t.negatives if overlaps(d, n)]
            if negs:
                c["negative:" + max(negs, key=lambda n: (_overlap(d, n), n[2]))[2]] += 1
                lc["dets_negative"] += 1
                continue
            near = [lb for lb in t.labels if -_overlap(d, lb) <= BESIDE]
            if near:
                c["beside:" + min(near, key=lambda lb: (-_overlap(d, lb), lb[2]))[2]] += 1
                lc["dets_beside"] += 1
            else:
                c["nothing"] += 1
                lc["dets_nothing"] += 1
                nothing_script.setdefault(d[2], Counter())[script_of(t.text[d[0] : d[1]])] += 1
        for lb in t.labels:
            c = lab.setdefault(lb[2], Counter())
            c["total"] += 1
            lc["labels"] += 1
            on = [d for d in ds if overlaps(d, lb)]
            removed["labels"] += 1
            removed["labels_removed"] += bool(on)
            same = [d for d in on if d[2] == lb[2]]
            if same:
                c["same"] += 1
                c["exact"] += any(d[0] == lb[0] and d[1] == lb[1] for d in same)
                lc["labels_same"] += 1
            elif on:
                c["by:" + max(on, key=lambda d: (_overlap(d, lb), d[2]))[2]] += 1
                lc["labels_other_type"] += 1
            else:
                c["missed"] += 1
                lc["labels_missed"] += 1
    return {"dets": det, "labels": lab, "removed": removed, "by_lang": by_lang, "nothing_script": nothing_script}


def _ratio(a: int, b: int) -> str:
    return fmt(a / b if b else None)


def confusion_lines(c: dict) -> list[str]:
    """confusion()'s counts as markdown lines (counts and ratios only)."""
    out = ["", "Detections by what they overlap (same = a label of their type, exact = with its bounds; "
               "label:T = a label of type T only; negative:K = a hard negative only; beside:T = within "
               f"{BESIDE} characters of a type-T label):"]
    for typ in sorted(c["dets"], key=lambda k: (k not in TYPES, TYPES.index(k) if k in TYPES else 0, k)):
        cnt = c["dets"][typ]
        rest = sorted(((k, v) for k, v in cnt.items() if k not in ("total", "same", "exact")),
                      key=lambda kv: (-kv[1], kv[0]))
        out.append(f"- {typ}: {cnt['total']} detections: same {cnt['same']} (exact {cnt['exact']})"
                   + "".join(f", {k} {v}" for k, v in rest))
    out += ["", "Labels by what covers them (by:T = a detection of type T only):"]
    for typ in sorted(c["labels"], key=lambda k: (k not in TYPES, TYPES.index(k) if k in TYPES else 0, k)):
        cnt = c["labels"][typ]
        rest = sorted(((k, v) for k, v in cnt.items() if k.startswith("by:")), key=lambda kv: (-kv[1], kv[0]))
        out.append(f"- {typ}: {cnt['total']} labels: same {cnt['same']} (exact {cnt['exact']})"
                   + "".join(f", {k} {v}" for k, v in rest) + f", missed {cnt['missed']}")
    r = c["removed"]
    out += ["", f"Personal value removed, any type: recall {_ratio(r['labels_removed'], r['labels'])} "
                f"({r['labels_removed']}/{r['labels']} labels), precision {_ratio(r['dets_on_label'], r['dets'])} "
                f"({r['dets_on_label']}/{r['dets']} detections)"]
    if c["nothing_script"]:
        out += ["", "Detections overlapping nothing, by the script of the span (counts): " + "; ".join(
            f"{typ}: " + ", ".join(f"{k} {v}" for k, v in sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0])))
            for typ, cnt in sorted(c["nothing_script"].items()))]
    if c["by_lang"]:
        out += ["", "By language (counts): texts; labels same / other type / missed; "
                    "detections same / other type / negative / beside / nothing:"]
        for lang, lc in sorted(c["by_lang"].items()):
            out.append(f"- {lang}: {lc['texts']} texts; {lc['labels']} labels {lc['labels_same']} / "
                       f"{lc['labels_other_type']} / {lc['labels_missed']}; {lc['dets']} detections "
                       f"{lc['dets_same']} / {lc['dets_other_type']} / {lc['dets_negative']} / "
                       f"{lc['dets_beside']} / {lc['dets_nothing']}")
    return out


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
           extra: Callable[[int, list[Text]], list[str]] | None = None, confusion_of: bool = False) -> str:
    """One seed's markdown table: accuracy per type, hard negatives touched, interleaved speed; `extra` adds
    lines (probes of one corpus); `confusion_of` adds the first tool's confusion() counts."""
    corpus = corpus_cls(seed).make(n)
    nlab = sum(len(t.labels) for t in corpus)
    nneg = sum(len(t.negatives) for t in corpus)
    lines = [f"### seed {seed}: {n} texts, {nlab} personal values, {nneg} hard negatives", "",
             "| tool | " + " | ".join(f"{t} P/R" for t in TYPES)
             + " | overall P/R | hard negatives touched | texts/s |",
             "|---" * (len(TYPES) + 4) + "|"]
    touched_detail = []
    per_run = speeds(tools, corpus, runs)
    median_tps = [statistics.median(r[i] for r in per_run) if per_run else None for i in range(len(tools))]
    confusion_detail: list[str] = []
    for tool, tps in zip(tools, median_tps):
        found = detect_all(tool, corpus)
        s = score(tool, corpus, found)
        if confusion_of and not confusion_detail:
            confusion_detail = ["", f"Confusion ({tool.name}):"] + confusion_lines(confusion(corpus, found))
        cells = []
        for typ in TYPES:
            p = s["good"][typ] / s["dets"][typ] if s["dets"][typ] else None
            r = s["hits"][typ] / s["labels"][typ] if s["labels"][typ] else None
            cells.append(f"{fmt(p)}/{fmt(r)}")
        overall = sum(s["good"].values()) / max(1, sum(s["dets"].values()))
        overall_r = sum(s["hits"].values()) / max(1, sum(s["labels"].values()))
        neg = sum(s["touched"].values()) / max(1, s["negatives"])
        lines.append(f"| {tool.name} | " + " | ".join(cells)
                     + f" | {overall:.3f}/{overall_r:.3f} | {neg:.2%} | {'—' if tps is None else f'{tps:,.0f}'} |")
        touched_detail.append(f"{tool.name}: " + (", ".join(f"{k} {v}" for k, v in s["touched"].most_common())
                                                 or "none"))
    lines += ["", "Hard negatives touched, by kind: " + "; ".join(touched_detail)]
    if len(tools) > 1 and per_run:
        ratios = [r[0] / r[1] for r in per_run]
        lines.append(f"Speed ratio {tools[0].name} / {tools[1].name}: median {statistics.median(ratios):.2f}x over "
                     f"{runs} interleaved run(s) (each: " + ", ".join(f"{x:.2f}x" for x in ratios) + ")")
    lines += confusion_detail
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
    ap.add_argument("--runs", type=int, default=3,
                    help="interleaved timing runs per seed (median reported; 0: no timing)")
    ap.add_argument("--confusion", action="store_true",
                    help="also print, for politecrawl.pii, what each detection and label overlaps (counts only)")
    args = ap.parse_args()
    tools: list = [PoliteTool()]
    if not args.no_presidio:
        tools.append(PresidioTool())
    for seed in args.seed or default_seeds:
        print(report(seed, args.texts, tools, args.runs, corpus_cls, extra, args.confusion), flush=True)
