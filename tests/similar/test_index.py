"""The index's exact top-k, its data form and its digests."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest
from scripts.similar_eval import FAMILIES, REAL_PAIRS, load_groups

from postmortems import similar
from postmortems.similar import (
    CaseText,
    Concept,
    Match,
    SimilarityIndex,
    Weights,
    concepts_from_data,
    index_digest,
)


def collection() -> list[CaseText]:
    """Every labelled case, and each again with another start and a changed word: many ties."""
    base = [*load_groups().cases, *load_groups(REAL_PAIRS).cases, *load_groups(FAMILIES).cases]
    out = list(base)
    for n, c in enumerate(base):
        started = f"20{10 + n % 16:02d}-0{1 + n % 9}-1{n % 10}T00:00:00Z" if n % 7 else None
        out.append(CaseText(f"{c.id}-again", c.title, started, c.cause_summary + " again",
                            c.cause_category, c.cause_text, c.factors_text, c.services, c.tags))
    return out


def mixed_collection(n: int = 500) -> list[CaseText]:
    """Cases made of a few sentences out of a small shared stock, as in a generated collection:
    every word is in many cases, so the pruning has work to do."""
    base = load_groups().cases
    stock = [s.strip() for c in base for s in (c.cause_summary + " " + c.cause_text).split(".")
             if s.strip()][:60]
    rng = random.Random(7)
    return [
        CaseText(f"M{i}", "", f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                 ". ".join(rng.sample(stock, 2)), "", ". ".join(rng.sample(stock, 3)), "",
                 (f"svc{i % 9}",), ())
        for i in range(n)
    ]


def brute_force(index: SimilarityIndex, cases: list[CaseText], case: CaseText,
                earlier: bool) -> list[tuple[float, str]]:
    """Every other case's cosine, rounded as in Match, best first (ties by id)."""
    q = index.vector(case.id)
    start = similar._parse_started(case.started)
    out = []
    for other in cases:
        if other.id == case.id:
            continue
        if earlier:
            when = similar._parse_started(other.started)
            if start is None or when is None or not when < start:
                continue
        v = index.vector(other.id)
        score = sum(w * v.get(t, 0.0) for t, w in q.items())
        if score > 1e-9:
            out.append((round(score, 4), other.id))
    return sorted(out, key=lambda si: (-si[0], si[1]))


@pytest.mark.parametrize("make", [collection, mixed_collection])
def test_pruned_ranking_equals_the_full_cosine_ranking(make: Callable[[], list[CaseText]]) -> None:
    cases = make()
    index = SimilarityIndex(cases)
    for case in cases[::5]:
        for earlier in (False, True):
            ref = brute_force(index, cases, case, earlier)
            got = [(m.score, m.id) for m in index.similar(case.id, k=7, earlier_only=earlier)]
            assert [s for s, _ in got] == [s for s, _ in ref[:7]], case.id
            assert set(got) <= set(ref)
        ref = brute_force(index, cases, case, True)
        for limit in (0.1, 0.3):
            very = sorted((m.score, m.id) for m in index.very_similar(case.id, threshold=limit))
            assert very == sorted(x for x in ref if x[0] >= limit), case.id


def test_query_equals_the_full_cosine_ranking() -> None:
    cases = collection()
    index = SimilarityIndex(cases)
    got = index.query("the certificate expired because the renewal cron job was switched off", 9)
    assert got and got[0].shared_terms
    scores = [m.score for m in got]
    assert scores == sorted(scores, reverse=True)
    assert len({m.id for m in got}) == 9


def test_data_round_trip_through_json_gives_the_same_results() -> None:
    cases = collection()[:80]
    index = SimilarityIndex(cases)
    data = json.loads(json.dumps(index.to_data()))
    again = SimilarityIndex.from_data(data)
    assert again.digest == index.digest == data["digest"]
    for case in cases[::9]:
        assert again.similar(case.id, 5) == index.similar(case.id, 5)
        assert again.very_similar(case.id) == index.very_similar(case.id)
    assert again.query("disk full") == index.query("disk full")
    with pytest.raises(ValueError, match="other concepts or weights"):
        SimilarityIndex.from_data(data, weights=Weights(services=1.0))
    with pytest.raises(ValueError, match="format"):
        SimilarityIndex.from_data({**data, "format": 0})


def test_reuse_takes_unchanged_cases_features_and_recomputes_changed_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cases = collection()[:40]
    old = SimilarityIndex(cases).to_data()
    changed = CaseText(cases[3].id, cases[3].title, cases[3].started, "the disk was full",
                       "", "", "", (), ())
    new_cases = [*cases[:3], changed, *cases[4:], CaseText("NEW", "", None, "disk full", "", "",
                                                          "", (), ())]
    computed: list[str] = []
    real = SimilarityIndex._features

    def spy(self: SimilarityIndex, case: CaseText) -> object:
        computed.append(case.id)
        return real(self, case)

    monkeypatch.setattr(SimilarityIndex, "_features", spy)
    reused = SimilarityIndex(new_cases, reuse=old)
    assert computed == [changed.id, "NEW"]
    fresh = SimilarityIndex(new_cases)
    assert reused.to_data() == fresh.to_data()
    assert reused.similar("NEW", 3) == fresh.similar("NEW", 3)
    computed.clear()
    SimilarityIndex(cases, reuse=old, weights=Weights(tags=2.0))
    assert len(computed) == len(cases)  # other weights: nothing is reused


def test_index_digest_keys_the_inputs() -> None:
    cases = collection()[:30]
    key = index_digest(cases)
    assert key == SimilarityIndex(cases).digest == index_digest(list(cases))
    assert index_digest(cases[::-1]) != key
    edited = [CaseText(**{**vars_of(cases[0]), "cause_text": "other words"}), *cases[1:]]
    assert index_digest(edited) != key
    assert index_digest(cases, weights=Weights(concept=1.0)) != key
    assert index_digest(cases, concepts=(Concept("x", "x", ("a b",)),)) != key


def vars_of(case: CaseText) -> dict[str, object]:
    return {f: getattr(case, f) for f in CaseText.__dataclass_fields__}


def test_match_works_out_shared_terms_once_when_read() -> None:
    calls: list[int] = []

    def explain() -> tuple[str, ...]:
        calls.append(1)
        return ("certificate expiry",)

    lazy = Match("A", 0.5, explain=explain)
    assert calls == []
    assert lazy.shared_terms == ("certificate expiry",) and lazy.shared_terms
    assert calls == [1]
    assert lazy == Match("A", 0.5, ("certificate expiry",))
    assert "certificate expiry" in repr(lazy)
    assert Match("A", 0.5) != Match("A", 0.4)


def test_concept_terms_need_words() -> None:
    with pytest.raises(ValueError, match="no words"):
        concepts_from_data({"concepts": {"x": {"terms": ["fine", "--"]}}})
