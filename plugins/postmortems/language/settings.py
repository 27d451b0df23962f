"""Team settings for the blameless-language checker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..levels import LEVEL_CHOICES

__all__ = ["LEVEL_CHOICES", "LanguageSettings"]


@dataclass(frozen=True)
class LanguageSettings:
    """Overrides on top of the rules data; every field defaults to "use the data".

    ``level_overrides`` maps a rule id or a category to ``error``, ``warning``, ``info`` or
    ``off`` (a rule id wins over its category). ``allowed_phrases`` and
    ``extra_role_nouns`` are added to the data's lists. ``blockquote_level`` is the highest
    level a finding inside a block quote (quoted chat) can have, or ``off`` to skip quotes.
    """

    rules_path: Path | None = None
    level_overrides: Mapping[str, str] = field(default_factory=dict)
    allowed_phrases: Sequence[str] = ()
    extra_role_nouns: Sequence[str] = ()
    blockquote_level: str | None = None
