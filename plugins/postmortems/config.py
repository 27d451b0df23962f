"""The one option model: the plugin's typed ``Config``, read the same way by the CLI.

:class:`PostmortemsConfig` declares every option of the ``postmortems`` plugin (its
defaults are those of the core's :class:`~postmortems.settings.Settings`). The build gets it
from MkDocs; the CLI reads ``mkdocs.yml`` with MkDocs' own YAML loader (``INHERIT``,
``!ENV`` and ``!relative`` behave as in a build) and validates the same class, so both
accept, reject and resolve the same options.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import ConfigurationError as MkDocsConfigurationError
from mkdocs.utils.yaml import yaml_load

from .levels import LEVEL_CHOICES
from .settings import Settings, SettingsError, find_mkdocs_yml

__all__ = ["PostmortemsConfig", "find_mkdocs_yml", "load_settings", "validate_options"]

_DEFAULTS = Settings()


class PostmortemsConfig(base.Config):
    """Options of the ``postmortems`` plugin (see the configuration reference in the docs)."""

    enabled = c.Type(bool, default=True)
    incidents_dir = c.Type(str, default=_DEFAULTS.incidents_dir)
    schema = c.Type(str, default=_DEFAULTS.schema)
    language_rules = c.Type(str, default=_DEFAULTS.language_rules)
    language = c.Type(bool, default=_DEFAULTS.language)
    rule_levels = c.DictOfItems(c.Choice(LEVEL_CHOICES), default={})
    draft_level = c.Choice(LEVEL_CHOICES, default=_DEFAULTS.draft_level)
    draft_rules = c.ListOfItems(c.Type(str), default=list(_DEFAULTS.draft_rules))
    allowed_phrases = c.ListOfItems(c.Type(str), default=[])
    extra_role_nouns = c.ListOfItems(c.Type(str), default=[])
    blockquote_level = c.Optional(c.Choice(LEVEL_CHOICES))
    today = c.Optional(c.Type((str, dt.date)))
    cache = c.Type(bool, default=_DEFAULTS.cache)
    url_prefix = c.Type(str, default="incidents")
    raw_html = c.Choice(("refuse", "allow"), default=_DEFAULTS.raw_html)
    # Only `mkdocs serve` reads this: never a normal build.
    preview_drafts = c.Type(bool, default=False)
    # The published site (only the build reads these).
    site = c.Type(bool, default=True)
    index_page_size = c.Type(int, default=200)
    feed_size = c.Type(int, default=50)
    chart_months = c.Type(int, default=24)
    search_boost = c.Type((int, float), default=2)
    root_cause_boost = c.Type((int, float), default=4)
    edit_uri = c.Optional(c.Type(str))
    profile = c.Choice(("full", "public"), default="full")  # public: no internal content


OPTION_NAMES = tuple(name for name, _ in PostmortemsConfig._schema)
_CORE_OPTIONS = tuple(f.name for f in fields(Settings) if f.name != "project_dir")


def unknown_option_error(name: str) -> str:
    """The message for an option the plugin does not have, with a did-you-mean."""
    close = difflib.get_close_matches(name, OPTION_NAMES, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known options: {', '.join(OPTION_NAMES)}"
    return f"unknown option '{name}' ({hint})"


def validate_options(
    options: Mapping[str, Any], config_file: Path | None = None
) -> PostmortemsConfig:
    """``options`` (the mapping under ``postmortems:``) as a checked config.

    Raises :class:`SettingsError` naming every bad or unknown option.
    """
    if not isinstance(options, Mapping):
        raise SettingsError("the postmortems plugin options must be a mapping of names to values")
    config = PostmortemsConfig(config_file_path=str(config_file) if config_file else None)
    config.load_dict(dict(options))
    errors, _warnings = config.validate()
    problems = [f"{name}: {error}" for name, error in errors]
    problems += [unknown_option_error(name) for name in options if name not in OPTION_NAMES]
    if problems:
        raise SettingsError("postmortems plugin options: " + "; ".join(problems))
    return config


def settings_from_config(config: PostmortemsConfig, project_dir: Path) -> Settings:
    """The core's settings from the checked config."""
    values = {name: config[name] for name in _CORE_OPTIONS}
    today = values["today"]
    if isinstance(today, dt.datetime):
        values["today"] = today.date()
    elif isinstance(today, str):
        try:
            values["today"] = dt.date.fromisoformat(today)
        except ValueError as exc:
            raise SettingsError(f"today: {today!r} is not a date (YYYY-MM-DD)") from exc
    for key in ("draft_rules", "allowed_phrases", "extra_role_nouns"):
        values[key] = tuple(values[key] or ())
    return Settings(project_dir=project_dir, **values)


def plugin_options(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``postmortems`` options of a loaded ``mkdocs.yml``, or None when not configured."""
    plugins = data.get("plugins")
    if isinstance(plugins, Mapping):
        entries: list[Any] = [{name: value} for name, value in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    else:
        return None
    for entry in entries:
        if entry == "postmortems":
            return {}
        if isinstance(entry, Mapping) and "postmortems" in entry:
            return entry["postmortems"] or {}
    return None


def load_settings(config_file: Path) -> Settings:
    """Settings from a ``mkdocs.yml``, read the way MkDocs reads it.

    A ``mkdocs.yml`` that does not configure the plugin gives the defaults.
    """
    try:
        with config_file.open("rb") as handle:
            data = yaml_load(handle)
    except OSError as exc:
        raise SettingsError(f"cannot read {config_file}: {exc.strerror}") from exc
    except MkDocsConfigurationError as exc:
        raise SettingsError(f"{config_file}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise SettingsError(f"{config_file}: expected a mapping of settings")
    options = plugin_options(data)
    config = validate_options(options or {}, config_file)
    if not config.enabled:
        raise SettingsError(f"{config_file}: the postmortems plugin is disabled (enabled: false)")
    return settings_from_config(config, config_file.resolve().parent)
