"""Front-matter values are placed where they are written, whatever their YAML style."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
import yaml
from tests.conftest import VALID_POSTMORTEM, Project, run_cli

from postmortems.fieldtext import FieldText, align_value
from postmortems.pipeline import prose_fields
from postmortems.yamlpos import load_yaml

SUMMARY = "  summary: The promoted replica kept the default limit of 100 connections."
STYLES = {
    "plain": "  summary: The on-call engineer forgot to raise it.",
    "plain on two lines": "  summary: The replica kept its limit\n"
    "    and the on-call engineer forgot to raise it.",
    "folded": "  summary: >\n    The replica kept its limit\n"
    "    and the on-call engineer forgot to raise it.",
    "literal": "  summary: |\n    The replica kept its limit.\n"
    "      The on-call engineer forgot to raise it.",
    "double-quoted with escapes": '  summary: "The \\"replica\\" kept\\u00e9 its limit\n'
    '    and the on-call engineer forgot to raise it."',
    "single-quoted": "  summary: 'The ''replica'' kept its limit\n"
    "    and the on-call engineer forgot to raise it.'",
    "double-quoted, an escaped line break, deep indent": '  summary: "The replica kept its'
    ' limit, and \\\n              the on-call engineer forgot to raise it."',
    "single-quoted, a doubled quote ending a line": "  summary: 'The replica kept the"
    " ''default''\n              limit; the on-call engineer forgot to raise it.'",
    "double-quoted, text that is not ASCII as escapes (as yaml.dump writes it)":
    '  summary: "Caf\\xE9 na\\xEFve \\xE9\\xE8\\xEA\\u00e9\\U0001F600 \\u2014 the on-call engineer'
    ' forgot to raise it."',
    "with a long anchor": "  summary: &a_long_anchor_name_here The on-call engineer forgot it.",
    "with an anchor and a tag": "  summary: !!str &anchor The on-call engineer forgot it.",
}


@pytest.mark.parametrize("style", STYLES)
def test_a_finding_in_a_value_points_at_its_words(project: Project, style: str) -> None:
    text = VALID_POSTMORTEM.replace(SUMMARY, STYLES[style])
    project.incident("a.md", text)
    found = [f for f in run_cli("check", "--format", "json", cwd=project.root).json["findings"]
             if f["rule"] == "agent/oversight"]
    assert len(found) == 1, found
    finding, lines = found[0], text.split("\n")
    written = lines[finding["line"] - 1][finding["column"] - 1 : finding["end_column"] - 1]
    assert written.lower() == "the on-call engineer forgot"


def _fields(text: str) -> list[FieldText]:
    front = load_yaml(text, line_offset=1)
    return prose_fields(front, ["root_cause.summary", "action_items[].action"], "\n" + text)


def _placed(field: FieldText, text: str) -> Iterator[tuple[int, str, str]]:
    """Each non-space character of the value, with the file's text from where it is placed."""
    lines = ("\n" + text).split("\n")
    for offset, char in enumerate(field.text):
        if char.isspace():
            continue
        line = field.text.count("\n", 0, offset) + 1
        column = offset - (field.text.rfind("\n", 0, offset) + 1) + 1
        file_line, file_column = field.place(line, column)
        yield offset, char, lines[file_line - 1][file_column - 1 :]


def test_every_written_character_of_a_value_is_found_where_it_is_written() -> None:
    words = ["the", "replica", "kept", "it's", "limit", "née", "a:b", "#1", "x" * 30, "é",
             "\u00e9\u00e8", "tab\there", "'quoted'", '"dq"', "back\\slash"]
    rng = random.Random(7)
    for _ in range(600):
        value = " ".join(rng.choice(words) for _ in range(rng.randint(1, 25)))
        style = rng.choice([None, '"', "'", "|", ">"])
        nested = rng.choice([{"root_cause": {"summary": value}},
                             {"action_items": [{"owner": "x", "action": value}]}])
        text = yaml.safe_dump(nested, default_style=style, width=rng.randint(12, 60),
                              indent=rng.choice([2, 4, 6, 8]), allow_unicode=True)
        [field] = _fields(text)
        assert field.text.rstrip("\n") == value
        for offset, char, written in _placed(field, text):
            assert written[0] == char, (text, offset)


_ESCAPE = re.compile(r'\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[^\n])')


def test_characters_written_as_escapes_are_found_at_their_escapes() -> None:
    words = ["the", "limit", "née", "é", "\u00e9\u00e8\u00ea", "😀", "—", "tab\there", '"dq"',
             "back\\slash", "x" * 30]
    rng = random.Random(11)
    for _ in range(300):
        value = " ".join(rng.choice(words) for _ in range(rng.randint(1, 25)))
        text = yaml.safe_dump({"root_cause": {"summary": value}}, default_style='"',
                              width=rng.randint(12, 60), allow_unicode=False)
        [field] = _fields(text)
        for offset, char, written in _placed(field, text):
            escape = _ESCAPE.match(written)
            assert written[0] == char or (
                escape is not None and yaml.safe_load(f'"{escape.group()}"') == char
            ), (text, offset)


def test_a_value_with_no_text_of_its_own_gives_no_runs() -> None:
    assert align_value("", ["summary: ''"], *_marks("summary: ''")) == ()


def test_alignment_is_linear_where_nothing_matches() -> None:
    # Characters written as escapes after a long run of whitespace: each is looked for a
    # bounded number of written characters ahead, not through the whole run again.
    value = "x " + "\a" * 20_000
    text = 'summary: "x\n' + " " * 20_000 + "\\a" * 20_000 + '"'
    runs = align_value(value, text.split("\n"), *_marks(text))
    assert runs[0] == (0, 1, 11) and len(runs) < len(value)


def test_a_plain_tuple_keeps_the_first_lines_column() -> None:
    field = FieldText("title", "one\ntwo", 3, 8)
    assert field.place(1, 2) == (3, 9)
    assert field.place(2, 1) == (4, 8)


def _marks(text: str) -> tuple:
    front = load_yaml(text)
    start, style, end = front.values[("summary",)]
    return start, end, style
