"""The body model: sections, tables, prose and comments, and that its sections are the
headings a reader gets from the site's renderer."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown as python_markdown
import pytest
import yaml

from postmortems import markdown
from postmortems.markdown import parse_body, slugify
from postmortems.source import split_front_matter

REPO = Path(__file__).resolve().parents[2]

BODY = """# Title

Intro.

## Summary

Text here.

```bash
## not a heading
```

### Sub heading stays in Summary

## Timeline

| Time | Event |
|------|-------|
| 09:00 | A \\| B |
| 09:05 | C |

## Root Cause ##
"""


def test_sections_lines_and_fences() -> None:
    doc = parse_body(BODY, first_line=10)
    assert doc.title == "Title" and doc.title_line == 10
    assert [(s.slug, s.line, s.end_line) for s in doc.sections] == [
        ("summary", 14, 23),
        ("timeline", 24, 30),
        ("root-cause", 31, 31),
    ]
    summary = doc.section("summary")
    assert summary is not None
    assert "Sub heading stays in Summary" in doc.prose.section_text(summary)
    assert "not a heading" not in doc.prose.text
    assert [(c.line, c.end_line) for c in doc.code_blocks] == [(18, 20)]


def test_tables_with_lines_and_escaped_pipes() -> None:
    doc = parse_body(BODY, first_line=10)
    section = doc.section("timeline")
    assert section is not None
    [table] = section.tables
    assert table.line == 26
    assert table.headers == ["Time", "Event"]
    assert [(r.line, r.cells["Event"]) for r in table.rows] == [(28, "A | B"), (29, "C")]
    assert [(c.line, c.column) for c in table.rows[1].positions] == [(29, 2), (29, 10)]


def test_slugify_and_words() -> None:
    assert slugify("Root  Cause!") == "root-cause"
    doc = parse_body("## S\n\n<!-- hidden words -->\nTwo words `code`\n```\ncode code\n```\n")
    [section] = doc.sections
    assert doc.words(section) == 2


def test_prose_positions_skip_markup() -> None:
    text = "Para with **bold** and [a link](https://x.example/y) and `code`.\n"
    doc = parse_body("## S\n\n" + text, first_line=5)
    [segment] = [s for s in doc.prose.segments if s.kind == "paragraph"]
    piece = doc.prose.text[segment.start : segment.end]
    assert "https" not in piece and "code" not in piece and "*" not in piece
    offset = segment.start + piece.index("link")
    assert segment.locate(offset) == (7, text.index("link") + 1)


def test_non_ascii_columns_are_characters() -> None:
    doc = parse_body("## S\n\nCafé — naïve “quotes” then target word\n")
    [segment] = [s for s in doc.prose.segments if s.kind == "paragraph"]
    offset = doc.prose.text.index("target")
    line = "Café — naïve “quotes” then target word"
    assert segment.locate(offset) == (3, line.index("target") + 1)


def test_comments_annotate_their_block() -> None:
    body = "Text <!-- same line -->\n\n<!-- own line -->\nNext para.\n\n<!--\nmulti\n-->\n"
    doc = parse_body(body)
    blocks = {s.lines[0]: s.block for s in doc.prose.segments}
    assert [(c.text, c.line, c.column) for c in doc.comments] == [
        ("<!-- same line -->", 1, 6),
        ("<!-- own line -->", 3, 1),
        ("<!--\nmulti\n-->", 6, 1),
    ]
    assert doc.comments[0].block == blocks[1]
    assert doc.comments[1].block == blocks[4]
    assert doc.visible[0].strip() == "Text"


def test_visible_lines_hide_code_and_comments() -> None:
    doc = parse_body("## S\n\nTODO `TODO` <!-- TODO -->\n")
    assert [(n, line.rstrip()) for n, line in doc.visible_lines()] == [(1, "## S"), (3, "TODO")]


# -- agreement with the site's renderer ---------------------------------------------------

TRICKY = {
    "comment": "# T\n\n## Summary\n\ntext\n\n<!--\n## Root Cause\n-->\n\n## Impact\n\nx\n",
    "tilde-fence": "## Summary\n\n~~~\n## Root Cause\n~~~\n",
    "indented-code": "## Summary\n\ntext\n\n    ## Root Cause\n\nmore\n",
    "setext": "Summary\n-------\n\ntext\n\nRoot Cause\n==========\n\nx\n",
    "list": "## Summary\n\n- item\n\n    ## Root Cause\n\n- other\n",
    "quote": "## Summary\n\n> ## Root Cause\n> quoted\n",
    "admonition": (
        '## Summary\n\n!!! note "Title"\n    ## Root Cause\n\n    body\n\n## Impact\n\nx\n'
    ),
    "details": "## Summary\n\n??? info\n\n    ## Root Cause\n\n    hidden\n",
    "raw-details": (
        "## Summary\n\n<details><summary>More</summary>\n\n## Root Cause\n\n</details>\n"
    ),
    "raw-div": "<div>\n\n## Root Cause\n\n</div>\n\n## Impact\n\nx\n",
    "md-in-html": "<div markdown>\n\n## Root Cause\n\ntext\n\n</div>\n",
    "attr-list": "## Root Cause {#why}\n\ntext\n",
    "closing-hashes": "## Root Cause ##\n\ntext\n",
}


class _TopHeadings(HTMLParser):
    """Level 1 and 2 headings that are not inside any other element."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.found: list[str] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2") and self.depth == 0:
            self.current = []
        if tag not in ("br", "hr", "img", "input"):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "hr", "img", "input"):
            self.depth -= 1
        if tag in ("h1", "h2") and self.depth == 0 and self.current is not None:
            self.found.append("".join(self.current).strip())
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def _site_renderer() -> python_markdown.Markdown:
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    names, configs = [], {}
    for entry in config["markdown_extensions"]:
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        names.append(name)
        configs[name] = {k: v == "true" if v in ("true", "false") else v
                         for k, v in (options or {}).items()}
    configs["toc"]["permalink"] = False
    return python_markdown.Markdown(extensions=names, extension_configs=configs)


