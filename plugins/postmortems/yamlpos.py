"""Load YAML front matter as JSON-compatible data, remembering where every key and value is.

PyYAML's composer gives every node a position; we build the Python values ourselves from
the node graph so that we can (a) record the line and column of each key, (b) reject
duplicate keys (PyYAML keeps the last one silently), (c) keep dates and times as strings so
that the JSON Schema checks their format, and (d) bound the work an alias bomb can cause.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from typing import Any

import yaml

from .positions import LoadedYaml, Path_, Position, Refusal, YamlProblem, dotted, skip_properties

__all__ = ["MAX_DEPTH", "MAX_NODES", "LoadedYaml", "Position", "YamlProblem", "dotted",
           "load_yaml"]

#: Upper bound on nodes visited, aliases included: a "billion laughs" document stops here.
MAX_NODES = 100_000
#: Deepest nesting of lists, mappings and merge keys accepted; a post-mortem needs about 3.
#: Building and validating the values recurses, so this bounds the stack they use.
MAX_DEPTH = 32
#: Longest number literal read as a number; longer ones stay text (Python refuses to
#: convert integers of thousands of digits, and no field needs them).
MAX_NUMBER_DIGITS = 64


# LibYAML's parser is several times faster than the pure-Python one and reports the same marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringTimestampLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves timestamps as strings (JSON has no date type)."""


_StringTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# YAML also breaks lines at a lone carriage return, NEL, LINE SEPARATOR and PARAGRAPH
# SEPARATOR; the file's lines, as every other position counts them, break only at "\n".
_OTHER_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class _LineMap:
    """Turns a YAML mark's line and column into the file's (both 0-based)."""

    def __init__(self, text: str) -> None:
        self.same = _OTHER_BREAK.search(text) is None
        if not self.same:
            self.yaml_starts = [0, *(m.end() for m in _YAML_BREAK.finditer(text))]
            self.file_starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]

    def __call__(self, mark: yaml.Mark) -> tuple[int, int]:
        if self.same:
            return mark.line, mark.column
        offset = self.yaml_starts[min(mark.line, len(self.yaml_starts) - 1)] + mark.column
        line = bisect_right(self.file_starts, offset) - 1
        return line, offset - self.file_starts[line]


