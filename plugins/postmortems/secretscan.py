"""Find credentials in post-mortem text before it is published: report them masked, or redact.

The rules are data (``schemas/secret-rules.yml``, shipped as ``defaults/``). Each rule names
literal keywords; a rule's regular expression runs only on the lines where one of its keywords
occurs. Finding the keywords is the cost paid on every file, so it avoids scanning the text
once per keyword: each keyword is anchored on its rarest character, the text is searched for
each anchor character with ``str.find`` (memchr speed), and only the few places where an
anchor occurs are checked for the keywords around it.

A hit can be allowed, with a reason, by a comment on its line or on the line above::

    <!-- secret-allow: example key from the vendor docs -->
    # secret-allow: test fixture of the staging vault   (a YAML comment, in front matter)

An allow comment without a reason silences nothing and is itself reported
(rule ``secret/allow-without-reason``).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from .errors import ConfigurationError

if TYPE_CHECKING:
    from importlib.abc import Traversable
from .findings import Finding, Level

RULES_NAME = "secret-rules.yml"
SCHEMA_NAME = "secret-rules.schema.json"
RULE_PREFIX = "secret/"
ALLOW_WITHOUT_REASON = "secret/allow-without-reason"
ALLOW_KEYWORD = "secret-allow"

#: Characters from the most to the least frequent in lower-cased incident prose (measured on
#: the sample post-mortems and docs). A keyword is anchored on its character that comes last.
_FREQUENCY_RANK = " etaorsnidclh-umpg`fwy|b0:.v*k,21#x_/534;6\"()98j{}7'zq%=?[]+$>\\<!@&"
#: Characters ranked before this are too common to be worth a gate of their own.
_COMMON = _FREQUENCY_RANK.index("h")
#: How far past its first line a multi-line match (a private-key block) may reach.
_MULTILINE_SPAN = 64_000
_MASKED_WIDTH = 24

_ALLOW = re.compile(
    r"(?:<!--|(?<![^\s])#)[ \t]*secret-allow\b[ \t]*:?(?P<reason>(?:(?!-->)[^\n])*)",
)


class SecretRulesError(ConfigurationError):
    """The secret rules data cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class SecretHit:
    """One credential (or one reason-less allow comment) at one place.

    ``line`` and ``column`` are 1-based and point at the secret value itself;
    ``end_line``/``end_column`` are where it ends (exclusive). ``masked`` is safe to print:
    at most four leading characters of the value survive.
    """

    rule: str
    kind: str
    line: int
    column: int
    end_column: int
    masked: str
    end_line: int = 0
    hint: str = ""

    @property
    def message(self) -> str:
        """One sentence for a report; never contains the value."""
        if self.rule == ALLOW_WITHOUT_REASON:
            return "secret-allow comment without a reason silences nothing"
        return f"{self.kind} in plain text ({self.masked})"


@dataclass(frozen=True)
class Allowed:
    """A hit silenced by an allow comment, with the reason given."""

    hit: SecretHit
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """What a scan found: the hits to report, and the ones allowed with a reason."""

    hits: list[SecretHit]
    allowed: list[Allowed]


@dataclass(frozen=True)
class SecretRule:
    """One compiled rule."""

    id: str
    kind: str
    keywords: tuple[str, ...]
    regex: re.Pattern[str]
    ignore_case: bool
    multiline: bool
    placeholders: bool
    min_length: int
    min_entropy: float
    min_classes: int
    hint: str

    @property
    def rule(self) -> str:
        return RULE_PREFIX + self.id


@dataclass(frozen=True)
class SecretRules:
    """Rules and settings, compiled from validated data."""

    source: str
    rules: tuple[SecretRule, ...]
    placeholder: re.Pattern[str] | None
    not_secret_substrings: tuple[str, ...]


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    order: int
    rule: SecretRule


# --- loading -------------------------------------------------------------------------------


def _resource(name: str) -> Traversable:
    """The stock data file ``name``, shipped in the package's ``defaults/``."""
    return importlib.resources.files("postmortems") / "defaults" / name


