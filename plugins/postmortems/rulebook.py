"""What every rule id means: a one-line description and help text, for SARIF and other tools.

The core rules are listed here; the blameless-language rules come from their data file
(:func:`with_language_rules`). A rule id that is in neither (one added later) still gets a
generic entry from :meth:`Rulebook.describe`, so no renderer ever fails on a new rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .findings import Level

#: Where the rules are documented (the published guide).
DOCS_URI = "https://github.com/basketly/postmortems/blob/main/docs/writing.md#every-check"


@dataclass(frozen=True)
class RuleInfo:
    """A rule's id, one-line description, help text, default level and category."""

    id: str
    description: str
    help: str
    level: Level = Level.ERROR
    category: str = ""

    @property
    def name(self) -> str:
        """A readable name: ``section-missing`` -> ``SectionMissing`` (SARIF's convention)."""
        return "".join(part.capitalize() for part in self.id.replace("/", "-").split("-") if part)


def _rule(
    rule_id: str, category: str, description: str, help_text: str, level: Level = Level.ERROR
) -> RuleInfo:
    return RuleInfo(rule_id, description, help_text, level, category)


_CORE: tuple[RuleInfo, ...] = (
    # Reading the file.
    _rule(
        "empty-file",
        "file",
        "The file is empty or only whitespace.",
        "Start from the template: run 'postmortem new \"<title>\"'.",
    ),
    _rule(
        "not-markdown",
        "file",
        "The file is not a Markdown text file.",
        "Post-mortems are UTF-8 .md files; move other files out of the incidents folder.",
    ),
    _rule(
        "encoding",
        "file",
        "The file holds bytes that are not valid UTF-8.",
        "Save the file as UTF-8; the finding points at the first bad byte.",
    ),
    _rule(
        "file-too-large",
        "file",
        "The file is over the 2 MiB size limit.",
        "Move logs and command output to an attachment and link to it.",
    ),
    _rule(
        "unreadable", "file", "The file cannot be read.", "Check the path and the file permissions."
    ),
    _rule(
        "front-matter-missing",
        "front-matter",
        "The file has no YAML front matter block.",
        "Start the file with a '---' line, the fields (id, title, severity, ...), then '---'.",
    ),
    _rule(
        "yaml-syntax",
        "front-matter",
        "The front matter is not valid YAML.",
        "Fix the YAML at the line and column given; quote values that contain ': '.",
    ),
    _rule(
        "yaml-too-large",
        "front-matter",
        "The front matter expands past 100,000 values.",
        "Remove the YAML aliases that multiply the document (an alias bomb).",
    ),
    _rule(
        "yaml-too-deep",
        "front-matter",
        "The front matter nests lists, mappings or merge keys more than 32 levels deep.",
        "Front matter needs two or three levels; flatten the nesting.",
    ),
    _rule(
        "front-matter-not-mapping",
        "front-matter",
        "The front matter is a list, a string or empty, not a mapping of fields.",
        "Write one 'key: value' per line, e.g. 'severity: SEV2'.",
    ),
    _rule(
        "front-matter-key",
        "front-matter",
        "A front-matter key is not plain text.",
        "Write keys as plain words such as 'severity', not numbers or lists.",
    ),
    _rule(
        "duplicate-key",
        "front-matter",
        "The same front-matter key appears twice.",
        "Keep one of them: YAML would silently keep only the last.",
    ),
    # The schema.
    _rule(
        "required-field",
        "schema",
        "A required front-matter field is missing.",
        "Add the field; the message names it and the hint shows its form.",
    ),
    _rule(
        "unknown-key",
        "schema",
        "A front-matter key that the schema does not know.",
        "Fix the typo (the hint suggests the closest known key) or remove the key.",
    ),
    _rule(
        "wrong-type",
        "schema",
        "A front-matter value has the wrong type.",
        "Write the value in the expected form, e.g. a list for services.",
    ),
    _rule(
        "invalid-value",
        "schema",
        "A value outside the allowed choices, of the wrong form, or too short or long; also "
        "an unquoted whole number too long for MkDocs' YAML reader, which refuses it.",
        "Use one of the allowed values named in the message; quote a long number to keep it "
        "as text.",
    ),
    _rule(
        "invalid-format",
        "schema",
        "An impossible date, a timestamp without a time zone, or a ticket that is not a URL; "
        "also an unquoted impossible date in any field, which MkDocs' YAML reader refuses.",
        "Write dates as 2026-04-15 and timestamps as 2026-03-14T09:02:00Z; quote text that "
        "only looks like a date.",
    ),
    _rule(
        "section-missing",
        "sections",
        "A mandatory section of the protocol is absent.",
        "Add the '## <Section>' heading with at least a sentence of content.",
    ),
    _rule(
        "section-empty",
        "sections",
        "A mandatory section has fewer than three words of real content.",
        "Write at least a sentence; comments, code and placeholders do not count.",
    ),
    _rule(
        "section-incomplete",
        "sections",
        "A section misses a required part.",
        "For example, a Timeline needs a | Time | Event | Evidence | table of two rows.",
    ),
    _rule(
        "section-invalid",
        "sections",
        "The sections do not match the schema.",
        "Check the section requirements in schemas/postmortem.schema.json.",
    ),
    # Beyond the schema.
    _rule(
        "severity-mismatch",
        "consistency",
        "The severity disagrees with the protocol's decision tree over impact_flags.",
        "Set the severity the decision tree gives, correct the impact_flags answers, or "
        "explain a deliberate choice in severity_reason (then this is a note).",
    ),
    _rule(
        "time-order",
        "consistency",
        "The milestones are out of order.",
        "Times must follow started <= detected <= contained <= resolved.",
    ),
    _rule(
        "placeholder",
        "completeness",
        "Template text is left in the post-mortem.",
        "Replace TODO, TBD, HH:MM, <how>, [fill in ...] and similar with the real content.",
    ),
    _rule(
        "timeline-order",
        "consistency",
        "A timeline row is earlier than the row above.",
        "Order rows by time; after midnight write the date, as 2026-03-15 01:10.",
    ),
    _rule(
        "timeline-time",
        "consistency",
        "A timeline time cannot be read.",
        "Write times as 09:12, 2026-03-15 01:10 for another day, 2026-03-15 for a day only, "
        "or ~09:12 for an approximate time.",
        Level.WARNING,
    ),
    _rule(
        "title-mismatch",
        "consistency",
        "The front-matter title and the body's '# ' heading differ.",
        "Make them the same: the site lists the title and shows the heading.",
        Level.WARNING,
    ),
    _rule(
        "duplicate-id",
        "collection",
        "Two post-mortems share an id.",
        "Give each post-mortem its own id: the next free number of the year.",
    ),
    _rule(
        "unknown-related",
        "collection",
        "A related id matches no post-mortem, or is the post-mortem itself.",
        "Check the id, or remove it from related.",
    ),
    # Publishing: what the site build would fail on, overwrite or mangle.
    _rule(
        "reserved-path",
        "publishing",
        "A post-mortem is named index.md or README.md: the page the site generates there.",
        "Rename the file; the incidents folder and each year folder get a generated index.",
    ),
    _rule(
        "name-too-long",
        "publishing",
        "A file name, or a service's page name, would be over 255 bytes.",
        "Shorten the file name or use the service's short name.",
    ),
    _rule(
        "name-collision",
        "publishing",
        "Two spellings of a service share one page, or two tags differ only in case, "
        "accents or look-alike letters.",
        "Spell the service or tag the same way everywhere.",
    ),
    _rule(
        "markdown-too-deep",
        "publishing",
        "Lists or quotes nest deeper than the site's Markdown renderer can follow (100).",
        "Flatten the list: a few levels are enough.",
    ),
    _rule(
        "markdown-extension",
        "publishing",
        "A Markdown file whose suffix is not lower case ('.MD'): MkDocs would copy it raw.",
        "Rename it to end in '.md'.",
    ),
    _rule(
        "symlink",
        "publishing",
        "A symbolic link in the incidents folder: links are not followed.",
        "Move the post-mortem itself into the incidents folder.",
    ),
    _rule(
        "ignored-file",
        "publishing",
        "A file in the incidents folder that is not a post-mortem: not checked or published.",
        "Keep attachments elsewhere, or ignore this note.",
        Level.INFO,
    ),
    _rule(
        "similar-not-related",
        "collection",
        "An earlier post-mortem has a very similar root cause and is not in related.",
        "If it is the same cause recurring, add its id to related (the hint names it); "
        "see docs/similar-incidents.md.",
        Level.INFO,
    ),
    # The suppression comments of the language checker.
    _rule(
        "blameless/suppression-without-reason",
        "suppression",
        "A blameless-language suppression comment gives no reason.",
        "Give the reason after a colon: <!-- blameless-ignore RULE: why this wording stays -->.",
    ),
    _rule(
        "blameless/unknown-suppression-target",
        "suppression",
        "A blameless-language suppression comment names no known rule.",
        "Name a rule id, a category or 'all': <!-- blameless-ignore agent: reason -->.",
    ),
    # Raw HTML in the body (htmlcheck; off with raw_html: allow).
    _rule(
        "html/script",
        "html",
        "The body holds a <script> element.",
        "The site publishes no script from a post-mortem; quote code in a code block.",
    ),
    _rule(
        "html/style",
        "html",
        "The body holds a <style> element.",
        "A post-mortem cannot restyle the site; quote CSS in a code block.",
    ),
    _rule(
        "html/embedded-content",
        "html",
        "The body embeds other content (<iframe>, <object>, <embed>).",
        "Link to the page or dashboard instead of embedding it.",
    ),
    _rule(
        "html/event-handler",
        "html",
        "An HTML element of the body has an event-handler attribute (onclick=, onerror=).",
        "Remove the attribute; the site runs no code from a post-mortem.",
    ),
    _rule(
        "html/script-url",
        "html",
        "A link or source in the body is a javascript:, vbscript: or data: URL.",
        "Link to an http(s) page, or quote the URL in inline code.",
    ),
    # Markup the site build cannot read at all (htmlcheck; whatever raw_html says).
    _rule(
        "html/marked-section",
        "html",
        "The body holds '<![' that opens no CDATA section; MkDocs stops reading the page there.",
        "Write it another way ('< ![' in prose; '(?<!(?:[^a]))' for the regex '(?<![^a])').",
    ),
)


