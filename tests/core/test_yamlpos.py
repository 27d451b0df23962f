"""Position-aware YAML loading."""

from __future__ import annotations

import sys

import pytest
import yaml

from postmortems.positions import Refusal
from postmortems.yamlpos import MAX_NODES, Position, load_yaml


def test_positions_of_nested_keys_and_items() -> None:
    loaded = load_yaml("a: 1\nitems:\n  - x: 2\n    y: [3, 4]\n", line_offset=1)
    assert loaded.data == {"a": 1, "items": [{"x": 2, "y": [3, 4]}]}
    assert loaded.positions[("a",)] == Position(2, 1)
    assert loaded.positions[("items", 0)] == Position(4, 5)
    assert loaded.positions[("items", 0, "y")] == Position(5, 5)
    assert loaded.position_of(("items", 0, "missing")) == Position(4, 5)


def test_plain_values_that_read_as_impossible_dates_are_noted() -> None:
    loaded = load_yaml(
        "tags: [a, 2026-02-30]\nat: 2026-03-14 25:00:00\nquoted: '2026-02-30'\n"
        "real: 2026-02-28\nword: 2026-02-30x\nblock: |\n  2026-02-30\n",
        line_offset=1,
    )
    assert loaded.refused == {
        ("tags", 1): Refusal(Position(2, 11), "date"),
        ("at",): Refusal(Position(3, 5), "date"),
    }
    assert loaded.data["tags"] == ["a", "2026-02-30"]
    # An explicit tag says what it is, and YAML readers keep it as text.
    assert load_yaml("tags: [!!str 2026-02-30, &a !!str 2026-02-30]\n").refused == {}
    assert load_yaml("at: &a 2026-02-30\n").refused == {("at",): Refusal(Position(1, 5), "date")}


def test_whole_numbers_too_long_to_convert_are_noted() -> None:
    limit = sys.get_int_max_str_digits()
    big, most = "9" * (limit + 1), "9" * limit
    loaded = load_yaml(
        f"a: {big}\nb: [-1_{big}, '{big}', !!str {big}, {most}, 0x{big}, {big}.5]\n"
        f"? {big}\n: x\n"
    )
    assert loaded.refused == {
        ("a",): Refusal(Position(1, 4), "number"),
        ("b", 0): Refusal(Position(2, 5), "number"),
    }
    assert loaded.refused_keys == {(big,): Refusal(Position(3, 3), "number")}
    assert loaded.data["a"] == big and loaded.problems == []


def _int_converts(text: str) -> bool:
    """What a YAML reader decides, by converting: whether ``text`` loads as a number."""
    try:
        yaml.safe_load(f"v: {text}\n")
    except ValueError:
        return False
    return True


def test_whole_numbers_are_refused_by_digit_count(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = sys.get_int_max_str_digits()
    big, most = "9" * (limit + 1), "9" * limit
    cases = [
        big, most, f"-{big}", f"+{most}", f"1_{most}", f"{most[:-1]}_9",
        f"{big}:30", f"{most}:30", f"{most}:59:05", "1" + ":59" * 3000,
        f"0x{big}", f"-0b{'1' * (limit + 1)}", f"0{'7' * (limit + 1)}", "1" * 70,
    ]
    expected = {text: _int_converts(text) for text in cases}
    assert not expected[big] and not expected[f"{big}:30"] and expected[f"{most}:30"]
    long_base60 = "1" + ":59" * 160_000  # 480 KB: converting it part by part takes seconds

    def no_conversion(*args: object) -> None:
        raise AssertionError("a long whole number was converted to decide whether it converts")

    monkeypatch.setattr(yaml.constructor.SafeConstructor, "construct_yaml_int", no_conversion)
    for text, converts in expected.items():
        assert (load_yaml(f"v: {text}\n").refused == {}) is converts, text[:20]
    loaded = load_yaml(f"tags: [{long_base60}]\n")
    assert loaded.refused == {} and loaded.data == {"tags": [long_base60]}
    monkeypatch.setattr(sys, "get_int_max_str_digits", lambda: 0)  # 0: no limit
    assert load_yaml(f"v: {big}\nw: {big}:30\n").refused == {}


def test_timestamps_stay_strings() -> None:
    loaded = load_yaml("due: 2026-04-15\nat: 2026-03-14T09:02:00Z\n")
    assert loaded.data == {"due": "2026-04-15", "at": "2026-03-14T09:02:00Z"}


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    loaded = load_yaml("a: 1\nb:\n  c: 1\n  c: 2\n")
    [problem] = loaded.problems
    assert problem.rule == "duplicate-key"
    assert problem.position == Position(4, 3)
    assert "b.c" in problem.message and "line 3" in problem.message
    assert loaded.data == {"a": 1, "b": {"c": 1}}


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]")
    loaded = load_yaml("\n".join(lines))
    assert [p.rule for p in loaded.problems] == ["yaml-too-large"]
    assert str(MAX_NODES) in loaded.problems[0].message


