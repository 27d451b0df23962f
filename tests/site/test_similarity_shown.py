"""The site keeps only the very similar matches it shows, and how many there are."""

from __future__ import annotations

import json
from pathlib import Path

from tests.site.test_similarity_cache import _cases

from postmortems.similar import SimilarityIndex
from postmortems.site import similarity
from postmortems.site.similarity import FirstMatches


def test_shown_keeps_the_first_matches_and_the_count(tmp_path: Path) -> None:
    cases = _cases(60)
    path = tmp_path / "site-similar.json"

    def make(found: object) -> SimilarityIndex:
        return SimilarityIndex(cases, very_similar_threshold=0.05)

    index = make(None)
    figures = similarity.figures_for(cases, 3, make, path, shown=2)
    lengths = []
    for case in cases:
        full = index.very_similar(case.id)
        kept = figures.very_similar[case.id]
        assert isinstance(kept, FirstMatches)
        assert len(kept) == len(full) and list(kept) == full[:2] and kept[:3] == tuple(full[:2])
        assert figures.nearest[case.id] == index.similar(case.id, 3)
        lengths.append(len(full))
    assert max(lengths) > 8
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert all(len(v["first"]) <= 2 for v in stored["very_similar"].values())
    assert similarity.figures_for(cases, 3, lambda _: [], path, shown=2) == figures  # read back
    # The full lists are another key: not answered by the shown ones.
    assert similarity.load(path, similarity.cache_key(cases, 3)) is None
