"""Settings shared by the CLI and the MkDocs plugin, and how to read them from ``mkdocs.yml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

from .errors import ConfigurationError
from .levels import DEFAULT_DRAFT_RULES, LEVEL_CHOICES


def packaged(name: str) -> Path:
    """A data file shipped inside the package (``postmortems/defaults/NAME``)."""
    return Path(str(files("postmortems") / "defaults" / name))


class SettingsError(ConfigurationError):
    """A configuration problem: bad mkdocs.yml, unknown level, missing folder."""


@dataclass(frozen=True)
class Settings:
    """Everything a check run needs; relative paths are resolved against ``project_dir``."""

    project_dir: Path = field(default_factory=Path.cwd)
    incidents_dir: str = "incidents"
    schema: str = "schemas/postmortem.schema.json"
    language_rules: str = "schemas/blameless-rules.yml"
    language: bool = True
    rule_levels: Mapping[str, str] = field(default_factory=dict)
    draft_level: str = "info"
    draft_rules: Sequence[str] = DEFAULT_DRAFT_RULES
    allowed_phrases: Sequence[str] = ()
    extra_role_nouns: Sequence[str] = ()
    blockquote_level: str | None = None
    today: dt.date | None = None
    cache: bool = True  # reuse the results of unchanged files (.cache/postmortems/)
    raw_html: str = "refuse"  # or "allow": see htmlcheck

    def __post_init__(self) -> None:
        for name, level in [*self.rule_levels.items(), ("draft_level", self.draft_level)]:
            if level not in LEVEL_CHOICES:
                raise SettingsError(
                    f"level {level!r} for {name!r} is not one of {', '.join(LEVEL_CHOICES)}"
                )
        if self.raw_html not in ("refuse", "allow"):
            raise SettingsError(f"raw_html must be 'refuse' or 'allow', not {self.raw_html!r}")

    def resolve(self, path: str | Path) -> Path:
        path = Path(path)
        return path if path.is_absolute() else self.project_dir / path

    @property
    def incidents_path(self) -> Path:
        return self.resolve(self.incidents_dir)

    @property
    def schema_path(self) -> Path:
        return self._policy_file(self.schema, "schema")

    @property
    def language_rules_path(self) -> Path:
        return self._policy_file(self.language_rules, "language_rules")

    def _policy_file(self, value: str, name: str) -> Path:
        """The configured file; the copy shipped with the package when the default is absent.

        A project that keeps no ``schemas/`` folder gets the stock policy; one that configures
        a path explicitly gets exactly that path (and an error if it is missing).
        """
        path = self.resolve(value)
        default = next(f.default for f in fields(self) if f.name == name)
        if value == default and not path.exists():
            return packaged(Path(value).name)
        return path

    @property
    def effective_today(self) -> dt.date:
        """The date overdue is computed against: configured, or today in UTC."""
        return self.today or dt.datetime.now(dt.timezone.utc).date()