def _rendered_headings(body: str) -> list[str]:
    parser = _TopHeadings()
    parser.feed(_site_renderer().convert(body))
    return parser.found


def _checker_headings(body: str) -> list[str]:
    doc = parse_body(body)
    found = [(s.line, s.heading) for s in doc.sections]
    if doc.title is not None:
        found.append((doc.title_line, doc.title))
    return [heading for _, heading in sorted(found)]


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_checker_sees_the_rendered_headings_of_tricky_bodies(name: str) -> None:
    body = TRICKY[name]
    assert [slugify(h) for h in _checker_headings(body)] == [
        slugify(h) for h in _rendered_headings(body)
    ]


@pytest.mark.parametrize(
    "path", sorted((REPO / "incidents").rglob("*.md")), ids=lambda p: p.name
)
def test_checker_sees_the_rendered_headings_of_every_sample(path: Path) -> None:
    _, _, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    assert _checker_headings(body) == _rendered_headings(body)


def _naive_piece(text: str, ranges: list[tuple[int, int]], left: int, right: int) -> str:
    chars = [" "] * (right - left)
    for s, e in ranges:
        chars[s - left : e - left] = text[s:e]
    return "".join(chars)


def test_line_pieces_blank_what_no_range_covers() -> None:
    rng = random.Random(3)
    text = "".join(rng.choice("ab c") for _ in range(80))
    for _ in range(2000):
        ranges = sorted((s, s + rng.randrange(0, 12))
                        for s in rng.sample(range(60), rng.randrange(1, 6)))
        left, right = ranges[0][0], ranges[-1][1]
        assert markdown._line_piece(text, ranges, left, right) == _naive_piece(
            text, ranges, left, right)


@pytest.mark.parametrize("text", [
    "plain words only", "see https://x.example/a?b=1 now", "mail ops@example.org today",
    "a &amp; b &#38; c", "www.example.org and a@b.co and &lt; and ftp://h/x\n@x &",
    "café@exámple.org ünïcode://x", "@ & :// www. alone", "x" * 50 + "@" + "y" * 50,
])
def test_prose_masks_match_the_full_pattern(text: str) -> None:
    full = re.compile("|".join(pattern for _, pattern in markdown._MASKS))
    expected = full.sub(lambda m: markdown._NOT_NEWLINE.sub(" ", m.group()), text)
    assert markdown._mask_prose(text) == expected
