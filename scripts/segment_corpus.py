#!/usr/bin/env python3
"""Segment post-mortem text (plain text or Markdown) into sentences, list items and table rows.

Used to build ``tests/language/real/segments.jsonl`` from the saved raw documents in
``tests/language/real/raw/<doc>.md``::

    python scripts/segment_corpus.py tests/language/real/raw -o tests/language/real/segments.jsonl

Headings are not segments (they set the ``section`` of what follows); fenced and indented code
blocks, HTML blocks and comments, images, rules, front matter and link-only lines are skipped.
Inline Markdown is reduced to its text: ``[text](url)`` becomes ``text``, images and bare
heading anchors are dropped, ``**``/``__`` emphasis markers are removed; inline code keeps its
backticks. Whitespace is normalised; otherwise the text is kept verbatim.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Segment", "main", "segment_dir", "segment_markdown", "split_sentences"]


@dataclass(frozen=True)
class Segment:
    """One unit of prose: a sentence, a list item (or one sentence of it) or a table row."""

    section: str
    kind: str  # "sentence" | "list-item" | "table-row"
    text: str


_FENCE = re.compile(r"^\s*(```+|~~~+)(?!.*(```|~~~))")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_REFLINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_ANCHOR = re.compile(r"\[\]\(#[^)]*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_LETTER = re.compile(r"[A-Za-z]")

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "approx",
    "ca",
    "cf",
    "no",
    "inc",
    "ltd",
    "co",
    "jr",
    "sr",
    "fig",
    "u.s",
    "a.m",
    "p.m",
    "est",
    "min",
    "max",
    "resp",
    "al",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_BOUNDARY = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+(?=[\"'“‘(\[*_`]?[A-Z0-9])")


def clean_inline(text: str) -> str:
    """Reduce inline Markdown/HTML to its text and normalise whitespace."""
    text = _COMMENT.sub(" ", text)
    text = _IMAGE.sub(" ", text)
    text = _ANCHOR.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _REFLINK.sub(lambda m: m.group(1), text)
    text = _STRONG.sub(lambda m: m.group(2), text)
    text = _TAG.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Split normalised prose into sentences (abbreviation- and number-aware)."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start() + len(m.group(1))
        head = text[start:end]
        word = re.search(r"(\S+)$", head)
        token = word.group(1).rstrip(".!?\"'”’)]").lower() if word else ""
        if head.endswith(".") and (token in _ABBREV or re.fullmatch(r"[a-z]", token)):
            continue
        out.append(head.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def _is_prose(text: str) -> bool:
    return bool(_LETTER.search(text))


def _is_link_only(raw: str) -> bool:
    """A line made only of links, images and punctuation (a link list entry, a badge)."""
    rest = _LINK.sub("", _IMAGE.sub("", raw))
    rest = re.sub(r"<?https?://\S+>?", "", rest)
    return not _LETTER.search(rest) and bool(_LINK.search(raw) or "http" in raw)


def _strong_only(raw: str) -> str | None:
    """Text of a line that is entirely bold (used as a pseudo-heading), else None."""
    m = re.fullmatch(r"\s*(\*\*|__)(.+?)\1\s*:?\s*", raw)
    return clean_inline(m.group(2)) if m else None


def _table_cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [clean_inline(c) for c in re.split(r"(?<!\\)\|", body)]


def _blocks(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Yield (kind, lines) blocks: heading, para, item, table, skip."""
    i, n = 0, len(lines)
    if lines and lines[0].strip() == "---":  # YAML front matter
        for j in range(1, n):
            if lines[j].strip() in ("---", "..."):
                i = j + 1
                break
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            mark = fence.group(1)[0] * 3
            i += 1
            while i < n and not lines[i].strip().startswith(mark):
                i += 1
            i += 1
            continue
        if stripped.startswith("<!--"):
            while i < n and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            yield "heading", [atx.group(2)]
            i += 1
            continue
        if _RULE.match(line):
            i += 1
            continue
        if stripped.startswith("|") or (
            "|" in stripped and i + 1 < n and _TABLE_SEP.match(lines[i + 1])
        ):
            rows = []
            while i < n and lines[i].strip() and "|" in lines[i]:
                rows.append(lines[i])
                i += 1
            yield "table", rows
            continue
        item = _LIST.match(line)
        if item:
            buf = [item.group(3)]
            i += 1
            while i < n:
                nxt = lines[i]
                if not nxt.strip() or _FENCE.match(nxt) or _ATX.match(nxt):
                    break
                sub = _LIST.match(nxt)
                if sub or nxt.strip().startswith("|"):
                    break
                buf.append(nxt.strip())
                i += 1
            yield "item", buf
            continue
        if line.startswith(("    ", "\t")):  # indented code block
            while i < n and (lines[i].startswith(("    ", "\t")) or not lines[i].strip()):
                i += 1
            continue
        para = [line]
        i += 1
        while i < n:
            nxt = lines[i]
            if not nxt.strip() or _FENCE.match(nxt) or _ATX.match(nxt) or _LIST.match(nxt):
                break
            if _SETEXT.match(nxt) and len(para) == 1:
                yield "heading", para
                para = []
                i += 1
                break
            if nxt.strip().startswith("|"):
                break
            para.append(nxt)
            i += 1
        if para:
            yield "para", para


def segment_markdown(text: str) -> list[Segment]:
    """Segment one document's Markdown or plain text into prose segments."""
    section = ""
    out: list[Segment] = []
    for kind, lines in _blocks(text.replace("\r\n", "\n").split("\n")):
        if kind == "heading":
            section = clean_inline(lines[0])
            continue
        if kind == "table":
            body = [r for r in lines if not _TABLE_SEP.match(r)]
            has_header = len(lines) > 1 and _TABLE_SEP.match(lines[1]) is not None
            for row in body[1:] if has_header else body:
                cells = [c for c in _table_cells(row) if c]
                joined = " | ".join(cells)
                if _is_prose(joined):
                    out.append(Segment(section, "table-row", joined))
            continue
        raw = " ".join(x.strip() for x in lines)
        raw = re.sub(r"^(>\s*)+", "", raw).strip()
        if raw.startswith("<") and raw.rstrip().endswith(">"):
            continue  # an HTML block: bylines, embeds, widgets
        if _is_link_only(raw):
            continue
        label = _strong_only(raw)
        if label is not None:  # a bold-only line or list label acts as a heading
            section = label
            continue
        text_ = clean_inline(raw)
        if not _is_prose(text_):
            continue
        seg_kind = "list-item" if kind == "item" else "sentence"
        for sentence in split_sentences(text_):
            if _is_prose(sentence):
                out.append(Segment(section, seg_kind, sentence))
    return out


def segment_dir(raw_dir: Path) -> Iterable[dict[str, str]]:
    """Segment every ``<doc>.md`` in ``raw_dir`` (sorted by name) into JSONL records."""
    for path in sorted(raw_dir.glob("*.md")):
        doc = path.stem
        for n, seg in enumerate(segment_markdown(path.read_text(encoding="utf-8")), start=1):
            yield {
                "id": f"{doc}#{n}",
                "doc": doc,
                "section": seg.section,
                "kind": seg.kind,
                "text": seg.text,
            }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: segment a folder of raw documents into JSONL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path, help="folder of <doc>.md raw documents")
    parser.add_argument("-o", "--output", type=Path, help="JSONL output (default: stdout)")
    args = parser.parse_args(argv)
    lines = [json.dumps(r, ensure_ascii=False) for r in segment_dir(args.raw_dir)]
    data = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        args.output.write_text(data, encoding="utf-8")
    else:
        sys.stdout.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
