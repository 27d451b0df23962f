"""Property-based tests: no input crashes the check, and no file it accepts crashes the site.

Each property runs ``POSTMORTEMS_FUZZ_EXAMPLES`` cases (arbitrary bytes five times as many):
1,200 in all by default, the same every run (20 to 40 s on two busy cores). A longer run
explores new cases:
``POSTMORTEMS_FUZZ_EXAMPLES=20000 pytest tests/core/test_fuzz.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import markdown as python_markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import MKDOCS_YML, REPO, VALID_POSTMORTEM

from postmortems.config import load_settings
from postmortems.findings import Level
from postmortems.pipeline import INTERNAL_ERROR, Checker, CheckResult
from postmortems.render.json import render_json
from postmortems.rulebook import with_language_rules
from postmortems.secretscan import rule_ids
from postmortems.site.exports import action_items_csv, atom_feed, incidents_json
from postmortems.site.incident_page import decorate
from postmortems.site.rollups import build_rollups
from postmortems.site.urls import SiteUrls
from postmortems.source import split_front_matter

EXAMPLES = int(os.environ.get("POSTMORTEMS_FUZZ_EXAMPLES", "150"))


def fuzz(weight: int = 1) -> settings:
    """``weight`` times ``EXAMPLES`` cases: the cheap properties run more of them."""
    return settings(
        max_examples=EXAMPLES * weight,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        derandomize="POSTMORTEMS_FUZZ_EXAMPLES" not in os.environ,  # CI: the same cases
    )


SAMPLES = [p.read_text(encoding="utf-8") for p in sorted((REPO / "incidents").rglob("*.md"))]
SAMPLES.append(VALID_POSTMORTEM)


class Harness:
    """One project folder and one checker (loading the rules once keeps cases fast)."""

    def __init__(self, root: Path) -> None:
        shutil.copytree(REPO / "schemas", root / "schemas")
        (root / "docs").mkdir()
        (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        self.incidents = root / "incidents"
        self.incidents.mkdir()
        self.settings = load_settings(root / "mkdocs.yml")
        self.checker = Checker(self.settings)
        rulebook = with_language_rules(self.checker.language.rules)
        self.known = set(rulebook.rules) | set(rule_ids())

    def check(self, content: bytes) -> CheckResult:
        for old in self.incidents.iterdir():
            old.unlink()
        (self.incidents / "2026-03-14-case.md").write_bytes(content)
        result = self.checker.check_paths([self.incidents])
        assert not result.internal_errors, result.internal_errors
        for finding in result.findings:
            assert finding.rule in self.known, finding
            assert finding.rule != INTERNAL_ERROR
        json.loads(render_json(result, strict=False))
        render_site(result, self.settings.effective_today)
        return result


def render_site(result: CheckResult, today: dt.date) -> None:
    """What the build does with the files the check accepts: rollups, pages, exports."""
    # Checked alone, a sample's related ids are unknown; the page shows them as text.
    accepted = [pm for pm in result.postmortems if not any(
        f.level is Level.ERROR and f.rule != "unknown-related" for f in pm.findings)]
    rollups = build_rollups(accepted, today)
    urls = SiteUrls({i.id: f"incidents/{i.id}/" for i in rollups.incidents})
    incidents_json(rollups, urls)
    action_items_csv(rollups, urls)
    atom_feed(rollups, urls, site_name="Fuzz", size=10)
    by_path = {pm.path: pm for pm in accepted}
    for incident in rollups.incidents:
        pm = by_path[incident.source]
        page = decorate(pm.source.body, incident, rollups, urls.link(f"incidents/{incident.id}/"),
                        None, pm.document)
        python_markdown.markdown(page, extensions=["tables", "attr_list", "toc"])


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    root = Path(tempfile.mkdtemp(prefix="postmortems-fuzz-"))
    try:
        yield Harness(root / "project")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _front_and_body(text: str) -> tuple[str, str]:
    front, _, body, _ = split_front_matter(text)
    return front or "", body


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fields(text: str) -> tuple[list[tuple[str, str]], str]:
    """A sample's front matter as (key, YAML of that key alone) pairs, and its body."""
    front, body = _front_and_body(text)
    data = yaml.load(front, Loader=_LOADER)
    return [(key, yaml.dump({key: value}, Dumper=_DUMPER, default_flow_style=None).rstrip())
            for key, value in data.items()], body


