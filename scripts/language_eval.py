"""Precision and recall of the blameless-language checker on labelled corpora.

Usage: PYTHONPATH=plugins python scripts/language_eval.py [CORPUS.yml ...] [--verbose]
       [--rules PATH]. Without files it measures tests/language/corpus.yml.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from postmortems.language import LanguageChecker, LanguageSettings
from postmortems.language.evaluate import evaluate, format_report, load_corpus

DEFAULT_CORPUS = Path("tests/language/corpus.yml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--verbose", "-v", action="store_true", help="list what was got wrong")
    parser.add_argument("--rules", type=Path, help="rules data (default: the project's)")
    args = parser.parse_args(argv)
    checker = LanguageChecker(LanguageSettings(rules_path=args.rules))

    def check(text: str, names: tuple[str, ...]) -> list:
        return checker.check(text, "corpus", known_names=names).findings

    for path in args.corpora:
        print(f"== {path}")
        print(format_report(evaluate(check, load_corpus(path)), verbose=args.verbose))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
