"""Settings shared by the CLI and the MkDocs plugin, and how to read them from ``mkdocs.yml``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import ConfigurationError
from .levels import DEFAULT_DRAFT_RULES, LEVEL_CHOICES


def packaged(name: str) -> Path:
    """A data file shipped inside the package (``postmortems/defaults/NAME``)."""
    from importlib.resources import files

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


def find_mkdocs_yml(start: Path) -> Path | None:
    """``mkdocs.yml`` in ``start`` or its nearest parent that has one."""
    for folder in [start, *start.parents]:
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


#: The settings resolved from a ``mkdocs.yml``, kept beside the check cache: a command
#: then need not import MkDocs to read the options again (``config.PostmortemsConfig``
#: stays the one declaration of them).
SETTINGS_CACHE = Path(".cache") / "postmortems" / "settings.json"
#: What makes the resolved options depend on more than the file's text and place.
_NOT_CACHED_MARKERS = (b"INHERIT", b"!ENV")
_SETTINGS_FORMAT = 1


def _settings_key(config_file: Path, raw: bytes) -> str | None:
    """The key of the settings read from ``config_file`` holding ``raw``; None when they
    may depend on other files or the environment."""
    import hashlib

    if any(marker in raw for marker in _NOT_CACHED_MARKERS):
        return None
    code = hashlib.blake2b(digest_size=16)
    code.update(f"{_SETTINGS_FORMAT}\n{config_file.resolve()}\n".encode())
    code.update(raw)
    here = Path(__file__).parent
    for name in ("config.py", "settings.py", "levels.py"):
        try:
            code.update((here / name).read_bytes())
        except OSError:
            return None
    return code.hexdigest()


def cached_settings(config_file: Path) -> tuple[Settings | None, str | None]:
    """The settings kept for this ``mkdocs.yml`` as it is now (None if none are), and the
    key to keep them under after reading it (None if they are not to be kept)."""
    import json

    try:
        raw = config_file.read_bytes()
    except OSError:
        return None, None
    key = _settings_key(config_file, raw)
    if key is None:
        return None, None
    project_dir = config_file.resolve().parent
    try:
        data = json.loads((project_dir / SETTINGS_CACHE).read_bytes())
        if data.get("key") != key:
            return None, key
        values = dict(data["settings"])
        values["project_dir"] = Path(values["project_dir"])
        values["rule_levels"] = dict(values["rule_levels"])
        for name in ("draft_rules", "allowed_phrases", "extra_role_nouns"):
            values[name] = tuple(values[name])
        if values["today"] is not None:
            values["today"] = dt.date.fromisoformat(values["today"])
        return Settings(**values), key
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ConfigurationError):
        return None, key


def keep_settings(settings: Settings, key: str) -> None:
    """Keep the settings read from a ``mkdocs.yml`` under ``key`` (not when caching is off)."""
    import os

    from .cachefiles import write_json

    if not settings.cache or os.environ.get("POSTMORTEMS_NO_CACHE"):
        return
    values: dict[str, object] = {f.name: getattr(settings, f.name) for f in fields(settings)}
    values["project_dir"] = str(settings.project_dir)
    values["rule_levels"] = dict(settings.rule_levels)
    for name in ("draft_rules", "allowed_phrases", "extra_role_nouns"):
        values[name] = list(getattr(settings, name))
    values["today"] = settings.today.isoformat() if settings.today else None
    write_json(settings.project_dir / SETTINGS_CACHE, {"key": key, "settings": values})