def test_syntax_error_position() -> None:
    loaded = load_yaml("a: 1\nb: c: d\n", line_offset=1)
    [problem] = loaded.problems
    assert problem.rule == "yaml-syntax"
    assert problem.position.line == 3


def test_non_string_keys_are_reported() -> None:
    loaded = load_yaml("1: one\nok: yes\n")
    assert [p.rule for p in loaded.problems] == ["front-matter-key"]
    assert loaded.data == {"ok": True}


def test_positions_count_only_newlines_as_line_breaks() -> None:
    # YAML also breaks lines at NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR and a lone carriage
    # return; the file's lines, as editors and every other finding count them, do not.
    text = 'a: "x\u2028y"\nb: [1, "\u00fc\u2029", 3]\nc: "\x85"\nd: 1\n'
    loaded = load_yaml(text, line_offset=1)
    assert loaded.positions[("b",)] == Position(3, 1)
    assert loaded.positions[("b", 2)] == Position(3, 14)
    assert loaded.positions[("d",)] == Position(5, 1)
    assert loaded.values[("d",)][0] == Position(5, 4)
    assert load_yaml("a: 1\r\nb: 2\r\n").positions[("b",)] == Position(2, 1)
    # A syntax error after one is placed on the file's line too.
    broken = load_yaml("# note\u2028more\nb: 1\n")
    assert broken.problems and broken.problems[0].position.line == 2
    assert load_yaml("a: x\ry\nb: 1\n").problems[0].position.line == 2


_TAGGED = [
    "!!int abc", "!!int " + "a" * 70, "!!float abc", "!!float " + "a" * 70, "!!int ''",
    "!!int _", "!!int '-'", "!!float ''", "!!float 1:x", "!!int 0999", "!!int 0b102",
    "!!int 0x" + "g" * 70, "!!int " + "1:" * 40 + "x", "!!int " + "9" * 5000,
    "!!timestamp soon", "!!timestamp 2026-02-30", "!!bool maybe", "!!bool ''",
    # ... and tagged values PyYAML converts
    "!!int 12", "!!int '12'", "!!int +0", "!!int 1:99", "!!int " + "1:" * 40 + "1",
    "!!int 0x" + "f" * 70, "!!int " + "9" * 70, "!!float " + "1" * 5000, "!!float .inf",
    "!!float 1:30", "!!bool yes", "!!null x", "!!binary '@@'", "!!str 12", "!!timestamp 2026-02-28",
    "12", "abc", "2026-02-28",
]


@pytest.mark.parametrize("value", _TAGGED, ids=[v[:24] for v in _TAGGED])
@pytest.mark.parametrize("place", ["tags: [a, {}]\n", "tags:\n  - {}\n", "title: {}\n"])
def test_a_value_is_refused_exactly_when_safe_load_refuses_it(place: str, value: str) -> None:
    text = place.format(value)
    try:
        yaml.safe_load(text)
    except Exception:  # MkDocs' reader catches every exception and drops the front matter
        refused = True
    else:
        refused = False
    loaded = load_yaml(text)
    assert loaded.problems == []
    assert bool(loaded.refused) == refused
    if refused:
        [refusal] = loaded.refused.values()
        start = text.index(value)
        line_start = text.rfind("\n", 0, start) + 1
        assert refusal.position == Position(text.count("\n", 0, start) + 1, start - line_start + 1)