class Rulebook:
    """An ordered catalogue of rules; unknown ids get a generic, non-failing entry."""

    def __init__(self, rules: Iterable[RuleInfo] = _CORE) -> None:
        self._rules: dict[str, RuleInfo] = {}
        for info in rules:
            self._rules.setdefault(info.id, info)

    @property
    def rules(self) -> Mapping[str, RuleInfo]:
        return MappingProxyType(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def describe(
        self, rule_id: str, *, level: Level = Level.WARNING, category: str = ""
    ) -> RuleInfo:
        """The entry for ``rule_id``, or a generic one for an id this catalogue lacks."""
        known = self._rules.get(rule_id)
        if known is not None:
            return known
        return RuleInfo(
            rule_id,
            f"Post-mortem check '{rule_id}'.",
            f"See the documentation of the post-mortem checks for '{rule_id}'.",
            level,
            category,
        )

    def extended(self, rules: Iterable[RuleInfo]) -> Rulebook:
        """A new rulebook with ``rules`` added after these (existing ids win)."""
        return Rulebook([*self._rules.values(), *rules])


def core_rulebook() -> Rulebook:
    """The catalogue of the core rules (file, front matter, schema, consistency, collection)."""
    return Rulebook(_CORE)


_MATCH = re.compile(r"""[\s:]*['"‘“]?\{match\}['"’”]?""")


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" .:")
    return text + "." if text else text


def language_rule_infos(rule_set: object) -> list[RuleInfo]:
    """Entries for the rules of a loaded language ``RuleSet`` (``load_rules``).

    The description is the rule's message without its ``{match}`` part; the help text is
    the hint, with the rule's first suggested rewording as an example.
    """
    infos = []
    for rule in getattr(rule_set, "rules", ()):
        description = _sentence(_MATCH.sub("", rule.message)) or f"Language rule {rule.id}."
        help_text = _sentence(_MATCH.sub(" the flagged wording", rule.hint)) or description
        suggestions = tuple(getattr(rule, "suggestions", ()))
        if suggestions:
            help_text += f" For example: {suggestions[0]}"
        infos.append(RuleInfo(rule.id, description, help_text, Level(rule.level), rule.category))
    return infos


def with_language_rules(rule_set: object, base: Rulebook | None = None) -> Rulebook:
    """``base`` (default: the core rules) plus the rules of a loaded language ``RuleSet``."""
    return (base or core_rulebook()).extended(language_rule_infos(rule_set))
