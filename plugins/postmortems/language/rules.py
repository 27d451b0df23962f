"""Rules data: find, load, validate against its JSON Schema, and compile once.

Patterns are regular expressions (case-insensitive) with placeholders in braces:

* ``{person}``: a role phrase, a pronoun or a person's name (see ``names`` on a rule);
* ``{role}``: a role phrase only, e.g. "the on-call engineer", "a junior developer" (not a
  role noun used as a modifier: one followed by a word of ``not_after_role``);
* ``{name}``: a person's name only;
* ``{LIST}``: any word list of the data's ``lexicon``, as an alternation;
* ``{LIST.forms}``: every inflected form of the verbs of a word list (``forget`` gives
  forget, forgets, forgot, forgotten, forgetting), using the data's ``irregular_verbs``;
  ``{LIST.past}`` only the past tense and participle forms, ``{LIST.ing}`` only -ing
  forms, ``{LIST.s}`` only third-person -s forms;
* ``{FRAGMENT}``: any regular-expression piece of the data's ``fragments``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ..errors import ConfigurationError
from ..findings import Level
from ..settings import packaged
from .settings import LEVEL_CHOICES, LanguageSettings

# The C loader when PyYAML has it: the rules file is large, and this is start-up time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RULES_FILE = "schemas/blameless-rules.yml"
SCHEMA_FILE = "schemas/blameless-rules.schema.json"

_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:\.(forms|past|ing|s))?\}")
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zà-öø-ÿ"
_WORD = rf"[{_UPPER}][{_LOWER}'’]*[{_LOWER}]"
# A name: one or two capitalised words ("Dana", "Dana Reyes"), an initial and a surname
# ("J Birchall", "J. Birchall"), a user name with digits ("MacFan4000") or a handle. The
# words of a name are apart by one or two spaces or tabs, never a line break (two lines'
# words are two names, each checked on its line) nor wider (hidden text such as inline
# code or a comment is blanked to spaces before matching, and must not join two words).
_NAME_GAP = r"[ \t]{1,2}"
_NAME_TOKEN = (
    rf"(?-i:{_WORD}(?:{_NAME_GAP}{_WORD})?"
    rf"|[{_UPPER}]\.?{_NAME_GAP}{_WORD}"
    rf"|[{_UPPER}][A-Za-z]*[{_LOWER}][A-Za-z]*[0-9]+"
    r"|@?[a-z][a-z0-9]*[._][a-z0-9][a-z0-9._]*[a-z0-9])"
)


class RulesError(ConfigurationError):
    """The rules data cannot be used; the message names the file and the offending place."""


@dataclass(frozen=True)
class Example:
    """Sentences a rule must flag and must leave alone, with the names they assume."""

    flag: tuple[str, ...]
    passes: tuple[str, ...]
    known_names: tuple[str, ...]


@dataclass(frozen=True)
class WordSet:
    """Words looked up in a file's word index: whole words (lowercased) and prefixes
    (``retrain*`` in the data is the prefix ``retrain``)."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One compiled rule. ``regex`` is None for the built-in ``known-names`` matcher."""

    id: str
    category: str
    level: Level
    message: str
    hint: str
    suggestions: tuple[str, ...]
    regex: re.Pattern[str] | None
    trigger: re.Pattern[str] | None
    names: str
    unless: re.Pattern[str] | None
    unless_before: re.Pattern[str] | None
    unless_after: re.Pattern[str] | None
    require_before: re.Pattern[str] | None
    examples: Example
    rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()
    keywords: WordSet | None = None  # every match holds one of these
    trigger_words: WordSet | None = None  # a sentence holding one counts as the trigger

    def rewrite(self, match: str) -> str | None:
        """The matched text rewritten by the first ``rewrite`` entry that applies, or None."""
        for find, replace in self.rewrites:
            if find.search(match):
                try:
                    return find.sub(replace, match, count=1)
                except (re.error, IndexError):
                    return None
        return None


@dataclass(frozen=True)
class RuleSet:
    """Everything the matcher needs, compiled from the data plus settings."""

    path: Path
    rules: tuple[Rule, ...]
    categories: frozenset[str]
    allowed: re.Pattern[str] | None
    blockquote_level: str
    level_overrides: Mapping[str, str]
    not_names: frozenset[str]
    ambiguous_names: frozenset[str]
    first_names: frozenset[str]
    role_words: frozenset[str]

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def default_rules_path() -> Path:
    """The stock rules, shipped inside the package."""
    return packaged(Path(RULES_FILE).name)


