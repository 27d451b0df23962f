"""Precision and recall of the blameless-language checker on labelled text.

Usage: python scripts/language_eval.py [--part dev|test|all] [--errors] [--rules PATH]
       python scripts/language_eval.py --corpus tests/language/corpus.yml [...] [--errors]

By default it measures the real-text corpus (tests/language/real/): each segment is checked
as its own Markdown paragraph, with no known names (real post-mortems have no front matter
here), and a segment is predicted blame when the checker reports any warning or error on it.
It prints precision, recall and F1 with 95% Wilson intervals, and recall per gold category.
``--errors`` lists false positives and negatives; it is refused on the test part, which is
for measuring only. ``--corpus`` measures the project's invented sentence sets instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for entry in (ROOT, ROOT / "plugins"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from tests.language.evaluation import (  # noqa: E402
    PARTS,
    evaluate,
    evaluate_real,
    format_real,
    format_report,
    load_corpus,
    load_real,
)

from postmortems.language import LanguageChecker, LanguageSettings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, default="dev", help="split part (default dev)")
    parser.add_argument("--errors", action="store_true", help="list what was got wrong")
    parser.add_argument("--rules", type=Path, help="rules data (default: the project's)")
    parser.add_argument(
        "--corpus", type=Path, nargs="+", help="invented sentence sets (corpus.yml format)"
    )
    args = parser.parse_args(argv)
    if args.errors and args.part in ("test", "all") and not args.corpus:
        parser.error("--errors is refused on the test part: it is for measuring, not tuning")
    started = time.perf_counter()
    checker = LanguageChecker(LanguageSettings(rules_path=args.rules))
    loaded = time.perf_counter() - started
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
    segments = load_real(args.part)
    started = time.perf_counter()
    report = evaluate_real(
        lambda text: checker.check(text, "segment").findings, segments, args.part
    )
    elapsed = time.perf_counter() - started
    print(format_real(report, errors=args.errors))
    print(
        f"\nrules load {loaded * 1000:.0f} ms; "
        f"{elapsed / max(1, len(segments)) * 1e6:.0f} us per segment"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
