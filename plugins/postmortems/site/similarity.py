"""The similarity figures the site shows, computed once per collection and kept on disk.

An incident page shows its closest post-mortems, the Learning page the earlier very similar
ones. Both come from one :class:`~postmortems.similar.SimilarityIndex` of the published
post-mortems. Every score depends on the whole collection (the IDF weights), so the figures
are stored under a key made of every case text, the scoring code and its data: a build of an
unchanged collection reads them back instead of ranking every post-mortem again.

The very similar earlier post-mortems of a case grow with the collection (hundreds each at
10,000). The site shows the first few and how many there are, so with ``shown`` only those are
kept (:class:`FirstMatches`), scored, explained and stored: a few KB a case instead of tens.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..cachefiles import write_json
from ..similar import DEFAULT_CONCEPTS_PATH, CaseText, Match, SimilarityIndex
from .apart import APART_MIN, run_apart

CACHE_FORMAT = 2
#: Beside the checker's cache (``.cache/postmortems/check.json``).
CACHE_FILE = Path(".cache") / "postmortems" / "site-similar.json"


class FirstMatches(Sequence[Match]):
    """The first matches of a longer list, and that list's length: slicing and iterating see
    the matches held, ``len`` the whole list."""

    __slots__ = ("matches", "total")

    def __init__(self, matches: Iterable[Match], total: int) -> None:
        self.matches = tuple(matches)
        self.total = max(total, len(self.matches))

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, item: Any) -> Any:
        return self.matches[item]

    def __iter__(self) -> Iterator[Match]:
        return iter(self.matches)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FirstMatches) and self.total == other.total
                and self.matches == other.matches)

    def __hash__(self) -> int:
        return hash((self.matches, self.total))

    def __repr__(self) -> str:
        return f"FirstMatches({list(self.matches)!r}, total={self.total})"


@dataclass(frozen=True)
class SimilarFigures:
    """Per case id: the ``k`` most similar post-mortems, and the earlier very similar ones
    (all of them, or the first few as :class:`FirstMatches`)."""

    nearest: dict[str, list[Match]]
    very_similar: dict[str, Sequence[Match]]


def of_index(index: SimilarityIndex, ids: Iterable[str], k: int,
             shown: int | None = None) -> SimilarFigures:
    """Both figures for each of ``ids`` that the index holds, scored in one batch; with
    ``shown``, only the first ``shown`` very similar matches of each are kept."""
    wanted = list(dict.fromkeys(ids))
    nearest = index.similar_all(k, ids=wanted)
    very = index.very_similar_all(wanted)
    earlier: dict[str, Sequence[Match]] = {
        cid: list(very[cid]) if shown is None else FirstMatches(very[cid][:shown],
                                                                len(very[cid]))
        for cid in wanted if cid in very}
    return SimilarFigures({cid: list(nearest[cid]) for cid in wanted if cid in nearest},
                          earlier)


def compute(cases: Sequence[CaseText], k: int,
            make_index: Callable[[Sequence[CaseText]], SimilarityIndex],
            shown: int | None = None) -> SimilarFigures:
    """Both figures for every case, from one index built by ``make_index(cases)``."""
    return of_index(make_index(cases), (case.id for case in cases), k, shown)


def cache_key(cases: Sequence[CaseText], k: int, shown: int | None = None) -> str:
    """What the figures depend on: every case, ``k`` and ``shown``, the scoring code and its
    concepts."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        package = version("mkdocs-postmortems")
    except PackageNotFoundError:
        package = "unknown"
    digest.update(f"{CACHE_FORMAT}\n{package}\n{k}\n{shown}\n".encode())
    here = Path(__file__).resolve().parent.parent
    for path in (here / "similar.py", here / "recurrence.py", Path(DEFAULT_CONCEPTS_PATH)):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(f"{path}:missing".encode())
    for case in cases:
        digest.update(json.dumps(astuple(case), ensure_ascii=False).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _encode(figures: Mapping[str, Sequence[Match]]) -> dict[str, Any]:
    def one(matches: Sequence[Match]) -> Any:
        listed = [[m.id, m.score, list(m.shared_terms)] for m in matches]
        return {"total": matches.total, "first": listed} if isinstance(
            matches, FirstMatches) else listed

    return {cid: one(matches) for cid, matches in figures.items()}


def _decode(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("not a mapping")

    def one(stored: Any) -> Sequence[Match]:
        if isinstance(stored, dict):
            return FirstMatches(one(stored["first"]), int(stored["total"]))
        return [Match(str(m[0]), float(m[1]), tuple(str(t) for t in m[2])) for m in stored]

    return {str(cid): one(matches) for cid, matches in data.items()}


def load(path: Path, key: str) -> SimilarFigures | None:
    """The figures stored at ``path`` under ``key``; None when absent, stale or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return SimilarFigures(_decode(data["nearest"]), _decode(data["very_similar"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def save(path: Path, key: str, figures: SimilarFigures) -> None:
    """Write the figures atomically; a read-only project simply computes them each time."""
    data = {"key": key, "nearest": _encode(figures.nearest),
            "very_similar": _encode(figures.very_similar)}
    write_json(path, data)


def compute_apart(cases: Sequence[CaseText], k: int,
                  make_index: Callable[[Sequence[CaseText]], SimilarityIndex],
                  shown: int | None = None) -> SimilarFigures:
    """:func:`compute`, in a child process for a large collection: the index and its scoring
    arrays take hundreds of MB at 10,000 cases; only the figures come back."""
    def work() -> dict[str, Any]:
        figures = compute(cases, k, make_index, shown)
        return {"nearest": _encode(figures.nearest),
                "very_similar": _encode(figures.very_similar)}

    data = run_apart(work, large=len(cases) >= APART_MIN)
    return SimilarFigures(_decode(data["nearest"]), _decode(data["very_similar"]))


def figures_for(cases: Sequence[CaseText], k: int,
                make_index: Callable[[Sequence[CaseText]], SimilarityIndex],
                cache_path: Path | None = None, *, shown: int | None = None) -> SimilarFigures:
    """The figures of ``cases`` (``shown`` as in :func:`of_index`): from ``cache_path`` when
    it holds them, else computed (and stored there)."""
    if cache_path is None:
        return compute_apart(cases, k, make_index, shown)
    key = cache_key(cases, k, shown)
    cached = load(cache_path, key)
    if cached is not None:
        return cached
    figures = compute_apart(cases, k, make_index, shown)
    save(cache_path, key, figures)
    return figures
