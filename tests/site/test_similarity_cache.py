"""The site's similarity figures: the same as the index gives, and kept per collection."""

from __future__ import annotations

import random
from pathlib import Path

from postmortems.similar import CaseText, SimilarityIndex
from postmortems.site import similarity

WORDS = ("connection", "pool", "exhausted", "database", "failover", "replica", "lag",
         "certificate", "expired", "deploy", "rollback", "config", "flag", "cache", "eviction",
         "queue", "backlog", "timeout", "retry", "storm", "disk", "full", "kafka", "consumer",
         "dns", "resolver")


def _cases(n: int, seed: int = 3) -> list[CaseText]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.sample(WORDS, 6)
        out.append(CaseText(
            id=f"INC-2025-{i:03d}", title=" ".join(words[:3]),
            started=f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}T{i % 24:02d}:00:00Z",
            cause_summary=" ".join(words), cause_category=rng.choice(["deployment", "capacity"]),
            cause_text=" ".join(rng.sample(WORDS, 8)), factors_text=" ".join(words[2:]),
            services=(rng.choice(["api", "db", "web"]),), tags=(),
        ))
    return out


def test_figures_of_an_index_are_its_answers() -> None:
    # A low threshold gives most cases many more very similar matches than a page shows.
    cases = _cases(60)
    index = SimilarityIndex(cases, very_similar_threshold=0.05)
    figures = similarity.of_index(index, (c.id for c in cases), 3)
    lengths = []
    for case_id in (c.id for c in cases):
        expected = index.very_similar(case_id)
        assert figures.very_similar[case_id] == expected
        assert figures.nearest[case_id] == index.similar(case_id, 3)
        lengths.append(len(expected))
    assert max(lengths) > 8 * 4


def test_figures_are_read_back_for_the_same_cases_only(tmp_path: Path) -> None:
    cases = _cases(30)
    path = tmp_path / "site-similar.json"
    built: list[int] = []

    def make(found: object) -> SimilarityIndex:
        built.append(1)
        return SimilarityIndex(cases)

    first = similarity.figures_for(cases, 3, make, path)
    index = SimilarityIndex(cases)
    assert first.nearest == {c.id: index.similar(c.id, 3) for c in cases}
    assert first.very_similar == {c.id: index.very_similar(c.id) for c in cases}
    assert similarity.figures_for(cases, 3, make, path) == first
    assert len(built) == 1  # the second call read the file
    changed = [*cases[:-1], CaseText(**{**cases[-1].__dict__, "cause_summary": "dns"})]
    similarity.figures_for(changed, 3, lambda _: SimilarityIndex(changed), path)
    assert similarity.load(path, similarity.cache_key(cases, 3)) is None
    path.write_text("{not json", encoding="utf-8")
    assert similarity.figures_for(cases, 3, make, path) == first
    assert len(built) == 2
