"""Large build steps run in a forked child and give the same result as in-process."""

from __future__ import annotations

import os

import pytest
from tests.site.test_similarity_cache import _cases

from postmortems.similar import SimilarityIndex
from postmortems.site import apart, similarity

pytestmark = pytest.mark.skipif(not apart.can_fork(), reason="needs fork and one thread")


def test_run_apart_runs_large_work_in_a_child() -> None:
    assert apart.run_apart(os.getpid, large=False) == os.getpid()
    assert apart.run_apart(os.getpid, large=True) != os.getpid()
    assert apart.run_apart(lambda: {"a": b"x" * 10}, large=True) == {"a": b"x" * 10}


def test_figures_computed_apart_equal_the_figures_in_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(40)

    def make(found: object) -> SimilarityIndex:
        return SimilarityIndex(cases, very_similar_threshold=0.05)

    here = similarity.compute(cases, 3, make, shown=2)
    children: list[bool] = []
    real = apart.run_apart

    def spy(work: object, *, large: bool) -> object:
        children.append(large)
        return real(work, large=large)  # type: ignore[arg-type]

    monkeypatch.setattr(similarity, "APART_MIN", 10)
    monkeypatch.setattr(similarity, "run_apart", spy)
    assert similarity.compute_apart(cases, 3, make, shown=2) == here
    assert children == [True]
    assert similarity.compute_apart(cases, 3, make) == similarity.compute(cases, 3, make)
