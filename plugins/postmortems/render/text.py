"""Findings for people at a terminal: grouped by file, one summary line, colour on a tty."""

from __future__ import annotations

from itertools import groupby

import click

from ..findings import Finding, Level, count_levels, printable
from ..pipeline import CheckResult

_COLOURS = {Level.ERROR: "red", Level.WARNING: "yellow", Level.INFO: "blue"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_finding(finding: Finding) -> list[str]:
    level = click.style(f"{finding.level.value:<7}", fg=_COLOURS[finding.level], bold=True)
    rule = click.style(finding.rule, dim=True)
    location, message = printable(finding.location()), printable(finding.message)
    lines = [f"  {location}: {level} {message}  [{rule}]"]
    if finding.hint:
        lines.append(f"      hint: {printable(finding.hint)}")
    if finding.suggestions:
        lines.append(f"      try: {printable(' / '.join(finding.suggestions))}")
    return lines


def summary_line(result: CheckResult, *, strict: bool) -> str:
    counts = count_levels(result.findings)
    files_with = len({f.path for f in result.findings})
    parts = [
        _plural(counts[Level.ERROR], "error"),
        _plural(counts[Level.WARNING], "warning"),
    ]
    if counts[Level.INFO]:
        parts.append(_plural(counts[Level.INFO], "note"))
    suppressed = result.suppression_counts()
    if suppressed:
        detail = ", ".join(f"{rule} {n}" for rule, n in sorted(suppressed.items()))
        parts.append(f"{_plural(sum(suppressed.values()), 'suppression')} ({detail})")
    verdict = "FAILED" if result.fails(strict=strict) else "passed"
    colour = "red" if verdict == "FAILED" else "green"
    checked = f"{_plural(result.files_checked, 'file')} checked{', strict' if strict else ''}"
    if not result.findings:
        detail = f"{checked}, no findings"
        if suppressed:
            detail += f", {parts[-1]}"
        return f"{click.style(verdict, fg=colour, bold=True)}: {detail}"
    return (
        f"{click.style(verdict, fg=colour, bold=True)}: {', '.join(parts)} "
        f"in {_plural(files_with, 'file')} ({checked})"
    )


def render_text(result: CheckResult, *, strict: bool) -> str:
    """The whole report; styling codes are stripped by click.echo when not on a terminal."""
    lines: list[str] = []
    for path, group in groupby(result.findings, key=lambda f: f.path):
        lines.append(click.style(printable(path), bold=True, underline=True))
        for finding in group:
            lines.extend(render_finding(finding))
        lines.append("")
    lines.append(summary_line(result, strict=strict))
    return "\n".join(lines)
