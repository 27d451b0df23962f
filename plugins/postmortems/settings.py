"""Settings shared by the CLI and the MkDocs plugin, and how to read them from ``mkdocs.yml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigurationError

#: The stock schema and rules, shipped inside the package (``defaults/``).
PACKAGED_POLICY = Path(__file__).parent / "defaults"

LEVEL_CHOICES = ("error", "warning", "info", "off")

#: Rules about completeness; a draft may still be incomplete, so their level is ``draft_level``.
DEFAULT_DRAFT_RULES = (
    "section-missing",
    "section-empty",
    "section-incomplete",
    "placeholder",
    "required-field",
)


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

    def __post_init__(self) -> None:
        for name, level in [*self.rule_levels.items(), ("draft_level", self.draft_level)]:
            if level not in LEVEL_CHOICES:
                raise SettingsError(
                    f"level {level!r} for {name!r} is not one of {', '.join(LEVEL_CHOICES)}"
                )

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
            return PACKAGED_POLICY / Path(value).name
        return path

    @property
    def effective_today(self) -> dt.date:
        """The date overdue is computed against: configured, or the day of the build."""
        return self.today or dt.date.today()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], project_dir: Path) -> Settings:
        """Build from a plugin-config mapping (the keys are the plugin's option names)."""
        known = {f.name for f in fields(cls)} - {"project_dir"}
        unknown = set(data) - known
        if unknown:
            raise SettingsError(f"unknown postmortems option(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        today = values.get("today")
        if isinstance(today, str):
            try:
                values["today"] = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise SettingsError(f"today: {today!r} is not a date (YYYY-MM-DD)") from exc
        for key in ("draft_rules", "allowed_phrases", "extra_role_nouns"):
            if key in values:
                values[key] = tuple(values[key] or ())
        return cls(project_dir=project_dir, **values)


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without executing its ``!!python/name`` or ``!ENV`` tags."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_AnyTagLoader.add_multi_constructor("", _ignore_tag)


def find_mkdocs_yml(start: Path) -> Path | None:
    """``mkdocs.yml`` in ``start`` or its nearest parent that has one."""
    for folder in [start, *start.parents]:
        candidate = folder / "mkdocs.yml"
        if candidate.is_file():
            return candidate
    return None


def settings_from_mkdocs_yml(config_file: Path) -> Settings:
    """The ``postmortems`` plugin options of ``config_file``, as the CLI's defaults."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot read {config_file}: {exc}") from exc
    options: Mapping[str, Any] = {}
    for entry in (data or {}).get("plugins") or []:
        if entry == "postmortems":
            break
        if isinstance(entry, dict) and "postmortems" in entry:
            options = entry["postmortems"] or {}
            break
    if isinstance(data.get("plugins"), dict):
        options = data["plugins"].get("postmortems") or {}
    options = {k: v for k, v in options.items() if k not in PLUGIN_ONLY_OPTIONS}
    return Settings.from_mapping(options, config_file.parent)


#: Plugin options that only matter to the site, not to a check run.
PLUGIN_ONLY_OPTIONS = frozenset(
    {
        "enabled",
        "site",
        "url_prefix",
        "index_page_size",
        "feed_size",
        "chart_months",
        "search_boost",
        "root_cause_boost",
        "edit_uri",
    }
)
