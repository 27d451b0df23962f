"""The one place a finding's level is decided.

Every finding is created at its rule's default level. :func:`resolve` then applies, in
this order (each step sees the result of the one before):

1. the team's level for the rule id (``rule_levels``), else for the finding's category;
2. the draft leniency: in a draft, a completeness rule (``draft_rules``) gets ``draft_level``
   (a left-in placeholder stays at least a warning, see ``DRAFT_FLOORS``);
3. the scope cap: inside a block quote (quoted chat) a finding is at most
   ``blockquote_level``.

``off`` at any step drops the finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from .errors import ConfigurationError
from .findings import Finding, Level

LEVEL_CHOICES = ("error", "warning", "info", "off")
_RANK = {"off": -1, "info": 0, "warning": 1, "error": 2}

#: Rules about completeness; a draft may still be incomplete, so their level is ``draft_level``.
DEFAULT_DRAFT_RULES = (
    "section-missing",
    "section-empty",
    "section-incomplete",
    "placeholder",
    "required-field",
)

#: In a draft these completeness rules stay at least warnings: template text left in passes
#: ``postmortem check`` but fails ``--strict`` (CI, pre-commit) until it is replaced.
DRAFT_FLOORS = {"placeholder": "warning"}

#: Scopes that cap a finding's level, and the setting that gives the cap.
QUOTE_SCOPE = "quote"


@dataclass(frozen=True)
class LevelPolicy:
    """The team's levels: per rule or category, for drafts, and inside block quotes."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    draft_level: str = "info"
    draft_rules: Collection[str] = DEFAULT_DRAFT_RULES
    blockquote_level: str = "info"


def resolve(finding: Finding, policy: LevelPolicy, *, draft: bool = False) -> Finding | None:
    """``finding`` at the level the policy gives it, or None when that level is ``off``."""
    level = policy.overrides.get(finding.rule) or policy.overrides.get(finding.category)
    name = level or finding.level.value
    if draft and finding.rule in policy.draft_rules:
        name = policy.draft_level
        floor = DRAFT_FLOORS.get(finding.rule, "off")
        if name != "off" and _RANK[name] < _RANK[floor]:
            name = floor
    if finding.scope == QUOTE_SCOPE and _RANK[name] > _RANK[policy.blockquote_level]:
        name = policy.blockquote_level
    if name == "off":
        return None
    return finding if name == finding.level.value else replace(finding, level=Level(name))


def check_names(names: Collection[str], known: Collection[str], what: str) -> None:
    """Raise :class:`ConfigurationError` for names that are no known rule id or category."""
    unknown = sorted(set(names) - set(known))
    if not unknown:
        return
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        problems.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise ConfigurationError(
        f"{what}: {', '.join(problems)} is not a rule id or category; "
        "'postmortem rules' lists them"
        if len(problems) == 1
        else f"{what}: {', '.join(problems)} are not rule ids or categories; "
        "'postmortem rules' lists them"
    )


def check_level(name: str, what: str) -> None:
    if name not in LEVEL_CHOICES:
        raise ConfigurationError(f"{what}: {name!r} is not one of {', '.join(LEVEL_CHOICES)}")
