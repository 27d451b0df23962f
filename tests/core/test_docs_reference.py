"""The configuration reference documents every plugin option and every CLI flag."""

from __future__ import annotations

import re

import click
import pytest
from tests.conftest import REPO

from postmortems.cli import main
from postmortems.config import PostmortemsConfig

PAGE = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")


def table_rows(text: str) -> dict[str, str]:
    """First cell (the name in backticks) → second cell (the default), of every table row."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([^`]+)`", cells[0]) if len(cells) >= 3 else None
        if m:
            rows[m.group(1)] = cells[1]
    return rows


def rendered(value: object) -> str:
    """A default as YAML writes it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("name", [name for name, _ in PostmortemsConfig._schema])
def test_every_plugin_option_is_documented_with_its_default(name: str) -> None:
    rows = table_rows(PAGE)
    assert name in rows, f"plugin option {name!r} is missing from docs/configuration.md"
    option = dict(PostmortemsConfig._schema)[name]
    default = option.default
    if default is None or (isinstance(default, list) and default):
        return  # a computed or listed default is described in words
    assert f"`{rendered(default)}`" in rows[name], (name, rows[name])


def command_sections() -> dict[str, str]:
    parts = re.split(r"^### `postmortem (\w+)[^`]*`$", PAGE, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_cli_flag_is_documented(command: str) -> None:
    section = command_sections().get(command)
    assert section is not None, f"'postmortem {command}' has no section"
    rows = table_rows(section)
    documented = {name for row in rows for name in re.findall(r"(?<![\w-])--?\w[\w-]*", row)}
    cmd: click.Command = main.commands[command]
    for param in cmd.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            for flag in [*param.opts, *param.secondary_opts]:
                assert flag in documented, f"postmortem {command} {flag} is not documented"
    # The help has examples.
    assert "Examples:" in (cmd.epilog or "")