def rules_schema(rules_path: Path) -> dict[str, Any]:
    """The rules schema beside the rules file, else the one shipped with the package."""
    beside = rules_path.with_name(Path(SCHEMA_FILE).name)
    path = beside if beside.is_file() else packaged(Path(SCHEMA_FILE).name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesError(f"cannot read the rules schema {path}: {exc}") from exc


def _where(data: Any, path: Sequence[Any]) -> str:
    """A readable location such as ``rules[3] (blame/human-error).level``."""
    out = ""
    node = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" ({node['id']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def validate(data: Any, schema: Mapping[str, Any], source: Path | str) -> None:
    """Raise :class:`RulesError` naming every place where ``data`` breaks the schema."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(data),
        key=lambda e: [(isinstance(p, str), str(p).zfill(9)) for p in e.absolute_path],
    )
    if errors:
        lines = [f"{_where(data, e.absolute_path)}: {e.message}" for e in errors[:10]]
        if len(errors) > 10:
            lines.append(f"... and {len(errors) - 10} more")
        raise RulesError(f"{source}: invalid rules data\n  " + "\n  ".join(lines))


def _trie_regex(trie: dict[str, Any]) -> str:
    """A regex for the words in ``trie``, sharing prefixes so each step tests one character."""
    end = "" in trie
    branches = [
        (r"\s+" if ch == " " else re.escape(ch)) + _trie_regex(sub)
        for ch, sub in sorted(trie.items())
        if ch != ""
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        body = f"(?:{body})?"
    return body


def _alternation(words: Iterable[str]) -> str:
    """Case-insensitive alternation of words (spaces match any whitespace), longest first."""
    trie: dict[str, Any] = {}
    for word in {" ".join(w.lower().split()) for w in words}:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return "(?:" + _trie_regex(trie) + ")" if trie else "(?!)"


_VOWELS = "aeiou"


def inflect(lemma: str, irregular: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """The forms of a verb (or of the first word of a phrase): ``base``, ``s``, ``past``, ``ing``.

    Regular forms are made by spelling rules; a final consonant after one vowel is both kept
    and doubled ("skip": skiped, skipped), since over-generating a form that is never
    written costs nothing. ``irregular`` maps a lemma to its past and participle forms.
    """
    word, _, rest = lemma.strip().lower().partition(" ")
    tail = f" {rest}" if rest else ""
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        third = word + "es"
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        third = word[:-1] + "ies"
    else:
        third = word + "s"
    stems = {word}
    if (
        len(word) >= 3
        and word[-1] not in _VOWELS + "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        stems.add(word + word[-1])
    if word.endswith("e"):
        past = {word + "d"}
        ing = {word[:-1] + "ing"}
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        past = {word[:-1] + "ied"}
        ing = {word + "ing"}
    else:
        past = {stem + "ed" for stem in stems}
        ing = {stem + "ing" for stem in stems}
    if word in irregular:
        past = set(irregular[word])
    return {
        "base": {word + tail},
        "s": {third + tail},
        "past": {p + tail for p in past},
        "ing": {i + tail for i in ing},
    }


def _forms(words: Iterable[str], which: str, irregular: Mapping[str, Sequence[str]]) -> list[str]:
    keys = {
        "forms": ("base", "s", "past", "ing"), "past": ("past",), "ing": ("ing",), "s": ("s",)
    }[which]
    out: list[str] = []
    for word in words:
        forms = inflect(word, irregular)
        for key in keys:
            out += sorted(forms[key])
    return out


def _person_guard(lexicon: Mapping[str, Sequence[str]]) -> str:
    """What opens every ``{person}``: roles, pronouns and names open where no word character
    comes before (when every role, determiner and pronoun starts with an ASCII letter or
    digit, whose other cases are word characters too), and testing that first fails all
    three at once inside a word."""
    kinds = ("role_nouns", "determiners", "pronouns")
    opens_word = all(
        w.strip()[:1].isascii() and w.strip()[:1].isalnum()
        for k in kinds
        for w in lexicon.get(k, ())
    )
    return r"(?<!\w)" if opens_word else ""


class _Expander:
    """Expands placeholders; names groups ``name0``, ``name1``... uniquely per rule."""

    def __init__(
        self,
        lexicon: Mapping[str, Sequence[str]],
        fragments: Mapping[str, str],
        irregular: Mapping[str, Sequence[str]] | None = None,
        lists: Mapping[str, str] | None = None,
        person_guard: str | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.irregular = irregular or {}
        # The word lists' alternations, shared by every rule's expander (built once).
        self.lists = (
            lists
            if lists is not None
            else {key: _alternation(words) for key, words in lexicon.items()}
        )
        self.fragments = fragments
        self.expanding: set[str] = set()
        role = self.lists.get("role_nouns", "(?!)")
        det = self.lists.get("determiners", "(?!)")
        modifier = self.lists.get("not_after_role")
        after = rf"(?!\s+{modifier}\b)" if modifier else ""
        self.role = rf"\b(?:{det}\s+(?:[\w-]+\s+){{0,2}}?)?{role}\b{after}"
        # A contracted auxiliary stays with its pronoun: "we'd forgotten", "they've".
        self.pronouns = (
            rf"\b{self.lists.get('pronouns', '(?!)')}\b(?:['’](?:d|ve|ll|re|m|s)\b)?"
        )
        self.person_guard = person_guard if person_guard is not None else _person_guard(lexicon)
        self.count = 0

    def _name(self) -> str:
        self.count += 1
        return rf"(?<![\w@.])(?P<name{self.count - 1}>{_NAME_TOKEN})(?![\w@])"

    def expand(self, pattern: str, where: str) -> str:
        def replace(m: re.Match[str]) -> str:
            key, which = m.group(1), m.group(2)
            if which:
                if key not in self.lexicon:
                    raise RulesError(f"{where}: {{{key}.{which}}} needs a word list {key}")
                return _alternation(_forms(self.lexicon[key], which, self.irregular))
            if key == "person":
                return rf"{self.person_guard}(?:{self.role}|{self.pronouns}|{self._name()})"
            if key == "role":
                return f"(?:{self.role})"
            if key == "name":
                return self._name()
            if key in self.lists:
                return self.lists[key]
            if key in self.fragments:
                if key in self.expanding:
                    raise RulesError(f"{where}: fragment {{{key}}} refers to itself")
                self.expanding.add(key)
                body = self.expand(self.fragments[key], f"{where}: fragment {key}")
                self.expanding.discard(key)
                return f"(?:{body})"
            raise RulesError(f"{where}: unknown placeholder {{{key}}}")

        return _PLACEHOLDER.sub(replace, pattern)


def _compile(pattern: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RulesError(f"{where}: invalid regular expression: {exc}") from exc


# Patterns that open with the same subject are joined behind one copy of it (and, within
# those, the ones that go on with the same gap): the subject is then tried once per position
# instead of once per pattern, which is most of a rule's cost. Results do not change.
_SHARED_PREFIXES = ("{person}", r"{gap}\s+")


def _join_shared_prefix(
    patterns: Sequence[str], prefixes: Sequence[str] = _SHARED_PREFIXES
) -> list[str]:
    """The patterns, those opening with ``prefixes[0]`` merged in place of the first one."""
    if not prefixes:
        return list(patterns)
    prefix = prefixes[0]
    rests = [p[len(prefix) :] for p in patterns if p.startswith(prefix)]
    if len(rests) < 2:
        return list(patterns)
    rests = _join_shared_prefix(rests, prefixes[1:])
    out: list[str] = []
    for p in patterns:
        if not p.startswith(prefix):
            out.append(p)
        elif rests:
            out.append(prefix + "(?:" + "|".join(f"(?:{r})" for r in rests) + ")")
            rests = []
    return out


def _compile_list(
    patterns: Sequence[str] | None, expander: _Expander, where: str, *, join: bool = False
) -> re.Pattern[str] | None:
    if not patterns:
        return None
    parts = [expander.expand(p, f"{where}[{i}]") for i, p in enumerate(patterns)]
    for i, part in enumerate(parts):
        _compile(part, f"{where}[{i}]")
    if join:
        joined = _join_word_starts(_join_shared_prefix([_word_start_first(p) for p in patterns]))
        parts = [expander.expand(p, where) for p in joined]
    return _compile("|".join(f"(?:{p})" for p in parts), where)


# Lookbehinds (without groups inside) right before a word boundary: "(?<!\bfrom\s)\b".
_LOOKBEHINDS_THEN_BOUNDARY = re.compile(r"((?:\(\?<[!=](?:[^()\\]|\\.)*\))+)\\b(?![*+?{])")


def _word_start_first(pattern: str) -> str:
    """``pattern`` with lookbehinds that open it moved behind the word boundary that follows
    them: the same assertions at the same place, but the cheap one is tested first."""
    m = _LOOKBEHINDS_THEN_BOUNDARY.match(pattern)
    return rf"\b{m.group(1)}{pattern[m.end():]}" if m else pattern


def _top_level_alternation(pattern: str) -> bool:
    """Whether ``pattern`` has a ``|`` outside every group and character class."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a "]" first in a class is a member
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return False


