"""Where `Detector.find`'s time goes, per detector, on the tuned or the development corpus.  One measurement.

    pip install -e ".[bench]"
    taskset -c 0 python bench/pii_profile.py --corpus 1 --seed 1 --texts 3000
    taskset -c 0 python bench/pii_profile.py --corpus 3 --seed 21 --texts 3000

Prints, per text (the thread's CPU clock, after a warm-up of 300 texts):
- each detector's time, measured around its call (the wrapper adds ~1 us a call), and what is left (folding, the
  shape gates, the span set, the masked text);
- inside the phone finder: the matcher calls (`StrictMatcher`), the region pre-check, the rest (digit runs,
  windows), by replaying the finder's own inputs with each part answered from a memo in turn;
- a bound on what deciding in advance which detectors a text needs (a pre-scan) could save at best: the same
  texts with every call that finds nothing skipped (known from a first pass), against the detector as it is,
  interleaved.  Not run on the held-out corpus.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

import politecrawl.pii.detect as detect_mod  # noqa: E402
from politecrawl.pii import context, emails, network, patterns  # noqa: E402

CLOCK = time.thread_time_ns
# (module, function) of each detector `Detector.find` calls, as it names them.
DETECTORS = [(patterns, "find_cn_resident_ids"), (patterns, "find_isbns"), (network, "find_ips"),
             (detect_mod, "find_accounts"), (context, "find_url_ids"), (network, "find_ibans"),
             (patterns, "find_payment_cards"), (patterns, "find_national_ids"), (emails, "find_emails"),
             (detect_mod, "find_record_fields"), (detect_mod, "find_person_names")]


def _find_all(det, texts: list[str]) -> None:
    for t in texts:
        try:
            det.find(t)
        except Exception:  # noqa: BLE001 - an unscannable text is timed like any other
            pass


WARM = 300  # texts of the warm-up; `--warm`: all of them (jieba's and MeCab's run caches then hold every run, as in
# the timed runs of bench/pii_bench.py, which come after its scoring pass over the same texts)


def per_detector(texts: list[str]) -> list[str]:
    spent: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    originals = {name: getattr(mod, name) for mod, name in DETECTORS}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = CLOCK()
            out = list(fn(*args, **kwargs))
            spent[name] += CLOCK() - t0
            calls[name] += 1
            return out
        return wrapper

    det = detect_mod.Detector()
    _find_all(det, texts[:WARM])
    phone_find = det.phones.find
    try:
        for mod, name in DETECTORS:
            setattr(mod, name, timed(name, originals[name]))
        det.phones.find = timed("phones", phone_find)
        t0 = CLOCK()
        _find_all(det, texts)
        total = CLOCK() - t0
    finally:
        for mod, name in DETECTORS:
            setattr(mod, name, originals[name])
    n = len(texts)
    # The same texts with every detector answering nothing at once: what `find` costs around them.
    try:
        for mod, name in DETECTORS:
            setattr(mod, name, lambda *args, **kwargs: ())
        det.phones.find = lambda *args, **kwargs: ()
        t0 = CLOCK()
        _find_all(det, texts)
        bare = CLOCK() - t0
    finally:
        for mod, name in DETECTORS:
            setattr(mod, name, originals[name])
        det.phones.find = phone_find
    lines = [f"total {total / n / 1e3:.1f} us a text; with every detector stubbed out {bare / n / 1e3:.1f}", "", "| detector | us a text | calls |", "|---|---|---|"]
    for name, ns in spent.most_common():
        lines.append(f"| {name} | {ns / n / 1e3:.1f} | {calls[name]} |")
    lines.append(f"| the rest (folding, gates, span set, masks) | {(total - sum(spent.values())) / n / 1e3:.1f} | |")
    return lines


def phone_parts(texts: list[str]) -> list[str]:
    det = detect_mod.Detector()
    inputs: list[str] = []
    record = det.phones.find

    def rec(text, spend):
        inputs.append(text)
        return record(text, spend)

    det.phones.find = rec
    _find_all(det, texts)
    finder = detect_mod.Detector().phones
    match, regions = finder._match, finder._regions_for
    match_memo: dict = {}
    region_memo: dict = {}

    def memo_match(text, lo, hi, region, leniency):
        key = (text[lo:hi], lo, region, leniency)
        if key not in match_memo:
            match_memo[key] = match(text, lo, hi, region, leniency)
        return match_memo[key]

    def memo_regions(window, digits):
        if (window, digits) not in region_memo:
            region_memo[(window, digits)] = regions(window, digits)
        return region_memo[(window, digits)]

    def run() -> float:
        best = float("inf")
        for _ in range(3):
            t0 = CLOCK()
            for t in inputs:
                list(finder.find(t, lambda units: None))
            best = min(best, CLOCK() - t0)
        return best / len(texts) / 1e3

    full = run()
    finder._match = memo_match
    run()
    no_matcher = run()
    finder._regions_for = memo_regions
    run()
    neither = run()
    return [f"phone finder: {len(inputs)} calls, {full:.1f} us a text: matcher calls {full - no_matcher:.1f}, region "
            f"pre-check {no_matcher - neither:.1f}, digit runs and windows {neither:.1f} (best of 3)"]


def oracle(texts: list[str], runs: int, only: list[str] | None = None) -> list[str]:
    detectors = [(mod, name) for mod, name in DETECTORS if not only or name in only]
    originals = {name: getattr(mod, name) for mod, name in detectors}
    finds: dict[tuple[str, str], bool] = {}
    state = {"text": "", "mode": "record"}

    def gated(name, fn):
        def wrapper(*args, **kwargs):
            key = (name, state["text"])
            if state["mode"] == "record":
                out = list(fn(*args, **kwargs))
                finds[key] = finds.get(key, False) or bool(out)
                return out
            if state["mode"] == "oracle" and not finds.get(key, True):
                return ()
            return fn(*args, **kwargs)
        return wrapper

    def run(det, part, mode) -> None:
        state["mode"] = mode
        for t in part:
            state["text"] = t
            try:
                det.find(t)
            except Exception:  # noqa: BLE001
                pass

    det = detect_mod.Detector()
    try:
        for mod, name in detectors:
            setattr(mod, name, gated(name, originals[name]))
        run(det, texts, "record")
        ratios = []
        for r in range(runs):
            spent = {"plain": 0, "oracle": 0}
            for k, c in enumerate(range(0, len(texts), 250)):
                for mode in (("plain", "oracle") if (k + r) % 2 else ("oracle", "plain")):
                    t0 = CLOCK()
                    run(det, texts[c : c + 250], mode)
                    spent[mode] += CLOCK() - t0
            ratios.append(spent["oracle"] / spent["plain"])
    finally:
        for mod, name in detectors:
            setattr(mod, name, originals[name])
    which = ", ".join(only) if only else "every detector"
    return [f"{which}: every call that finds nothing skipped (a perfect pre-scan, free): {statistics.median(ratios):.3f} of the "
            f"time (runs: {', '.join(f'{x:.3f}' for x in ratios)})"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=int, choices=(1, 3), default=1)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", action="append", help="the bound for these detectors alone (repeatable), e.g. find_accounts")
    ap.add_argument("--bound-only", action="store_true", help="print the bound only")
    ap.add_argument("--detectors-only", action="store_true",
                    help="print each detector's time only (no phone parts, no bound): for A/B runs of two trees")
    ap.add_argument("--warm", action="store_true", help="warm up on every text, not the first 300 (caches warm, as "
                    "in the benches' timed runs)")
    args = ap.parse_args()
    global WARM
    if args.warm:
        WARM = args.texts
    seed = args.seed if args.seed is not None else (1 if args.corpus == 1 else 21)
    corpus = (Corpus if args.corpus == 1 else DevCorpus)(seed).make(args.texts)
    texts = [t.text for t in corpus]
    print(f"corpus {args.corpus}, seed {seed}, {len(texts)} texts, load average {os.getloadavg()[0]:.1f}\n")
    if not args.bound_only:
        print("\n".join(per_detector(texts)), end="\n\n")
        if args.detectors_only:
            print(f"load average {os.getloadavg()[0]:.1f}")
            return
        print("\n".join(phone_parts(texts)))
    print("\n".join(oracle(texts, args.runs, args.only)))
    print(f"\nload average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
