"""The batch scorer (numpy) against the single-query path: same ids, order, scores and terms."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

import pytest
from scripts.similar_eval import FAMILIES, REAL_PAIRS, load_groups

from postmortems import similar
from postmortems.similar import CaseText, Match, SimilarityIndex

from .test_index import collection, mixed_collection


def generated(n: int = 400, seed: int = 11) -> list[CaseText]:
    """A random collection: words from a large vocabulary (many rare features) and shared
    sentences (frequent ones), same-day starts, undated cases, empty texts and duplicates."""
    rng = random.Random(seed)
    base = [*load_groups().cases, *load_groups(FAMILIES).cases]
    stock = [s.strip() for c in base for s in c.cause_text.split(".") if s.strip()]
    words = [f"w{i}x" for i in range(3000)]
    out = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.05:
            summary = text = ""
        elif kind < 0.15 and out:
            twin = rng.choice(out)
            summary, text = twin.cause_summary, twin.cause_text
        else:
            summary = " ".join(rng.sample(words, rng.randint(1, 6)))
            text = ". ".join(rng.sample(stock, rng.randint(0, 3)))
        started = None if rng.random() < 0.1 else f"2024-{1 + i % 12:02d}-{1 + i % 5:02d}"
        out.append(CaseText(f"G{rng.randrange(10**6):06d}-{i}", "", started, summary,
                            rng.choice(["", "config", "capacity"]), text, "",
                            (f"svc{i % 7}",), ()))
    return out


def mixed() -> list[CaseText]:
    return mixed_collection(250)


def labelled() -> list[CaseText]:
    return [*load_groups().cases, *load_groups(REAL_PAIRS).cases, *load_groups(FAMILIES).cases]


def same(a: Mapping[str, Sequence[Match]], b: Mapping[str, Sequence[Match]]) -> None:
    """Same keys in the same order, and per key the same ids, order, scores and shared terms."""
    assert list(a) == list(b)
    for cid in a:
        left, right = list(a[cid]), list(b[cid])
        assert [m.id for m in left] == [m.id for m in right], cid
        assert [m.score for m in left] == pytest.approx([m.score for m in right], abs=1e-9)
        # The terms come from the same two vectors: the first few show that they are the same.
        assert [m.shared_terms for m in left[:3]] == [m.shared_terms for m in right[:3]], cid


SETS: list[Callable[[], list[CaseText]]] = [labelled, collection, mixed, generated]


@pytest.mark.parametrize("make", SETS)
@pytest.mark.parametrize(("k", "earlier_only"), [(1, False), (5, False), (5, True), (40, True)])
def test_batch_similar_all_equals_one_query_at_a_time(make: Callable[[], list[CaseText]],
                                                       k: int, earlier_only: bool) -> None:
    index = SimilarityIndex(make())
    same(index.similar_all(k, earlier_only=earlier_only, batch=True),
         index.similar_all(k, earlier_only=earlier_only, batch=False))


@pytest.mark.parametrize("make", SETS)
@pytest.mark.parametrize("threshold", [None, 0.0, 0.12, 0.9999])
def test_batch_very_similar_all_equals_one_query_at_a_time(
        make: Callable[[], list[CaseText]], threshold: float | None) -> None:
    index = SimilarityIndex(make())
    batch = index.very_similar_all(threshold=threshold, batch=True)
    same(batch, index.very_similar_all(threshold=threshold, batch=False))
    assert sum(map(len, batch.values())) > 0 or threshold == 0.9999


def test_rare_features_and_small_chunks_give_the_same_scores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feature through the postings, chunks of a few rows and few products at a time."""
    index = SimilarityIndex(generated(150, seed=3))
    expected = index.very_similar_all(threshold=0.05, batch=False)
    top = index.similar_all(7, batch=False)
    monkeypatch.setattr(similar, "_DENSE_SHARE", 2.0)
    monkeypatch.setattr(similar, "_CHUNK_ROWS", 3)
    monkeypatch.setattr(similar, "_CHUNK_PRODUCTS", 50)
    index = SimilarityIndex(generated(150, seed=3))
    assert index._arrays().dense.shape[1] == 0
    same(index.very_similar_all(threshold=0.05, batch=True), expected)
    same(index.similar_all(7, batch=True), top)
    monkeypatch.setattr(similar, "_DENSE_SHARE", 0.0)
    index = SimilarityIndex(generated(150, seed=3))
    assert len(index._arrays().row_feat) == 0
    same(index.similar_all(7, batch=True), top)


