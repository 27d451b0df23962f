"""Findings as GitHub Actions workflow commands: one annotation line per finding.

``::error file=PATH,line=L,endLine=L,col=C,endColumn=E,title=TITLE::MESSAGE``; warnings are
``::warning`` and notes ``::notice``. Escaping follows the runner's rules: ``%``, CR and LF
in the message; additionally ``:`` and ``,`` in property values, which they delimit.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..findings import Finding, Level, printable

COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (``%`` first, so the escapes themselves survive)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus the delimiters ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One workflow command for ``finding``; unknown line and column are left out."""
    properties = [("file", finding.path)]
    if finding.line > 0:
        properties += [("line", str(finding.line)), ("endLine", str(finding.line))]
        if finding.column > 0:
            properties.append(("col", str(finding.column)))
            if finding.end_column > finding.column:
                properties.append(("endColumn", str(finding.end_column)))
    properties.append(("title", f"post-mortem: {finding.rule}"))
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = printable(finding.message, newlines=True)
    if finding.hint:
        message += f"\nhint: {printable(finding.hint, newlines=True)}"
    if finding.suggestions:
        message += f"\ntry: {printable(' / '.join(finding.suggestions), newlines=True)}"
    return f"::{COMMANDS[finding.level]} {props}::{escape_data(message)}"


def render_github(findings: Iterable[Finding]) -> str:
    """Every finding as an annotation line, in the order given; empty when there are none."""
    return "\n".join(annotation(finding) for finding in findings)