def _join_word_starts(parts: Sequence[str]) -> list[str]:
    """The patterns, each run of consecutive ones that open with a word boundary behind one
    copy of it: between words, one test then fails them all, where each pattern would be
    entered in turn. The order of the patterns, and so every match, is kept. (Read before
    placeholders are expanded: each expands to a group, so neither the opening boundary nor
    a top-level ``|`` changes, and the short text is cheap to scan.)"""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > 1:
            out.append(r"\b(?:" + "|".join(f"(?:{r})" for r in run) + ")")
        else:
            out.extend(rf"\b{r}" for r in run)
        run.clear()

    for part in parts:
        # A quantifier may not follow the boundary ("{2}"; "{list}" is a placeholder).
        after = part[2:4]
        quantified = after[:1] in ("*", "+", "?") or (after[:1] == "{" and after[1:2].isdigit())
        opens = part.startswith(r"\b") and not quantified
        if opens and not _top_level_alternation(part):
            run.append(part[2:])
        else:
            flush()
            out.append(part)
    flush()
    return out


#: A word as the word index reads it and as keywords are looked up in it.
WORD_RUN = re.compile(r"\w+")


_PREFIX = re.compile(r"(\w+)\*")  # a keyword prefix: retrain*


def _keywords(
    entries: Sequence[str] | None,
    lexicon: Mapping[str, Sequence[str]],
    irregular: Mapping[str, Sequence[str]],
    where: str,
) -> WordSet | None:
    """The index words of a rule's ``keywords`` or ``trigger_words`` (the first word run of
    each entry, lowercased) and its prefixes (entries ending in ``*``: ``retrain*`` is any
    word that starts with *retrain*)."""
    if not entries:
        return None
    words: list[str] = []
    prefixes: set[str] = set()
    for entry in entries:
        entry = entry.strip()
        m = _PLACEHOLDER.fullmatch(entry)
        if m:
            key, which = m.group(1), m.group(2)
            if key not in lexicon:
                raise RulesError(f"{where}: unknown word list {{{key}}}")
            listed = _forms(lexicon[key], which, irregular) if which else list(lexicon[key])
            if wordless := [w for w in listed if WORD_RUN.search(w) is None]:
                # Such a word could never be looked up: sentences holding only it would
                # never be searched.
                raise RulesError(
                    f"{where}: lexicon.{key} entry {wordless[0]!r} holds no word to look up"
                )
            words += listed
        elif (prefix := _PREFIX.fullmatch(entry)) is not None:
            prefixes.add(prefix.group(1).lower())
        elif entry.startswith("{"):
            raise RulesError(
                f"{where}: {entry!r} is not a word list reference ({{list}} or"
                " {list.forms}, {list.past}, {list.ing}, {list.s})"
            )
        elif WORD_RUN.search(entry) is None:
            # Such an entry could never be looked up: the rule would silently never run.
            raise RulesError(f"{where}: {entry!r} holds no word to look up")
        else:
            words.append(entry)
    out = {run.group().lower() for w in words if (run := WORD_RUN.search(w))}
    return WordSet(frozenset(out), tuple(sorted(prefixes)))


