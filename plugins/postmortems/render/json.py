"""Findings as JSON for tools: one object with the findings, suppressions and a summary."""

from __future__ import annotations

from ..findings import Level, count_levels, json_text
from ..pipeline import CheckResult


def render_json(result: CheckResult, *, strict: bool) -> str:
    counts = count_levels(result.findings)
    document = {
        "version": 1,
        "summary": {
            "files": result.files_checked,
            "errors": counts[Level.ERROR],
            "warnings": counts[Level.WARNING],
            "notes": counts[Level.INFO],
            "suppressions": dict(sorted(result.suppression_counts().items())),
            "strict": strict,
            "passed": not result.fails(strict=strict),
        },
        "findings": [finding.to_dict() for finding in result.findings],
        "suppressions": [
            {"path": s.path, "line": s.line, "column": s.column, "rule": s.rule,
             "reason": s.reason}
            for s in result.suppressions
        ],
    }
    return json_text(document)
