#!/usr/bin/env python3
"""Deterministic dev/test split, by document, of the real-text evaluation corpus.

    python scripts/split_corpus.py tests/language/real/sources.yml -o tests/language/real/split.yml

Documents are dealt in collection batches (sources.yml ``batch``, 1 when absent), in batch order,
so adding a batch never moves a document of an earlier one. Within a batch, documents are
ordered by the SHA-256 of their id. Candid documents are dealt first, each to the part holding
fewer candid documents (ties: fewer segments, then ``dev``); the other documents then go, in the
same order, to the part holding fewer segments (ties: ``dev``). The counts carry over from the
earlier batches, which keeps the candid share equal to within one document and the segment
counts close.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["main", "make_split", "render_split"]

PARTS = ("dev", "test")
NOTE = (
    "Split by document, never by segment. Documents are dealt batch by batch (sources.yml "
    "`batch`, 1 when absent), so a new batch never moves an earlier document. Within a batch, "
    "documents are ordered by the SHA-256 of their id; candid documents (sources.yml "
    "`candid: true`) are dealt first, each to the part with fewer candid documents (ties: fewer "
    "segments, then dev), then the remaining documents go to the part with fewer segments "
    "(ties: dev), counting every document dealt so far. Regenerate with "
    "scripts/split_corpus.py. The test part is for measurement only and is never used to tune "
    "rules."
)


def _key(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def _batch(doc: dict[str, Any]) -> int:
    return int(doc.get("batch", 1))


def make_split(documents: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Assign each document (``doc``, ``segments``, ``candid``, ``batch``) to dev or test."""
    parts: dict[str, list[str]] = {p: [] for p in PARTS}
    segs = dict.fromkeys(PARTS, 0)
    candid = dict.fromkeys(PARTS, 0)
    for batch in sorted({_batch(d) for d in documents}):
        ordered = sorted((d for d in documents if _batch(d) == batch), key=lambda d: _key(d["doc"]))
        for d in (d for d in ordered if d.get("candid")):
            part = min(PARTS, key=lambda p: (candid[p], segs[p], PARTS.index(p)))
            parts[part].append(d["doc"])
            candid[part] += 1
            segs[part] += int(d["segments"])
        for d in (d for d in ordered if not d.get("candid")):
            part = min(PARTS, key=lambda p: (segs[p], PARTS.index(p)))
            parts[part].append(d["doc"])
            segs[part] += int(d["segments"])
    return {p: sorted(docs) for p, docs in parts.items()}


def render_split(documents: list[dict[str, Any]]) -> str:
    """The split.yml text for these documents: note, per-part counts and document lists."""
    split = make_split(documents)
    by_doc = {d["doc"]: d for d in documents}
    data: dict[str, Any] = {"note": NOTE, "counts": {}}
    for part, docs in split.items():
        data["counts"][part] = {
            "documents": len(docs),
            "segments": sum(int(by_doc[d]["segments"]) for d in docs),
            "candid_documents": sum(bool(by_doc[d].get("candid")) for d in docs),
        }
    data.update(split)
    return yaml.safe_dump(data, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: write split.yml from sources.yml."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="sources.yml")
    parser.add_argument("-o", "--output", type=Path, help="split.yml (default: stdout)")
    args = parser.parse_args(argv)
    docs = yaml.safe_load(args.sources.read_text(encoding="utf-8"))["documents"]
    text = render_split(docs)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
