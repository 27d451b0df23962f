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
    #: Plain values that YAML 1.1 reads as a date or time but that are none (``2025-02-30``):
    #: kept here as text, but a reader that converts dates (MkDocs') refuses the whole block.
    refused: dict[Path_, Position] = field(default_factory=dict)

    def position_of(self, path: Path_) -> Position | None:
        """Position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get(())


def dotted(path: Path_) -> str:
    """Render a data path the way authors read it: ``action_items[1].owner``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