def _level_of(value: str, where: str) -> str:
    if value not in LEVEL_CHOICES:
        raise RulesError(f"{where}: {value!r} is not one of {', '.join(LEVEL_CHOICES)}")
    return value


def _plurals(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        w = w.strip().lower()
        if w:
            out += [w, w if w.endswith("s") else w + "s"]
    return out


def load_rules(path: Path, settings: LanguageSettings | None = None) -> RuleSet:
    """Load, validate and compile the rules data at ``path`` with ``settings`` applied."""
    settings = settings or LanguageSettings()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules data: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from exc
    validate(data, rules_schema(path), path)
    return compile_rules(data, path, settings)


def compile_rules(data: Mapping[str, Any], path: Path, settings: LanguageSettings) -> RuleSet:
    """Compile validated rules data; raise :class:`RulesError` on bad patterns or ids."""
    lexicon: dict[str, list[str]] = {k: list(v) for k, v in data.get("lexicon", {}).items()}
    lexicon.setdefault("role_nouns", [])
    lexicon["role_nouns"] += _plurals(settings.extra_role_nouns)
    defaults = data.get("settings", {})
    fragments: dict[str, str] = dict(data.get("fragments", {}))
    irregular: dict[str, list[str]] = {
        k.lower(): [w.lower() for w in v] for k, v in data.get("irregular_verbs", {}).items()
    }
    if overlap := set(fragments) & set(lexicon):
        raise RulesError(f"{path}: {sorted(overlap)} are both word lists and fragments")

    lists = {key: _alternation(words) for key, words in lexicon.items()}
    guard = _person_guard(lexicon)
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        where = f"{path}: rules[{index}] ({raw['id']})"
        if raw["id"] in seen:
            raise RulesError(f"{where}: duplicate rule id")
        seen.add(raw["id"])
        expander = _Expander(lexicon, fragments, irregular, lists, guard)
        regex = _compile_list(raw.get("patterns"), expander, f"{where}.patterns", join=True)
        if regex is None and raw.get("match") != "known-names":
            raise RulesError(f"{where}: needs patterns or match: known-names")
        examples = raw["examples"]
        keywords = _keywords(raw.get("keywords"), lexicon, irregular, f"{where}.keywords")
        trigger_words = _keywords(
            raw.get("trigger_words"), lexicon, irregular, f"{where}.trigger_words"
        )
        rules.append(
            Rule(
                id=raw["id"],
                category=raw["category"],
                level=Level(raw["level"]),
                message=raw["message"],
                hint=raw["hint"],
                suggestions=tuple(raw.get("suggestions", ())),
                regex=regex,
                trigger=_compile_list(
                    [raw["trigger"]] if "trigger" in raw else None, expander, f"{where}.trigger"
                ),
                names=raw.get("names", "known"),
                unless=_compile_list(raw.get("unless"), expander, f"{where}.unless"),
                unless_before=_compile_list(
                    raw.get("unless_before"), expander, f"{where}.unless_before"
                ),
                unless_after=_compile_list(
                    raw.get("unless_after"), expander, f"{where}.unless_after"
                ),
                require_before=_compile_list(
                    raw.get("require_before"), expander, f"{where}.require_before"
                ),
                examples=Example(
                    tuple(examples["flag"]),
                    tuple(examples["pass"]),
                    tuple(examples.get("known_names", ())),
                ),
                keywords=keywords,
                trigger_words=trigger_words,
                rewrites=tuple(
                    (
                        _compile(
                            _Expander(lexicon, fragments, irregular, lists, guard).expand(
                                r["find"], f"{where}.rewrite[{i}]"
                            ),
                            f"{where}.rewrite[{i}]",
                        ),
                        r["replace"],
                    )
                    for i, r in enumerate(raw.get("rewrite", ()))
                ),
            )
        )

    categories = frozenset(r.category for r in rules)
    overrides = {**defaults.get("level_overrides", {}), **settings.level_overrides}
    for key, value in overrides.items():
        _level_of(str(value), f"level_overrides[{key!r}]")
        if key not in seen and key not in categories and not key.startswith("blameless/"):
            raise RulesError(f"level_overrides: {key!r} is neither a rule id nor a category")
    blockquote = settings.blockquote_level or defaults.get("blockquote_level", "info")
    _level_of(blockquote, "blockquote_level")

    phrases = [*defaults.get("allowed_phrases", ()), *settings.allowed_phrases]
    allowed_parts = [_alternation(phrases)] if phrases else []
    allowed_parts += defaults.get("allowed_patterns", [])
    allowed = (
        _compile("|".join(f"(?:{p})" for p in allowed_parts), f"{path}: allowed_patterns")
        if allowed_parts
        else None
    )
    role_words = frozenset(w.lower() for w in lexicon["role_nouns"])
    function_words = {
        w.lower()
        for key in ("pronouns", "negative_pronouns", "determiners")
        for w in lexicon.get(key, ())
    }
    return RuleSet(
        path=path,
        rules=tuple(rules),
        categories=categories,
        allowed=allowed,
        blockquote_level=blockquote,
        level_overrides={k: str(v) for k, v in overrides.items()},
        not_names=frozenset(w.lower() for w in lexicon.get("not_names", ()))
        | role_words
        | function_words,
        ambiguous_names=frozenset(w.lower() for w in lexicon.get("ambiguous_names", ())),
        first_names=frozenset(w.lower() for w in lexicon.get("first_names", ())),
        role_words=role_words,
    )
