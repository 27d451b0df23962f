"""Findings as SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

One run; ``tool.driver.rules`` lists every rule of the rulebook (so the rules stay the same
from run to run, as code scanning expects) plus a generic entry for any rule id the rulebook
does not know. Regions follow GitHub's required fields: ``startLine`` (a finding about the
whole file, line 0, is anchored at line 1), ``startColumn`` (1 when the column is unknown,
which in SARIF still means the whole line), ``endLine``, and ``endColumn`` when known.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from ..findings import Finding, Level, json_text
from ..rulebook import DOCS_URI, Rulebook, RuleInfo, core_rulebook

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "mkdocs-postmortems"
SRCROOT = "%SRCROOT%"
#: The key GitHub code scanning reads to tell whether two results are the same alert.
FINGERPRINT_KEY = "primaryLocationLineHash"

LEVELS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


def tool_version() -> str:
    """The installed package's version, from its metadata."""
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def fingerprint(finding: Finding) -> str:
    """A hash of rule, path and the matched text (the message when nothing was matched).

    The line is left out on purpose: an alert keeps its identity when lines are added above.
    """
    what = finding.match or finding.message
    key = "\0".join((finding.rule, PurePosixPath(finding.path).as_posix(), what))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _descriptor(info: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": info.description},
        "fullDescription": {"text": info.description},
        "help": {"text": info.help},
        "helpUri": DOCS_URI,
        "defaultConfiguration": {"level": LEVELS[info.level]},
    }
    if info.category:
        descriptor["properties"] = {"tags": ["post-mortem", info.category]}
    return descriptor


def _artifact_location(path: str) -> dict[str, str]:
    posix = PurePosixPath(Path(path).as_posix())
    if posix.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(str(posix), safe="/"), "uriBaseId": SRCROOT}


def _region(finding: Finding) -> dict[str, int]:
    line = max(finding.line, 1)
    region = {"startLine": line, "startColumn": max(finding.column, 1), "endLine": line}
    if finding.column > 0 and finding.end_column > finding.column:
        region["endColumn"] = finding.end_column
    return region


def _message(finding: Finding) -> str:
    text = finding.message
    if finding.hint:
        text += f"\nhint: {finding.hint}"
    return text


def sarif_log(
    findings: Iterable[Finding],
    *,
    rulebook: Rulebook | None = None,
    source_root: Path | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict. ``source_root`` (absolute) becomes ``%SRCROOT%``."""
    findings = list(findings)
    book = rulebook or core_rulebook()
    infos: dict[str, RuleInfo] = dict(book.rules)
    for finding in findings:
        if finding.rule not in infos:
            infos[finding.rule] = book.describe(
                finding.rule, level=finding.level, category=finding.category
            )
    index = {rule_id: i for i, rule_id in enumerate(infos)}
    seen: Counter[str] = Counter()
    results = []
    for finding in findings:
        digest = fingerprint(finding)
        seen[digest] += 1
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.level],
            "message": {"text": _message(finding)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact_location(finding.path),
                        "region": _region(finding),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"},
        }
        extra = _properties(finding)
        if extra:
            result["properties"] = extra
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": DOCS_URI,
                "version": tool_version(),
                "rules": [_descriptor(info) for info in infos.values()],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if source_root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": source_root.resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _properties(finding: Finding) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if finding.category:
        extra["category"] = finding.category
    if finding.match:
        extra["match"] = finding.match
    if finding.suggestions:
        extra["suggestions"] = list(finding.suggestions)
    return extra


def render_sarif(
    findings: Iterable[Finding],
    *,
    rulebook: Rulebook | None = None,
    source_root: Path | None = None,
) -> str:
    """The SARIF log as JSON text (UTF-8, not ASCII-escaped)."""
    log = sarif_log(findings, rulebook=rulebook, source_root=source_root)
    return json_text(log)
