"""What loading YAML front matter gives: the data, where each key and value is, and the
problems found (apart from the loader, so that reading a cached result needs no YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """1-based line and column in the file."""

    line: int
    column: int


@dataclass(frozen=True)
class Refusal:
    """Where a scalar starts that a YAML 1.1 reader converting values (MkDocs') cannot
    convert, and so refuses the whole front matter for; ``kind`` is ``"date"`` for an
    impossible date or time, ``"number"`` for a whole number of more digits than Python
    converts (``sys.get_int_max_str_digits()``), ``"tag"`` for a value with an explicit
    tag (``!!int``, ``!!float``, ``!!bool``, ...) that the tag's constructor cannot convert;
    ``tag`` is then the tag's short name (``int``)."""

    position: Position
    kind: str
    tag: str = ""


@dataclass
class YamlProblem:
    """A problem found while loading: syntax, duplicate key, unsupported value."""

    rule: str
    message: str
    hint: str
    position: Position


@dataclass
class LoadedYaml:
    """The data, the position of every path in it, and any problems found."""

    data: Any = None
    positions: dict[Path_, Position] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)
    #: Where each scalar value starts, its YAML style (``'"'``, ``"'"``, ``"|"``, ``">"``
    #: or None for a plain scalar), and where it ends.
    values: dict[Path_, tuple[Position, str | None, Position]] = field(default_factory=dict)
    #: Values kept here as text that a reader converting values (MkDocs') refuses the whole
    #: block for: plain values that YAML 1.1 reads as a date or time but that are none
    #: (``2025-02-30``), and whole numbers too long for Python to convert.
    refused: dict[Path_, Refusal] = field(default_factory=dict)
    #: The same for keys: the path of each such key (its mapping's path, then the key).
    refused_keys: dict[Path_, Refusal] = field(default_factory=dict)

    def position_of(self, path: Path_) -> Position | None:
        """Position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get(())


def skip_properties(written: str) -> tuple[int, bool]:
    """Where a YAML node's own text starts in ``written`` (the text from its start mark),
    past the anchors and tags before it (``&name !!str``), and whether it has an explicit
    tag. A lone ``!`` is no tag of its own: YAML 1.1 readers still resolve the value."""
    at, tagged = 0, False
    while written[at : at + 1] in ("&", "!"):
        tagged = tagged or (written[at] == "!" and not written[at + 1 : at + 2].isspace())
        while at < len(written) and not written[at].isspace():
            at += 1
        while at < len(written) and written[at].isspace():
            at += 1
    return at, tagged


def value_at(data: object, path: Path_) -> object:
    """The value at ``path`` in ``data``, or None where the path leads nowhere."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def dotted(path: Path_) -> str:
    """Render a data path the way authors read it: ``action_items[1].owner``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
