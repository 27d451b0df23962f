"""Measure the checker on labelled sentences: precision and recall per category."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from postmortems.findings import Finding

CATEGORIES = (
    "agent",
    "counterfactual",
    "judgement",
    "who-question",
    "named-person",
    "person-action",
)
OVERALL = "overall"


@dataclass(frozen=True)
class Sample:
    """One labelled sentence; ``labels`` is empty for a sentence that must pass."""

    text: str
    labels: frozenset[str]
    known_names: tuple[str, ...]
    source: str


@dataclass
class Score:
    """Counts for one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    """Scores per category and overall, with the sentences that were got wrong."""

    scores: dict[str, Score] = field(default_factory=dict)
    false_positives: list[tuple[Sample, list[Finding]]] = field(default_factory=list)
    false_negatives: list[tuple[Sample, list[Finding]]] = field(default_factory=list)
    size: int = 0


def load_corpus(path: Path) -> list[Sample]:
    """Read a corpus file: ``known_names`` and ``sentences: {label: [text, ...]}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = tuple(data.get("known_names") or ())
    samples: list[Sample] = []
    for label, texts in data["sentences"].items():
        labels = frozenset() if label == "none" else frozenset(label.split("+"))
        unknown = labels - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{path}: unknown label(s) {sorted(unknown)}")
        samples += [Sample(str(t), labels, names, str(path)) for t in texts]
    return samples


def evaluate(check: object, samples: Iterable[Sample]) -> Report:
    """Run ``check(text, known_names) -> findings`` on every sample and score it."""
    report = Report(scores={c: Score() for c in (*CATEGORIES, OVERALL)})
    for sample in samples:
        report.size += 1
        findings: Sequence[Finding] = check(sample.text, sample.known_names)  # type: ignore[operator]
        flagged = {f.category for f in findings if f.category in CATEGORIES}
        for category in CATEGORIES:
            score = report.scores[category]
            if category in flagged:
                if category in sample.labels:
                    score.tp += 1
                else:
                    score.fp += 1
            elif category in sample.labels:
                score.fn += 1
        overall = report.scores[OVERALL]
        if flagged and sample.labels:
            overall.tp += 1
        elif flagged:
            overall.fp += 1
            report.false_positives.append((sample, list(findings)))
        elif sample.labels:
            overall.fn += 1
            report.false_negatives.append((sample, list(findings)))
        if sample.labels and flagged and flagged != sample.labels:
            miss = (sample, list(findings))
            if sample.labels - flagged:
                report.false_negatives.append(miss)
            if flagged - sample.labels:
                report.false_positives.append(miss)
    return report


def format_report(report: Report, *, verbose: bool = False) -> str:
    """A plain-text table, and with ``verbose`` the sentences got wrong."""
    lines = [
        f"{report.size} sentences",
        f"{'category':<16}{'precision':>10}{'recall':>8}  tp/fp/fn",
    ]
    for name, s in report.scores.items():
        lines.append(f"{name:<16}{s.precision:>10.3f}{s.recall:>8.3f}  {s.tp}/{s.fp}/{s.fn}")
    if verbose:
        lines += _errors(report.false_positives, report.false_negatives, lambda sample: (
            f"[{'+'.join(sorted(sample.labels)) or 'none'}] {sample.text}"))
    return "\n".join(lines)


# ------------------------------------------------------------------ the real-text corpus

REAL_DIR = Path(__file__).parent / "real"
GOLD_CATEGORIES = ("person-cause", "counterfactual", "blame-noun", "who-question", "person-named")
PARTS = ("dev", "test", "all")


@dataclass(frozen=True)
class Segment:
    """One labelled segment of the real corpus."""

    id: str
    doc: str
    section: str
    kind: str
    text: str
    blame: bool
    category: str


@dataclass(frozen=True)
class Interval:
    """A proportion ``k / n`` with its 95% Wilson score interval."""

    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    def __str__(self) -> str:
        if not self.n:
            return "   n/a (0/0)"
        return f"{self.value:.2f} [{self.low:.2f}, {self.high:.2f}] ({self.k}/{self.n})"


def wilson(k: int, n: int, z: float = 1.959964) -> Interval:
    """The Wilson score interval of ``k`` successes in ``n`` trials (95% by default)."""
    if n == 0:
        return Interval(0, 0, float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return Interval(k, n, max(0.0, centre - half), min(1.0, centre + half))


def batches(root: Path = REAL_DIR) -> dict[str, int]:
    """Each document's collection batch (``batch`` in ``sources.yml``; 1 when absent)."""
    sources = yaml.safe_load((root / "sources.yml").read_text(encoding="utf-8"))
    entries = sources.get("documents", sources) if isinstance(sources, dict) else sources
    return {str(e["doc"]): int(e.get("batch", 1)) for e in entries}


