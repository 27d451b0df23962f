"""Measure the checker on labelled sentences: precision and recall per category."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..findings import Finding

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
        for title, rows in (
            ("false positives", report.false_positives),
            ("false negatives", report.false_negatives),
        ):
            lines += ["", f"{title} ({len(rows)}):"]
            for sample, findings in rows:
                label = "+".join(sorted(sample.labels)) or "none"
                got = ", ".join(f"{f.rule} '{f.match}'" for f in findings) or "nothing"
                lines.append(f"  [{label}] {sample.text}\n      -> {got}")
    return "\n".join(lines)