def load_rules(path: Path | None = None) -> SecretRules:
    """Load, validate and compile the rules at ``path`` (default: the stock rules)."""
    source = _resource(RULES_NAME) if path is None else path
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        schema = json.loads(_resource(SCHEMA_NAME).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SecretRulesError(f"{source}: cannot read secret rules: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SecretRulesError(f"{source}: not valid YAML: {exc}") from exc
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "top level"
        raise SecretRulesError(f"{source}: {where}: {error.message}")
    return compile_rules(data, str(source))


def compile_rules(data: Mapping[str, Any], source: str = "<data>") -> SecretRules:
    """Compile validated rules data; raise :class:`SecretRulesError` on a bad pattern or id."""
    settings = data["settings"]
    rules: list[SecretRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        where = f"{source}: rules[{index}] ({raw['id']})"
        if raw["id"] in seen:
            raise SecretRulesError(f"{where}: duplicate rule id")
        seen.add(raw["id"])
        flags = re.IGNORECASE if raw.get("ignore_case", False) else 0
        regex = _compile(raw["regex"], flags, f"{where}.regex")
        if "secret" not in regex.groupindex:
            raise SecretRulesError(f"{where}.regex: needs a named group 'secret'")
        rules.append(
            SecretRule(
                id=raw["id"],
                kind=raw["kind"],
                keywords=tuple(raw["keywords"]),
                regex=regex,
                ignore_case=bool(flags),
                multiline=raw.get("multiline", False),
                placeholders=raw.get("placeholders", True),
                min_length=raw.get("min_length", 1),
                min_entropy=raw.get("min_entropy", 0.0),
                min_classes=raw.get("min_classes", 1),
                hint=raw.get("hint", ""),
            )
        )
    patterns = settings["placeholders"]
    for index, pattern in enumerate(patterns):
        _compile(pattern, re.IGNORECASE, f"{source}: settings.placeholders[{index}]")
    placeholder = (
        re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
    )
    return SecretRules(
        source=source,
        rules=tuple(rules),
        placeholder=placeholder,
        not_secret_substrings=tuple(s.lower() for s in settings["not_secret_substrings"]),
    )


def _compile(pattern: str, flags: int, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise SecretRulesError(f"{where}: bad regular expression: {exc}") from exc


# --- the scanner ---------------------------------------------------------------------------


def _rarity(char: str) -> int:
    index = _FREQUENCY_RANK.find(char)
    return len(_FREQUENCY_RANK) if index < 0 else index


def _anchors(keywords: Iterable[str]) -> dict[str, int]:
    """Keyword -> index of its anchor character, using few distinct anchor characters.

    Every gate costs one pass over the text, so anchors are shared: a greedy set cover over
    the characters that are not among the commonest ones, the rarest first on a tie. A keyword
    made only of common characters is anchored on its rarest one.
    """

    def options(kw: str) -> set[str]:
        rare = {c for c in kw if _rarity(c) >= _COMMON}
        return rare or {max(kw, key=_rarity)}

    keywords = set(keywords)
    uncovered = set(keywords)
    chosen: set[str] = set()
    while uncovered:
        counts = Counter(c for kw in uncovered for c in options(kw))
        char = max(counts, key=lambda c: (counts[c], _rarity(c)))
        chosen.add(char)
        uncovered = {kw for kw in uncovered if char not in options(kw)}
    return {
        kw: max((i for i, c in enumerate(kw) if c in chosen), key=lambda i: (_rarity(kw[i]), -i))
        for kw in keywords
    }


class SecretScanner:
    """Compiled keyword gates plus rules; ``scan`` is safe to call from several threads.

    The gates run on the lower-cased text: one regular expression per anchor character, each
    starting with that literal character (so the regex engine skips to it quickly) and run
    only when ``str.find`` (memchr) sees the character at all. A gate match gives a keyword's
    position; the rules of that keyword are then matched right there, on the original text.
    """

    def __init__(self, rules: SecretRules) -> None:
        self.rules = rules
        # keyword slot -> (offset of the anchor in the keyword, rule indexes; -1: allow)
        self._slots: list[tuple[int, tuple[int, ...]]] = []
        slots: dict[str, int] = {}
        targets: dict[int, list[int]] = {}
        branches: dict[str, list[str]] = {}
        entries = [
            (kw.lower(), index) for index, rule in enumerate(rules.rules) for kw in rule.keywords
        ]
        entries.append((ALLOW_KEYWORD, -1))
        offsets: dict[int, int] = {}
        anchors = _anchors(kw for kw, _ in entries)
        for kw, rule_index in entries:
            if kw not in slots:
                slot = slots[kw] = len(slots)
                at = anchors[kw]
                offsets[slot] = at
                behind = f"(?<={re.escape(kw[: at + 1])})" if at else ""
                ahead = re.escape(kw[at + 1 :])
                branches.setdefault(kw[at], []).append(
                    f"{re.escape(kw[at])}{behind}{ahead}(?P<k{slot}>)"
                )
            targets.setdefault(slots[kw], []).append(rule_index)
        self._slots = [(offsets[slot], tuple(targets[slot])) for slot in range(len(slots))]
        self._gates = [(char, re.compile("|".join(alts))) for char, alts in branches.items()]

    def _triggered(self, text: str) -> tuple[dict[int, set[int]], bool]:
        """Rule index -> keyword positions in ``text``; whether an allow comment may occur."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lower-cased
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        found: dict[int, set[int]] = {}
        allow = False
        slots = self._slots
        for char, gate in self._gates:
            if char not in lowered:
                continue
            for match in gate.finditer(lowered):
                offset, targets = slots[int(match.lastgroup[1:])]  # type: ignore[index]
                for index in targets:
                    if index < 0:
                        allow = True
                    else:
                        found.setdefault(index, set()).add(match.start() - offset)
        return found, allow

    def _accept(self, rule: SecretRule, value: str) -> bool:
        if len(value) < rule.min_length:
            return False
        if rule.placeholders:
            placeholder = self.rules.placeholder
            if placeholder is not None and placeholder.fullmatch(value):
                return False
            lowered = value.lower()
            if any(part in lowered for part in self.rules.not_secret_substrings):
                return False
        if rule.min_classes > 1 and _classes(value) < rule.min_classes:
            return False
        return not (rule.min_entropy and shannon_entropy(value) < rule.min_entropy)

    def _spans(self, text: str, found: dict[int, set[int]]) -> list[_Span]:
        candidates: list[_Span] = []
        for index in sorted(found):
            rule = self.rules.rules[index]
            for pos in sorted(found[index]):
                line_end = text.find("\n", pos)
                line_end = len(text) if line_end < 0 else line_end
                if rule.multiline:
                    line_end = min(len(text), line_end + _MULTILINE_SPAN)
                match = rule.regex.match(text, pos, line_end)
                if match is None:
                    continue
                start, end = match.span("secret")
                if start < end and self._accept(rule, match.group("secret")):
                    candidates.append(_Span(start, end, index, rule))
        kept: list[_Span] = []
        for span in sorted(candidates, key=lambda s: (s.order, s.start)):
            if not any(span.start < k.end and k.start < span.end for k in kept):
                kept.append(span)
        return sorted(kept, key=lambda s: (s.start, s.order))

    def scan(self, text: str, first_line: int = 1) -> ScanResult:
        """Every secret in ``text`` (whose first line is ``first_line``), allowed ones apart."""
        found, allow = self._triggered(text)
        spans = self._spans(text, found) if found else []
        allows: dict[int, str] = {}
        hits: list[SecretHit] = []
        if allow:
            for match in _ALLOW.finditer(text):
                line, column = _position(text, match.start(), first_line)
                reason = match.group("reason").strip().rstrip("-").strip()
                if reason:
                    allows[line] = reason
                else:
                    end_line, end_column = _position(text, match.end(), first_line)
                    hits.append(
                        SecretHit(
                            ALLOW_WITHOUT_REASON,
                            "allow comment",
                            line,
                            column,
                            end_column,
                            "",
                            end_line,
                            "say why the value is not a secret: "
                            "<!-- secret-allow: example key from the vendor docs -->",
                        )
                    )
        allowed: list[Allowed] = []
        for span in spans:
            hit = _hit(text, span, first_line)
            reason = allows.get(hit.line) or allows.get(hit.line - 1)
            if reason:
                allowed.append(Allowed(hit, reason))
            else:
                hits.append(hit)
        hits.sort(key=lambda h: (h.line, h.column, h.rule))
        return ScanResult(hits, allowed)

    def redact(self, text: str, first_line: int = 1) -> str:
        """``text`` with every reported secret value masked in place (same length)."""
        found, _ = self._triggered(text)
        if not found:
            return text
        allowed = {(a.hit.line, a.hit.column) for a in self.scan(text, first_line).allowed}
        parts: list[str] = []
        last = 0
        for span in self._spans(text, found):
            line, column = _position(text, span.start, first_line)
            if (line, column) in allowed:
                continue
            parts += [text[last : span.start], mask(text[span.start : span.end])]
            last = span.end
        parts.append(text[last:])
        return "".join(parts)


def _position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return first_line + text.count("\n", 0, offset), offset - line_start + 1


def _hit(text: str, span: _Span, first_line: int) -> SecretHit:
    line, column = _position(text, span.start, first_line)
    end_line, end_column = _position(text, span.end, first_line)
    masked = mask(text[span.start : span.end])
    masked = masked.replace("\r", "").replace("\n", "")
    if len(masked) > _MASKED_WIDTH:
        masked = masked[:_MASKED_WIDTH] + "…"
    return SecretHit(
        span.rule.rule, span.rule.kind, line, column, end_column, masked, end_line, span.rule.hint
    )


def _classes(value: str) -> int:
    """How many of lower-case letters, upper-case letters and digits ``value`` mixes."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
    )


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character (0 for the empty string)."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def mask(value: str) -> str:
    """``value`` with all but at most 4 leading characters (a quarter of it) replaced by ``*``.

    Line breaks are kept, so that masking in place leaves the layout alone.
    """
    keep = min(4, len(value) // 4)
    return value[:keep] + "".join(c if c in "\r\n" else "*" for c in value[keep:])


# --- the module-level API ------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def default_scanner() -> SecretScanner:
    """The scanner built from the stock rules, compiled once per process."""
    return SecretScanner(load_rules())


def scan(text: str, first_line: int = 1) -> ScanResult:
    """Hits and allowed hits in ``text`` with the stock rules."""
    return default_scanner().scan(text, first_line)


def scan_text(text: str, first_line: int = 1) -> list[SecretHit]:
    """The secrets to report in ``text`` (a whole file, or a part starting at ``first_line``)."""
    return default_scanner().scan(text, first_line).hits


def scan_value(value: str, line: int, column: int, style: str | None = None) -> list[SecretHit]:
    """The secrets in a parsed front-matter value that starts at ``line``:``column``.

    ``style`` is the YAML scalar style (``'"'``, ``"'"``, ``"|"``, ``">"`` or None for plain,
    as PyYAML's ``ScalarNode.style``): for a quoted scalar the position is the quote's. On the
    value's first line columns are exact when the value appears verbatim in the source (no
    escapes); hits on later lines of a multi-line value get the right line (block scalars
    start on the next line) and the column within the value's line.
    """
    block = style in ("|", ">")
    shift = 1 if style in ('"', "'") else 0
    hits = default_scanner().scan(value).hits
    placed: list[SecretHit] = []
    for hit in hits:
        first = hit.line == 1 and not block
        offset_line = line + hit.line - (0 if block else 1)
        column_shift = column - 1 + shift if first else 0
        end_shift = column - 1 + shift if hit.end_line == 1 and not block else 0
        placed.append(
            SecretHit(
                hit.rule,
                hit.kind,
                offset_line,
                hit.column + column_shift,
                hit.end_column + end_shift,
                hit.masked,
                line + hit.end_line - (0 if block else 1),
                hit.hint,
            )
        )
    return placed


def redact(text: str, first_line: int = 1) -> str:
    """``text`` with every secret value masked in place (allowed ones are left as they are)."""
    return default_scanner().redact(text, first_line)


def to_finding(hit: SecretHit, path: str) -> Finding:
    """The hit as an error :class:`~postmortems.findings.Finding` (value masked)."""
    hint = hit.hint
    if hit.rule != ALLOW_WITHOUT_REASON:
        hint = (hint + "; " if hint else "") + (
            "if it is not a secret, say why: <!-- secret-allow: reason --> on the line or above"
        )
    return Finding(
        path=path,
        line=hit.line,
        rule=hit.rule,
        level=Level.ERROR,
        message=hit.message,
        hint=hint,
        column=hit.column,
        end_column=hit.end_column if hit.end_line == hit.line else 0,
        category="security",
        match=hit.masked,
    )


def rule_ids(rules: Iterable[SecretRule] | None = None) -> list[str]:
    """Reported rule names (``secret/<id>``) of ``rules`` (default: the stock rules)."""
    chosen = default_scanner().rules.rules if rules is None else rules
    return [rule.rule for rule in chosen]