def load_real(
    part: str = "all", root: Path = REAL_DIR, batch: int | None = None
) -> list[Segment]:
    """The segments of one part of the split (``dev``, ``test`` or ``all``), with labels;
    with ``batch``, only those of the documents collected in that batch."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    split = yaml.safe_load((root / "split.yml").read_text(encoding="utf-8"))
    docs = set(split["dev"]) | set(split["test"]) if part == "all" else set(split[part])
    if batch is not None:
        of = batches(root)
        docs = {d for d in docs if of.get(d, 1) == batch}
    labels = {}
    for line in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[row["id"]] = row
    out: list[Segment] = []
    for line in (root / "segments.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["doc"] not in docs:
            continue
        label = labels[row["id"]]
        out.append(
            Segment(
                row["id"], row["doc"], row["section"], row["kind"], row["text"],
                bool(label["blame"]), label["category"] or "",
            )
        )
    return out


def as_paragraph(text: str) -> str:
    """A segment as its own Markdown paragraph: escape what would make it another block.

    A segment is text already reduced from Markdown; a leading ``#``, ``>``, ``-``, ``+``,
    ``*``, ``1.`` or ``|`` would turn it into a heading, quote, list or table and change how
    the checker reads it (a quote caps findings at info), so that character is
    backslash-escaped.
    """
    text = " ".join(text.split())
    if m := re.match(r"\d+(?=[.)](?:\s|$))", text):  # "1. step": escape the delimiter
        return text[: m.end()] + "\\" + text[m.end() :]
    if re.match(r"[#>+*|=-]", text):
        return "\\" + text
    return text


@dataclass
class RealReport:
    """Scores of the checker on real segments: overall and per gold category."""

    part: str
    segments: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    by_category: dict[str, list[int]] = field(default_factory=dict)  # category -> [found, all]
    false_positives: list[tuple[Segment, list[Finding]]] = field(default_factory=list)
    false_negatives: list[tuple[Segment, list[Finding]]] = field(default_factory=list)

    @property
    def precision(self) -> Interval:
        return wilson(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> Interval:
        return wilson(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision.value, self.recall.value
        return 2 * p * r / (p + r) if p + r and p == p and r == r else 0.0

    def category_recall(self, category: str) -> Interval:
        found, total = self.by_category.get(category, [0, 0])
        return wilson(found, total)


def blame_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that count as predicting blame: warnings and errors."""
    return [f for f in findings if f.level.value in ("warning", "error")]


def evaluate_real(check: object, segments: Iterable[Segment], part: str = "") -> RealReport:
    """Run ``check(markdown) -> findings`` on each segment; blame = any warning or error."""
    report = RealReport(part, by_category={c: [0, 0] for c in GOLD_CATEGORIES})
    for seg in segments:
        report.segments += 1
        findings = blame_findings(check(as_paragraph(seg.text)))  # type: ignore[operator]
        predicted = bool(findings)
        if seg.blame:
            counts = report.by_category.setdefault(seg.category, [0, 0])
            counts[1] += 1
            counts[0] += predicted
        if predicted and seg.blame:
            report.tp += 1
        elif predicted:
            report.fp += 1
            report.false_positives.append((seg, findings))
        elif seg.blame:
            report.fn += 1
            report.false_negatives.append((seg, findings))
    return report


def format_real(report: RealReport, *, errors: bool = False) -> str:
    """A plain-text table of the scores, and with ``errors`` the segments got wrong."""
    lines = [
        f"part {report.part}: {report.segments} segments, "
        f"{report.tp + report.fn} blame; predicted blame = any warning or error",
        f"precision  {report.precision}",
        f"recall     {report.recall}",
        f"F1         {report.f1:.2f}",
        "recall by gold category:",
    ]
    for category in GOLD_CATEGORIES:
        lines.append(f"  {category:<16}{report.category_recall(category)}")
    if errors:
        lines += _errors(report.false_positives, report.false_negatives, lambda seg: (
            f"{seg.id} [{seg.category or 'not blame'}] {seg.text}"))
    return "\n".join(lines)


def _errors(false_positives: list[Any], false_negatives: list[Any],
            describe: Callable[[Any], str]) -> list[str]:
    """The lines listing what was got wrong: each item described, then what the rules found."""
    lines: list[str] = []
    for title, rows in (("false positives", false_positives),
                        ("false negatives", false_negatives)):
        lines += ["", f"{title} ({len(rows)}):"]
        for item, findings in rows:
            got = ", ".join(f"{f.rule} '{f.match}'" for f in findings) or "nothing"
            lines.append(f"  {describe(item)}\n      -> {got}")
    return lines
