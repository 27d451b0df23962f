"""Precision and recall of the blameless-language checker on labelled text.

Usage: python scripts/language_eval.py [--part dev|test|all] [--batch N] [--errors] [--rules PATH]
       python scripts/language_eval.py --corpus tests/language/corpus.yml [...] [--errors]
       python scripts/language_eval.py --cv

By default it measures the real-text corpus (tests/language/real/): each segment is checked
as its own Markdown paragraph, with no known names (real post-mortems have no front matter
here), and a segment is predicted blame when the checker reports any warning or error on it.
It prints precision, recall and F1 with 95% Wilson intervals, and recall per gold category.
``--batch N`` keeps only the documents of collection batch N (``batch`` in ``sources.yml``),
to measure a new batch before anything is tuned on it. ``--errors`` lists false positives
and negatives; it is refused on the test part, which is for measuring only. ``--by-rule``
counts, for each rule, the segments it flags and how many of them are blame (also refused on
the test part); with ``--rules`` from an earlier commit and ``--batch``, it shows how each rule
did on a batch before anything was tuned on it. ``--corpus`` measures the project's invented
sentence sets instead.
``--cv`` is the experiment behind the choice of rules over a classifier: leave-one-document-out
cross-validation on the dev part of a bag-of-words logistic regression (word unigrams and
bigrams, trained on the other dev documents plus the invented sets), alone and OR-ed with the
rules, at several thresholds. It never reads the test part.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "plugins"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from tests.language.evaluation import (  # noqa: E402
    PARTS,
    Segment,
    as_paragraph,
    blame_findings,
    evaluate,
    evaluate_real,
    format_real,
    format_report,
    load_corpus,
    load_real,
    wilson,
)

from postmortems.findings import Finding  # noqa: E402
from postmortems.language import LanguageChecker, LanguageSettings  # noqa: E402

_TOKEN = re.compile(r"[a-z']+")
INVENTED = [ROOT / "tests" / "language" / f for f in ("corpus.yml", "holdout.yml", "unseen.yml")]


def _features(text: str) -> set[str]:
    words = _TOKEN.findall(text.lower())
    return set(words) | {f"{a}_{b}" for a, b in itertools.pairwise(words)}


def _train(rows: list[tuple[set[str], int]], epochs: int = 15) -> tuple[dict[str, float], float]:
    """Class-weighted logistic regression by stochastic gradient descent (seeded)."""
    weights: dict[str, float] = defaultdict(float)
    bias, rate, l2 = 0.0, 0.3, 1e-3
    positives = sum(y for _, y in rows) or 1
    scale = {1: len(rows) / (2 * positives), 0: len(rows) / (2 * max(1, len(rows) - positives))}
    rows = list(rows)
    rng = random.Random(0)
    for _ in range(epochs):
        rng.shuffle(rows)
        for feats, y in rows:
            z = max(-30.0, min(30.0, bias + sum(weights[f] for f in feats)))
            grad = (1 / (1 + math.exp(-z)) - y) * scale[y]
            bias -= rate * grad
            for f in feats:
                weights[f] -= rate * (grad + l2 * weights[f])
    return weights, bias


def _probability(model: tuple[dict[str, float], float], feats: set[str]) -> float:
    weights, bias = model
    z = max(-30.0, min(30.0, bias + sum(weights.get(f, 0.0) for f in feats)))
    return 1 / (1 + math.exp(-z))


def cross_validate(checker: LanguageChecker) -> str:
    """Leave-one-document-out on dev: rules, classifier, and both, at several thresholds."""
    segments = load_real("dev")
    invented = [
        (_features(s.text), int(bool(s.labels))) for path in INVENTED for s in load_corpus(path)
    ]
    rules = {
        seg.id: bool([f for f in checker.check(seg.text, "cv").findings
                      if f.level.value in ("warning", "error")])
        for seg in segments
    }
    thresholds = (0.5, 0.7, 0.9)
    counts: dict[tuple[str, float], Counter[str]] = defaultdict(Counter)
    for held in sorted({seg.doc for seg in segments}):
        train = [(_features(s.text), int(s.blame)) for s in segments if s.doc != held]
        model = _train(train + invented)
        for seg in (s for s in segments if s.doc == held):
            p = _probability(model, _features(seg.text))
            for t in thresholds:
                for name, pred in (
                    ("rules", rules[seg.id]), ("classifier", p >= t),
                    ("rules or classifier", rules[seg.id] or p >= t),
                ):
                    hit = ("tp" if seg.blame else "fp") if pred else ("fn" if seg.blame else "tn")
                    counts[(name, t)][hit] += 1
    lines = [
        "leave-one-document-out on dev (classifier trained on the other dev documents"
        " and the invented sets)",
        f"{'method':<22}{'threshold':>9}  precision  recall  tp/fp/fn",
    ]
    for (name, t), c in sorted(counts.items(), key=lambda kv: (kv[0][0] != "rules", kv[0])):
        if name == "rules" and t != thresholds[0]:
            continue
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else float("nan")
        shown = "-" if name == "rules" else f"{t:.1f}"
        lines.append(f"{name:<22}{shown:>9}  {precision:9.2f}  {recall:6.2f}  "
                     f"{c['tp']}/{c['fp']}/{c['fn']}")
    return "\n".join(lines)


def by_rule(check: Callable[[str], list[Finding]], segments: list[Segment]) -> str:
    """For each rule: the segments it flags (warning or error), how many are blame, and how
    many it alone flags. ``check`` maps a segment's Markdown to its findings."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # flagged, blame, alone
    for seg in segments:
        rules = {f.rule for f in blame_findings(check(as_paragraph(seg.text)))}
        for rule in rules:
            row = counts[rule]
            row[0] += 1
            row[1] += seg.blame
            row[2] += len(rules) == 1
    lines = ["", f"{'rule':40} {'flags':>5} {'blame':>5} {'alone':>5} precision"]
    for rule, (flagged, blame, alone) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0])):
        lines.append(f"{rule:40} {flagged:5} {blame:5} {alone:5} {wilson(blame, flagged)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, default="dev", help="split part (default dev)")
    parser.add_argument("--batch", type=int, help="only the documents of this collection batch")
    parser.add_argument("--errors", action="store_true", help="list what was got wrong")
    parser.add_argument("--rules", type=Path, help="rules data (default: the project's)")
    parser.add_argument(
        "--corpus", type=Path, nargs="+", help="invented sentence sets (corpus.yml format)"
    )
    parser.add_argument(
        "--by-rule", action="store_true", help="segments each rule flags, and how many are blame"
    )
    parser.add_argument(
        "--cv", action="store_true", help="cross-validate a classifier against the rules on dev"
    )
    args = parser.parse_args(argv)
    if (args.errors or args.by_rule) and args.part in ("test", "all") and not args.corpus:
        parser.error("--errors and --by-rule are refused on the test part: it is for measuring")
    started = time.perf_counter()
    checker = LanguageChecker(LanguageSettings(rules_path=args.rules))
    loaded = time.perf_counter() - started
    if args.cv:
        print(cross_validate(checker))
        return 0
    if args.corpus:
        for path in args.corpus:
            report = evaluate(
                lambda text, names: checker.check(text, "corpus", known_names=names).findings,
                load_corpus(path),
            )
            print(f"== {path}")
            print(format_report(report, verbose=args.errors))
            print()
        return 0
    segments = load_real(args.part, batch=args.batch)
    started = time.perf_counter()
    label = args.part if args.batch is None else f"{args.part}, batch {args.batch}"
    found: dict[str, list[Finding]] = {}  # each segment is checked once, for both reports

    def check(text: str) -> list[Finding]:
        if text not in found:
            found[text] = checker.check(text, "segment").findings
        return found[text]

    report = evaluate_real(check, segments, label)
    elapsed = time.perf_counter() - started
    print(format_real(report, errors=args.errors))
    if args.by_rule:
        print(by_rule(check, segments))
    print(
        f"\nrules load {loaded * 1000:.0f} ms; "
        f"{elapsed / max(1, len(segments)) * 1e6:.0f} us per segment"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
