#!/usr/bin/env python3
"""Agreement between the two independent labelling passes of the real-text corpus.

    python scripts/corpus_agreement.py [tests/language/real]

Reads ``labels-a.jsonl`` and ``labels-b.jsonl`` (one ``{"id", "blame", "category"}`` a line, in
segment order) and prints the counts of each pass, raw agreement, Cohen's kappa on blame (0/1)
and on the six-way label (not blame, or blame with its category), the blame confusion table,
the category confusion table and every disagreement with the segment's text.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CATEGORIES", "cohen_kappa", "load_labels", "main"]

REAL = Path(__file__).resolve().parents[1] / "tests" / "language" / "real"
CATEGORIES = ("person-cause", "counterfactual", "blame-noun", "who-question", "person-named")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the JSON objects of a JSON-lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load_labels(path: Path) -> list[tuple[str, int, str]]:
    """Return ``(id, blame, category)`` for each line of a labels file."""
    return [(r["id"], int(r["blame"]), r["category"] or "") for r in load_jsonl(path)]


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two equally long sequences of labels."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _table(rows: Sequence[str], cols: Sequence[str], cells: Counter[tuple[str, str]]) -> str:
    width = max(len(c) for c in (*rows, *cols, "a \\ b")) + 1
    lines = ["a \\ b".ljust(width) + "".join(c.rjust(width) for c in cols)]
    for r in rows:
        lines.append(r.ljust(width) + "".join(str(cells[r, c]).rjust(width) for c in cols))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the agreement report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=REAL, help="corpus folder")
    args = parser.parse_args(argv)
    texts = {r["id"]: r["text"] for r in load_jsonl(args.folder / "segments.jsonl")}
    a = load_labels(args.folder / "labels-a.jsonl")
    b = load_labels(args.folder / "labels-b.jsonl")
    if [x[0] for x in a] != [y[0] for y in b] or [x[0] for x in a] != list(texts):
        raise SystemExit("the two passes and segments.jsonl do not list the same ids in order")
    n = len(a)
    for name, rows in (("a", a), ("b", b)):
        cats = Counter(c or "-" for _, _, c in rows)
        blame = sum(bl for _, bl, _ in rows)
        print(
            f"pass {name}: {n} segments, blame {blame}, "
            + ", ".join(f"{c} {cats[c]}" for c in CATEGORIES)
        )
    blame_a, blame_b = [x[1] for x in a], [y[1] for y in b]
    six_a, six_b = [x[2] or "-" for x in a], [y[2] or "-" for y in b]
    same_blame = sum(x == y for x, y in zip(blame_a, blame_b, strict=True))
    same_six = sum(x == y for x, y in zip(six_a, six_b, strict=True))
    print(f"raw agreement, blame: {same_blame}/{n} = {same_blame / n:.4f}")
    print(f"raw agreement, label: {same_six}/{n} = {same_six / n:.4f}")
    print(f"Cohen's kappa, blame: {cohen_kappa(blame_a, blame_b):.3f}")
    print(f"Cohen's kappa, label: {cohen_kappa(six_a, six_b):.3f}")
    print("\nblame confusion (rows: pass a, columns: pass b)")
    pairs = Counter((str(x), str(y)) for x, y in zip(blame_a, blame_b, strict=True))
    print(_table(("0", "1"), ("0", "1"), pairs))
    print("\nlabel confusion (rows: pass a, columns: pass b)")
    labels = ("-", *CATEGORIES)
    print(_table(labels, labels, Counter(zip(six_a, six_b, strict=True))))
    diffs = [(x, y) for x, y in zip(a, b, strict=True) if x[1:] != y[1:]]
    print(f"\n{len(diffs)} disagreements")
    for (sid, bla, ca), (_, blb, cb) in diffs:
        print(f"{sid}\ta={bla}:{ca or '-'}\tb={blb}:{cb or '-'}\t{texts[sid]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