def test_ties_are_ordered_by_id_and_cut_at_k() -> None:
    """Identical causes score alike: the lowest ids win the last places, earlier ones only."""
    cases = [CaseText(f"T{i:02d}", "", f"2024-01-{1 + i:02d}", "certificate expired", "", "", "",
                      (), ()) for i in (5, 3, 9, 1, 7)]
    index = SimilarityIndex(cases)
    batch = index.similar_all(2, batch=True)
    assert [m.id for m in batch["T05"]] == ["T01", "T03"]
    assert [m.id for m in batch["T01"]] == ["T03", "T05"]
    assert batch == index.similar_all(2, batch=False)
    earlier = index.similar_all(2, earlier_only=True, batch=True)
    assert [m.id for m in earlier["T01"]] == []
    assert [m.id for m in earlier["T05"]] == ["T01", "T03"]
    assert [m.id for m in earlier["T09"]] == ["T01", "T03"]
    very = index.very_similar_all(batch=True)
    assert [m.id for m in very["T09"]] == ["T01", "T03", "T05", "T07"]
    assert [m.score for m in very["T09"]] == [1.0] * 4


def test_earlier_only_leaves_out_same_start_undated_and_self() -> None:
    start = "2024-03-01T10:00:00Z"
    cases = [
        CaseText("A", "", start, "disk full on the log volume", "", "", "", (), ()),
        CaseText("B", "", start, "disk full on the log volume", "", "", "", (), ()),
        CaseText("C", "", None, "disk full on the log volume", "", "", "", (), ()),
        CaseText("D", "", "2024-03-02", "disk full on the log volume", "", "", "", (), ()),
        CaseText("E", "", "2024-02-01", "disk full on the log volume", "", "", "", (), ()),
    ]
    index = SimilarityIndex(cases)
    for batch in (True, False):
        very = index.very_similar_all(batch=batch)
        assert {cid: [m.id for m in ms] for cid, ms in very.items()} == {
            "A": ["E"], "B": ["E"], "C": [], "D": ["A", "B", "E"], "E": []}
        top = index.similar_all(10, earlier_only=True, batch=batch)
        assert [m.id for m in top["D"]] == ["A", "B", "E"]
        assert [m.id for m in top["C"]] == []
        assert [m.id for m in index.similar_all(10, batch=batch)["C"]] == ["A", "B", "D", "E"]


def test_threshold_is_on_the_rounded_score() -> None:
    index = SimilarityIndex(mixed_collection(120))
    scores = sorted({m.score for ms in index.very_similar_all(threshold=0.0, batch=False).values()
                     for m in ms})
    limit = scores[len(scores) // 2]
    very = index.very_similar_all(threshold=limit, batch=True)
    found = [m.score for ms in very.values() for m in ms]
    assert found and min(found) == limit
    same(very, index.very_similar_all(threshold=limit, batch=False))


def test_empty_one_case_and_zero_k() -> None:
    for cases in ([], [CaseText("ONE", "", "2024-01-01", "dns outage", "", "", "", (), ())]):
        index = SimilarityIndex(cases)
        for batch in (True, False):
            assert index.similar_all(5, batch=batch) == {c.id: [] for c in cases}
            assert index.very_similar_all(batch=batch) == {c.id: [] for c in cases}
            assert index.similar_all(0, batch=batch) == {c.id: [] for c in cases}
    index = SimilarityIndex(generated(30))
    assert all(ms == [] for ms in index.similar_all(0, batch=True).values())


def test_ids_pick_rows_and_unknown_ones_are_left_out() -> None:
    cases = generated(80)
    index = SimilarityIndex(cases)
    chosen = [cases[7].id, "NOPE", cases[3].id, cases[7].id]
    batch = index.very_similar_all(chosen, threshold=0.05, batch=True)
    assert list(batch) == [cases[7].id, cases[3].id]
    same(batch, {c: index.very_similar(c, threshold=0.05) for c in batch})
    top = index.similar_all(3, ids=chosen, batch=True)
    same(top, {c: index.similar(c, 3) for c in top})


def test_match_lists_read_lazily_like_lists() -> None:
    index = SimilarityIndex(mixed_collection(120))
    very = index.very_similar_all(threshold=0.1, batch=True)
    cid, matches = max(very.items(), key=lambda item: len(item[1]))
    full = index.very_similar(cid, threshold=0.1)
    assert len(matches) == len(full) > 3
    assert matches[0] == full[0] and matches[-1] == full[-1]
    assert matches[1:3] == full[1:3]
    assert list(matches) == full and matches == full
    with pytest.raises(IndexError):
        matches[len(full)]


def test_automatic_choice_follows_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """One case asked for: one query, even in a large collection; many: the batch."""
    index = SimilarityIndex(generated(60))
    calls: list[int] = []
    real = similar._Arrays.select
    monkeypatch.setattr(similar._Arrays, "select",
                        lambda self, *a, **kw: calls.append(1) or real(self, *a, **kw))
    monkeypatch.setattr(similar, "_BATCH_MIN_PAIRS", 1000)
    index.very_similar_all([next(iter(index.similar_all(1, batch=False)))])
    assert calls == []
    index.very_similar_all()
    assert calls == [1]