class _Builder:
    def __init__(self, loader: _StringTimestampLoader, line_offset: int, text: str) -> None:
        self.loader = loader
        self.line_offset = line_offset
        self.lines = text.split("\n")
        self.where = _LineMap(text)
        self.result = LoadedYaml()
        self.visited = 0

    def position(self, mark: yaml.Mark) -> Position:
        line, column = self.where(mark)
        return Position(line + 1 + self.line_offset, column + 1)

    def pos(self, node: yaml.Node) -> Position:
        return self.position(node.start_mark)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooLarge
        if len(path) > MAX_DEPTH:
            raise _TooDeep(self.pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                self.result.positions[(*path, index)] = self.pos(item)
                out.append(self.build(item, (*path, index)))
            return out
        if isinstance(node, yaml.ScalarNode):
            self.result.values[path] = (self.pos(node), node.style, self.position(node.end_mark))
            if refusal := self._refusal(node):
                self.result.refused[path] = refusal
        return self._scalar(node)

    def _refusal(self, node: yaml.ScalarNode) -> Refusal | None:
        """Whether a YAML 1.1 reader takes this scalar for a whole number or (plain) a date
        or time that it cannot convert, or cannot convert it to the type its explicit tag
        names (``!!int abc``, ``!!float ''``, ``!!bool maybe``), and so refuses the whole
        document."""
        if not _converts_as_int(node):
            return Refusal(self.pos(node), "number")
        if not node.style and not _converts_as_timestamp(self.loader, node) \
                and not self._tagged(node):
            return Refusal(self.pos(node), "date")
        if not _constructs(self.loader, node):
            tag = node.tag.rsplit(":", 1)[-1]
            if tag == "timestamp" and _TIMESTAMP.match(node.value):
                return Refusal(self.pos(node), "date")
            return Refusal(self.pos(node), "tag", tag)
        return None

    def _tagged(self, node: yaml.Node) -> bool:
        """Whether the node is written with an explicit tag (``!!str 2026-02-30``)."""
        line, column = self.where(node.start_mark)
        written = "\n".join(self.lines[line : self.where(node.end_mark)[0] + 1])[column:]
        return skip_properties(written)[1]

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        if _merge_depth(node, MAX_DEPTH) > MAX_DEPTH - len(path):
            raise _TooDeep(self.pos(node))
        self.loader.flatten_mapping(node)  # resolve "<<" merge keys
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(key, str) and isinstance(key_node, yaml.ScalarNode) \
                    and (refusal := self._refusal(key_node)):
                self.result.refused_keys.setdefault((*path, key), refusal)
            if not isinstance(key, str):
                self.result.problems.append(
                    YamlProblem(
                        "front-matter-key",
                        f"key {key!r} is not a plain text key",
                        "write keys as plain words such as 'severity'",
                        self.pos(key_node),
                    )
                )
                continue
            if key in out:
                first = self.result.positions[(*path, key)]
                self.result.problems.append(
                    YamlProblem(
                        "duplicate-key",
                        f"duplicate key '{dotted((*path, key))}' "
                        f"(first defined on line {first.line})",
                        "keep one of the two; YAML would silently use the last one",
                        self.pos(key_node),
                    )
                )
                continue
            self.result.positions[(*path, key)] = self.pos(key_node)
            out[key] = self.build(value_node, (*path, key))
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_DIGITS:
            return node.value  # text: the schema then names the expected type
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self._unsupported(node, str(exc.problem))
            return None
        except Exception:
            # An explicit tag on a value it cannot convert ("!!int x", "!!int ''",
            # "!!timestamp 2026-02-30", "!!timestamp x"): kept as text, and reported as a
            # refusal (``_refusal``), as MkDocs' reader refuses the whole front matter.
            return node.value
        if isinstance(value, bytes | set):
            return str(value)
        return value


    def _unsupported(self, node: yaml.Node, problem: str) -> None:
        self.result.problems.append(
            YamlProblem(
                "yaml-syntax",
                f"unsupported YAML value: {problem}",
                "use plain strings, numbers, booleans, lists and mappings; drop '!!' tags",
                self.pos(node),
            )
        )


_INT_TAG = "tag:yaml.org,2002:int"
_NUMBER_TAGS = (_INT_TAG, "tag:yaml.org,2002:float")


def _implicit(wanted: str) -> re.Pattern[str]:
    return next(
        regexp
        for resolvers in yaml.SafeLoader.yaml_implicit_resolvers.values()
        for tag, regexp in resolvers
        if tag == wanted
    )


_TIMESTAMP = _implicit("tag:yaml.org,2002:timestamp")
_INT = _implicit(_INT_TAG)


def _converts_as_int(node: yaml.ScalarNode) -> bool:
    """False for a whole number a YAML 1.1 reader cannot convert: one of more digits than
    Python converts (4,300 unless configured otherwise).

    Decided from the digit count, without converting: a long base-60 value such as
    ``1:59:59:...`` converts part by part, which takes time quadratic in its length.
    """
    if node.tag != _INT_TAG or len(node.value) <= MAX_NUMBER_DIGITS \
            or not _INT.match(node.value):
        return True
    limit = sys.get_int_max_str_digits()
    if limit == 0:
        return True
    value = node.value.replace("_", "").lstrip("+-")
    if value.startswith(("0b", "0x", "0")):
        return True  # binary, hexadecimal, octal (and 0): bases Python converts at any length
    # Base 60: every part after the first is at most two digits; the first is converted alone.
    return len(value.split(":", 1)[0]) <= limit


# The scalar tags whose SafeLoader constructor can fail: a value written with one of them
# that it cannot convert makes ``yaml.safe_load`` raise. (``!!str`` and ``!!null`` take any
# scalar, so the strings that most values are never go through a second construction.)
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float", "binary", "timestamp")
)


def _constructs(loader: _StringTimestampLoader, node: yaml.ScalarNode) -> bool:
    """False for a scalar whose tag's SafeLoader constructor raises on its value (only an
    explicit tag gets there: implicit values are resolved by the constructor's own regexes,
    long whole numbers and dates aside, which ``_refusal`` checks first). An unknown tag is
    left to ``_Builder._scalar``, which reports it as unsupported."""
    if node.tag not in _SCALAR_TAGS:
        return True
    if node.tag == _INT_TAG and len(node.value) > MAX_NUMBER_DIGITS:
        # A whole number as YAML writes one was decided by ``_converts_as_int``.
        return bool(_INT.match(node.value)) or _int_constructs(node.value)
    construct = yaml.SafeLoader.yaml_constructors[node.tag]
    try:
        construct(loader, node)
    except Exception:
        return False
    return True