PARSED = [_fields(text) for text in SAMPLES]
YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["SEV1", "final", "draft", "2026-02-30", "05:60"]),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=20,
)
FIELDS = ["id", "title", "status", "severity", "impact_flags", "services", "tags", "authors",
          "started", "detected", "resolved", "action_items", "related", "root_cause"]
YAML_SNIPPETS = st.sampled_from([
    "!!timestamp 2026-02-30", "!!int x", "!!float x", "!!bool x", "!!binary AAAA", "&a [1]",
    "*a", "{<<: {}}", "'unterminated", "[" * 60, "9" * 5000, "\x1b[31mred", "true", "[]",
])


@st.composite
def front_matter_files(draw: st.DrawFn) -> bytes:
    """A sample with some fields replaced by arbitrary YAML values or raw YAML snippets."""
    fields, body = draw(st.sampled_from(PARSED))
    lines = []
    for key, original in fields:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            lines.append(f"{key}: {draw(YAML_SNIPPETS)}")
        elif choice == 1:
            lines.append(yaml.dump({key: draw(YAML_VALUES)}, Dumper=_DUMPER,
                                   allow_unicode=True).rstrip())
        elif choice != 2:
            lines.append(original)
    if draw(st.booleans()):
        lines.append(f"{draw(st.sampled_from(FIELDS))}: {draw(YAML_SNIPPETS)}")
    return ("---\n" + "\n".join(lines) + "\n---\n" + body).encode("utf-8")


MARKDOWN_PIECES = st.sampled_from([
    "# Title\n", "## Summary\n", "## Timeline\n", "| Time | Event | Evidence |\n|---|---|---|\n",
    "| 05:60 | x | y |\n", "| 2026-13-01 09:00 | x | y |\n", "- " * 120 + "x\n", "> " * 120,
    "\t" * 30 + "- x\n", "```\ncode\n", "<div>\n", "</div>\n", "!!! note\n", "    indented\n",
    "<!-- blameless-ignore all -->\n", "[link](http://x)\n", "\x1b]0;title\x07", "\r\n",
    "1. " * 60 + "x\n", "*" * 200, "[" * 200, "<" * 100, "&#0;", "\u202e", "\ufeff",
])


@st.composite
def body_files(draw: st.DrawFn) -> bytes:
    """Valid front matter with a body of arbitrary text and Markdown constructs."""
    front, _ = _front_and_body(draw(st.sampled_from(SAMPLES)))
    parts = draw(st.lists(MARKDOWN_PIECES | st.text(max_size=30), max_size=25))
    return ("---\n" + front + "\n---\n" + "".join(parts)).encode("utf-8", "surrogatepass")


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    """A sample with a few bytes inserted, deleted or replaced, anywhere."""
    data = bytearray(draw(st.sampled_from(SAMPLES)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.integers(0, 2))
        chunk = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
            [b"\n", b":", b"-", b" ", b"|", b"#", b"'", b"\t", b"---\n", b"\r", b"\xff"]))
        if action == 0:
            data[at:at] = chunk
        elif action == 1:
            del data[at : at + len(chunk)]
        else:
            data[at : at + len(chunk)] = chunk
    return bytes(data)


@fuzz(weight=5)
@given(st.binary(max_size=600))
def test_arbitrary_bytes(harness: Harness, content: bytes) -> None:
    harness.check(content)


@fuzz()
@given(front_matter_files())
def test_arbitrary_front_matter(harness: Harness, content: bytes) -> None:
    harness.check(content)


@fuzz()
@given(body_files())
def test_arbitrary_bodies(harness: Harness, content: bytes) -> None:
    harness.check(content)


@fuzz()
@given(mutated_samples())
def test_mutated_samples(harness: Harness, content: bytes) -> None:
    harness.check(content)


def test_every_sample_is_accepted_and_rendered(harness: Harness) -> None:
    """The properties are not vacuous: the unmutated samples pass and reach the site."""
    published = 0
    for text in SAMPLES:
        result = harness.check(text.encode("utf-8"))
        errors = [f for f in result.findings
                  if f.level is Level.ERROR and f.rule != "unknown-related"]
        assert not errors, errors
        published += len(result.published)
    assert published >= len(SAMPLES) - 2
