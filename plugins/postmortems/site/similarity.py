"""The similarity figures the site shows, computed once per collection and kept on disk.

An incident page shows its closest post-mortems, the Learning page the earlier very similar
ones. Both come from one :class:`~postmortems.similar.SimilarityIndex` of the published
post-mortems. Every score depends on the whole collection (the IDF weights), so the figures
are stored under a key made of every case text, the scoring code and its data: a build of an
unchanged collection reads them back instead of ranking every post-mortem again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..similar import DEFAULT_CONCEPTS_PATH, CaseText, Match, SimilarityIndex

CACHE_FORMAT = 1
#: Beside the checker's cache (``.cache/postmortems/check.json``).
CACHE_FILE = Path(".cache") / "postmortems" / "site-similar.json"


@dataclass(frozen=True)
class SimilarFigures:
    """Per case id: the ``k`` most similar post-mortems, and the earlier very similar ones."""

    nearest: dict[str, list[Match]]
    very_similar: dict[str, list[Match]]


def of_index(index: SimilarityIndex, ids: Iterable[str], k: int) -> SimilarFigures:
    """Both figures for each of ``ids`` that the index holds, scored in one batch."""
    wanted = list(dict.fromkeys(ids))
    nearest = index.similar_all(k, ids=wanted)
    very = index.very_similar_all(wanted)
    return SimilarFigures({cid: list(nearest[cid]) for cid in wanted if cid in nearest},
                          {cid: list(very[cid]) for cid in wanted if cid in very})


def compute(cases: Sequence[CaseText], k: int,
            make_index: Callable[[Sequence[CaseText]], SimilarityIndex]) -> SimilarFigures:
    """Both figures for every case, from one index built by ``make_index(cases)``."""
    return of_index(make_index(cases), (case.id for case in cases), k)


def cache_key(cases: Sequence[CaseText], k: int) -> str:
    """What the figures depend on: every case, ``k``, the scoring code and its concepts."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        package = version("mkdocs-postmortems")
    except PackageNotFoundError:
        package = "unknown"
    digest.update(f"{CACHE_FORMAT}\n{package}\n{k}\n".encode())
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


def _encode(figures: Mapping[str, list[Match]]) -> dict[str, list[list[Any]]]:
    return {cid: [[m.id, m.score, list(m.shared_terms)] for m in matches]
            for cid, matches in figures.items()}


def _decode(data: Any) -> dict[str, list[Match]]:
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    return {str(cid): [Match(str(m[0]), float(m[1]), tuple(str(t) for t in m[2]))
                       for m in matches] for cid, matches in data.items()}


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        pass


def figures_for(cases: Sequence[CaseText], k: int,
                make_index: Callable[[Sequence[CaseText]], SimilarityIndex],
                cache_path: Path | None = None) -> SimilarFigures:
    """The figures of ``cases``: from ``cache_path`` when it holds them, else computed (and
    stored there)."""
    if cache_path is None:
        return compute(cases, k, make_index)
    key = cache_key(cases, k)
    cached = load(cache_path, key)
    if cached is not None:
        return cached
    figures = compute(cases, k, make_index)
    save(cache_path, key, figures)
    return figures
