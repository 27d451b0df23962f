"""Sections and tables with source lines."""

from __future__ import annotations

from postmortems.markdown import parse_document, prose_words, slugify

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
    doc = parse_document(BODY, first_line=10)
    assert doc.title == "Title" and doc.title_line == 10
    assert [(s.slug, s.line) for s in doc.sections] == [
        ("summary", 14),
        ("timeline", 24),
        ("root-cause", 31),
    ]
    assert "## not a heading" in doc.section("summary").text


def test_tables_with_lines_and_escaped_pipes() -> None:
    doc = parse_document(BODY, first_line=10)
    [table] = doc.section("timeline").tables
    assert table.line == 26
    assert [(r.line, r.cells["Event"]) for r in table.rows] == [(28, "A | B"), (29, "C")]


def test_slugify_and_words() -> None:
    assert slugify("Root  Cause!") == "root-cause"
    assert prose_words("<!-- hidden words -->\nTwo words\n```\ncode code\n```") == 2