def _int_constructs(text: str) -> bool:
    """Whether ``SafeConstructor.construct_yaml_int`` converts ``text``, decided as it does,
    step by step, but without adding up the parts of a base-60 value (time quadratic in
    their number); Python refuses decimal values of more than its digit limit."""
    value = text.replace("_", "")
    if value[:1] in ("+", "-"):
        value = value[1:]
    if not value:
        return False  # PyYAML raises IndexError
    if value == "0":
        return True
    try:
        if value.startswith("0b"):
            int(value[2:], 2)
        elif value.startswith("0x"):
            int(value[2:], 16)
        elif value[0] == "0":
            int(value, 8)
        elif ":" in value:
            for part in value.split(":"):
                int(part)
        else:
            int(value)
    except ValueError:
        return False
    return True


def _converts_as_timestamp(loader: _StringTimestampLoader, node: yaml.ScalarNode) -> bool:
    """False for a plain value a YAML 1.1 reader takes for a date or time and cannot convert."""
    if node.tag != "tag:yaml.org,2002:str" or not _TIMESTAMP.match(node.value):
        return True
    try:
        yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return False
    return True


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    def __init__(self, position: Position) -> None:
        super().__init__(position)
        self.position = position


def _merge_depth(node: yaml.Node, limit: int) -> int:
    """How deep ``<<`` merge keys chain below ``node`` (stops counting past ``limit``).

    PyYAML's ``flatten_mapping`` recurses once per link of a chain, so a long chain would
    exhaust the stack before any value is built.
    """
    depth, frontier, seen = 0, [node], set()
    while frontier and depth <= limit:
        following = []
        for current in frontier:
            if id(current) in seen or not isinstance(current, yaml.MappingNode):
                continue
            seen.add(id(current))
            for key, value in current.value:
                if key.tag == "tag:yaml.org,2002:merge":
                    following.extend(value.value if isinstance(value, yaml.SequenceNode)
                                     else [value])
        if not following:
            break
        frontier, depth = following, depth + 1
    return depth


def load_yaml(text: str, line_offset: int = 0) -> LoadedYaml:
    """Load one YAML document; ``line_offset`` is added to every reported line."""
    loader = _StringTimestampLoader(text)
    builder = _Builder(loader, line_offset, text)
    try:
        node = loader.get_single_node()
        if node is not None:
            builder.result.positions[()] = builder.pos(node)
            builder.result.data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        # Report where the broken value starts (the context: "while parsing a flow
        # sequence" at its '['), not where the parser gave up, which may be lines later.
        opened = exc.context_mark is not None and any(
            word in (exc.context or "") for word in ("flow", "quoted", "block scalar")
        )
        mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
        position = builder.position(mark) if mark else Position(line_offset + 1, 1)
        problem = " ".join(filter(None, [exc.problem, exc.context and f"({exc.context})"]))
        builder.result.problems.append(
            YamlProblem(
                "yaml-syntax",
                f"YAML syntax error: {problem or 'cannot parse'}",
                "check indentation, colons and quotes on this line; "
                "quote values containing ': ' or '#'",
                position,
            )
        )
        builder.result.data = None
    except yaml.YAMLError as exc:  # reader errors (e.g. control characters) have no mark
        builder.result.problems.append(
            YamlProblem(
                "yaml-syntax",
                f"YAML error: {exc}",
                "remove unusual characters",
                Position(line_offset + 1, 1),
            )
        )
        builder.result.data = None
    except _TooLarge:
        builder.result.problems.append(
            YamlProblem(
                "yaml-too-large",
                f"front matter expands to more than {MAX_NODES} values",
                "front matter should be small; remove anchors/aliases that multiply content",
                Position(line_offset + 1, 1),
            )
        )
        builder.result.data = None
    except (_TooDeep, RecursionError) as exc:  # RecursionError: nesting the parser itself
        # could not follow, with no position of its own
        where = exc.position if isinstance(exc, _TooDeep) else Position(line_offset + 1, 1)
        builder.result.problems.append(
            YamlProblem(
                "yaml-too-deep",
                f"front matter nests lists, mappings or merge keys more than {MAX_DEPTH} deep",
                "front matter needs two or three levels; flatten the nesting",
                where,
            )
        )
        builder.result.data = None
    finally:
        loader.dispose()
    return builder.result
