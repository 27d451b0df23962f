"""Fixtures for the blameless-language tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from postmortems.findings import Finding  # noqa: E402
from postmortems.language import LanguageChecker, LanguageSettings  # noqa: E402

RULES = ROOT / "schemas" / "blameless-rules.yml"
SCHEMA = ROOT / "schemas" / "blameless-rules.schema.json"


@pytest.fixture(scope="session")
def checker() -> LanguageChecker:
    return LanguageChecker(LanguageSettings(rules_path=RULES))


def only(findings: list[Finding], category: str) -> list[Finding]:
    return [f for f in findings if f.category == category]


def where(findings: list[Finding]) -> list[tuple[int, int, int, str]]:
    """(line, column, end_column, rule) of each finding, for exact assertions."""
    return [(f.line, f.column, f.end_column, f.rule) for f in findings]
