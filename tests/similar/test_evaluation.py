"""Floors on the evaluation sets (figures measured with scripts/similar_eval.py, minus a margin)."""

from __future__ import annotations

import pytest
from scripts.similar_eval import (
    FAMILIES,
    HELDOUT,
    REAL_PAIRS,
    cause_ranker,
    load_groups,
    load_samples,
    plain_tfidf,
    score_groups,
)

from postmortems.similar import SimilarityIndex


def test_sample_recurrences_rank_first_among_earlier_incidents() -> None:
    cases, related, _ = load_samples()
    index = SimilarityIndex(cases)
    started = {c.id: c.started for c in cases}
    checked = 0
    for case in cases:
        earlier = [r for r in related[case.id] if (started.get(r) or "") < (case.started or "")]
        if not earlier:
            continue
        checked += 1
        best = index.similar(case.id, k=1, earlier_only=True)
        assert best and best[0].id in earlier, (case.id, best)
        assert index.very_similar(case.id)[0].id in earlier
    assert checked == 2


def test_sample_shared_terms_name_the_cause() -> None:
    cases, _, _ = load_samples()
    best = SimilarityIndex(cases).similar("INC-2026-021", k=1, earlier_only=True)[0]
    assert best.id == "INC-2025-012"
    assert "certificate expiry" in best.shared_terms


@pytest.mark.parametrize(
    ("split", "floor"),
    [("dev", 0.95), ("test", 0.80)],  # measured 97% and 83%
)
def test_cause_groups_top1_floor(split: str, floor: float) -> None:
    data = load_groups(split=split)
    assert len(data.cases) == {"dev": 39, "test": 24}[split]
    got = score_groups(cause_ranker()(data.cases), data)
    assert got.top1 / got.total >= floor, got
    baseline = score_groups(plain_tfidf(data.bodies), data)
    assert got.top1 > baseline.top1


def test_real_pairs_top1_floor() -> None:
    data = load_groups(REAL_PAIRS)
    got = score_groups(cause_ranker()(data.cases), data)
    assert got.total == 20
    assert got.top1 / got.total >= 0.85, got  # measured 90%
    assert got.top3 / got.total >= 0.90, got  # measured 100%


def test_cause_family_groups_top1_floor() -> None:
    data = load_groups(FAMILIES)
    assert len(data.cases) == 24
    got = score_groups(cause_ranker()(data.cases), data)
    assert got.top1 / got.total >= 0.90, got  # measured 100% (88% before their concepts)
    baseline = score_groups(plain_tfidf(data.bodies), data)
    assert got.top1 > baseline.top1


def test_heldout_groups_top1_floor() -> None:
    """Groups written independently of the ranking, measured and never tuned on."""
    data = load_groups(HELDOUT)
    assert len(data.cases) == 24
    got = score_groups(cause_ranker()(data.cases), data)
    assert got.top1 / got.total >= 0.85, got  # measured 92% (22 of 24), top-3 100%
    baseline = score_groups(plain_tfidf(data.bodies), data)
    assert got.top1 > baseline.top1  # plain TF-IDF over the whole text: 33%
