"""The team's policy: the JSON Schema of mandatory elements, and its errors in plain words."""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, ValidationError

from .errors import ConfigurationError
from .findings import Finding, Level
from .formats import format_checker
from .markdown import Body
from .positions import LoadedYaml, Path_, Position, Refusal, dotted, value_at

_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")
_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "nothing",
}


class PolicyError(ConfigurationError):
    """The schema file itself is missing or invalid: a configuration error, not a finding."""


@dataclass(frozen=True)
class Placeholder:
    pattern: re.Pattern[str]
    hint: str


class Policy:
    """A loaded, checked JSON Schema plus the placeholder patterns it declares."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"cannot read schema {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
        except UnicodeDecodeError as exc:
            raise PolicyError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
        try:
            Draft202012Validator.check_schema(self.schema)
        except jsonschema.SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            raise PolicyError(f"{path}: invalid JSON Schema at {where}: {exc.message}") from exc
        self.validator = Draft202012Validator(self.schema, format_checker=format_checker())
        self.prose_fields: list[str] = list(self.schema.get("x-prose-fields", []))
        self.placeholders = [
            Placeholder(re.compile(item["pattern"], re.M), item.get("hint", ""))
            for item in self.schema.get("x-placeholders", [])
        ]

    def section_title(self, slug: str) -> str:
        """The display title the schema gives a section (``root-cause`` -> ``Root Cause``)."""
        sections = self.schema.get("properties", {}).get("sections", {}).get("properties", {})
        return str(sections.get(slug, {}).get("title") or slug.replace("-", " ").title())

    def instance(self, meta: dict[str, Any], document: Body) -> dict[str, Any]:
        """The validation instance of one post-mortem: its front matter and its sections."""
        ignore = [p.pattern for p in self.placeholders]
        sections: dict[str, Any] = {}
        for section in document.sections:
            if section.slug in sections:
                continue
            sections[section.slug] = {
                "heading": section.heading,
                "line": section.line,
                "words": document.words(section, ignore),
                "table_rows": sum(len(table.rows) for table in section.tables),
            }
        return {"front_matter": meta, "sections": sections}

    def validate(
        self, path: str, instance: dict[str, Any], yaml: LoadedYaml, document: Body
    ) -> list[Finding]:
        """Validate and translate every error into a finding at the right line.

        A value or key that MkDocs' reader refuses (an impossible date, a number too long to
        convert) is reported once: a schema error on a date's format says the same, so it
        stands alone; any other schema finding on it gives way to the refusal, which takes
        its hint.
        """
        locator = _Locator(yaml, document, instance)
        translated = [
            (error.validator, subject, finding)
            for error in self.validator.iter_errors(instance)
            for subject, finding in self._translate(path, error, locator)
        ]
        formats = {
            subject for validator, subject, _ in translated
            if validator == "format" and (refusal := _refusal(yaml, subject)) is not None
            and refusal.kind == "date"
        }
        reported = _reported_refusals(yaml, formats)
        findings: list[Finding] = []
        hints: dict[_Subject, str] = {}
        for _, subject, finding in translated:
            # A schema finding gives way only to a refusal reported for that same value or
            # key; an alias of a refused value keeps its own (the refusal is reported once,
            # at the first path that reaches it).
            if subject is not None and subject in reported:
                hints.setdefault(subject, finding.hint)
            else:
                findings.append(finding)
        return findings + _refused(path, yaml, reported, hints)

    def _translate(
        self, path: str, error: ValidationError, where: _Locator
    ) -> Iterator[tuple[_Subject | None, Finding]]:
        """Each finding of ``error`` with the front-matter value or key it is about."""
        data_path = tuple(error.absolute_path)
        schema = error.schema if isinstance(error.schema, dict) else {}
        hint = str(schema.get("x-hint", ""))
        if data_path[:1] == ("sections",):
            for finding in self._section_finding(path, error, data_path, schema, where):
                yield None, finding
            return
        field_path = data_path[1:]
        label = dotted(field_path)
        line, column = where.field(field_path)
        value = error.instance
        subject: _Subject = ("value", field_path)
        match error.validator:
            case "required":
                name = _missing_name(error)
                sub = schema.get("properties", {}).get(name, {})
                hint = str(sub.get("x-hint", "")) or f"add '{name}:' to the front matter"
                message = f"{label}: '{name}' is required" if label else f"'{name}' is required"
                yield None, Finding(
                    path, line, "required-field", Level.ERROR, message, hint, column
                )
            case "additionalProperties":
                known = list(schema.get("properties", {}))
                for key in sorted(set(value) - set(known)):
                    key_line, key_column = where.field((*field_path, key))
                    close = difflib.get_close_matches(key, known, n=1)
                    fix = (
                        f"did you mean '{close[0]}'?"
                        if close
                        else f"known keys: {', '.join(known)}"
                    )
                    prefix = f"{label}: " if label else ""
                    yield ("key", (*field_path, key)), Finding(
                        path,
                        key_line,
                        "unknown-key",
                        Level.ERROR,
                        f"{prefix}unknown key '{key}'",
                        fix,
                        key_column,
                    )
            case "type":
                expected = error.validator_value
                names = [expected] if isinstance(expected, str) else list(expected)
                wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
                yield subject, Finding(
                    path,
                    line,
                    "wrong-type",
                    Level.ERROR,
                    f"{label}: expected {wanted}, found {_describe(value)}",
                    hint or f"write {label} as {wanted}",
                    column,
                )
            case "enum" | "const":
                allowed = (
                    error.validator_value if error.validator == "enum" else [error.validator_value]
                )
                choices = ", ".join(str(a) for a in allowed)
                close = _unambiguous_match(str(value), [str(a) for a in allowed])
                fix = f"did you mean '{close}'? " if close else ""
                yield subject, Finding(
                    path,
                    line,
                    "invalid-value",
                    Level.ERROR,
                    f"{label}: {_short(value)} is not one of {choices}",
                    (fix + hint).strip() or f"use one of {choices}",
                    column,
                )
            case "format":
                yield subject, Finding(
                    path,
                    line,
                    "invalid-format",
                    Level.ERROR,
                    f"{label}: {_short(value)} is not a valid {error.validator_value}",
                    hint or f"write a valid {error.validator_value}",
                    column,
                )
            case _:
                message = str(schema.get("x-message") or _plain(error))
                yield subject, Finding(
                    path, line, "invalid-value", Level.ERROR, f"{label}: {message}", hint, column
                )

    def _section_finding(
        self,
        path: str,
        error: ValidationError,
        data_path: tuple[Any, ...],
        schema: dict[str, Any],
        where: _Locator,
    ) -> Iterator[Finding]:
        if len(data_path) == 1 and error.validator == "required":
            slug = _missing_name(error)
            title = self.section_title(slug)
            sub = schema.get("properties", {}).get(slug, {})
            hint = str(sub.get("x-hint", ""))
            yield Finding(
                path,
                where.missing_section_line(),
                "section-missing",
                Level.ERROR,
                f"missing mandatory section '## {title}'",
                f"add a '## {title}' section: {hint}" if hint else f"add '## {title}'",
            )
            return
        if len(data_path) < 2:
            yield Finding(
                path,
                where.missing_section_line(),
                "section-invalid",
                Level.ERROR,
                _plain(error),
                str(schema.get("x-hint", "")),
            )
            return
        slug = str(data_path[1])
        title = self.section_title(slug)
        rule = "section-empty" if data_path[2:] == ("words",) else "section-incomplete"
        message = str(schema.get("x-message") or _plain(error))
        yield Finding(
            path,
            where.section_line(slug),
            rule,
            Level.ERROR,
            f"section '## {title}' {message}",
            str(schema.get("x-hint", "")),
            1,
        )


#: What a schema finding is about: ``("value", path)`` or ``("key", path of the key)``.
_Subject = tuple[str, Path_]


def _refusal(yaml: LoadedYaml, subject: _Subject | None) -> Refusal | None:
    """Why MkDocs' reader refuses the value or key a schema finding is about, if it does."""
    if subject is None:
        return None
    kind, where = subject
    return (yaml.refused if kind == "value" else yaml.refused_keys).get(where)


def _reported_refusals(yaml: LoadedYaml, formats: set[_Subject]) -> dict[_Subject, Refusal]:
    """The value or key each refusal is reported for: the first one written at its place
    (however many aliases reuse it), but a date whose format the schema reported."""
    subjects: list[tuple[_Subject, Refusal]] = [
        (("value", p), r) for p, r in yaml.refused.items() if ("value", p) not in formats
    ] + [(("key", p), r) for p, r in yaml.refused_keys.items()]
    first: dict[Position, tuple[_Subject, Refusal]] = {}
    for subject, refusal in subjects:
        first.setdefault(refusal.position, (subject, refusal))
    return dict(first.values())


def _refused(
    path: str, yaml: LoadedYaml, reported: dict[_Subject, Refusal], hints: dict[_Subject, str]
) -> list[Finding]:
    """A finding for each value or key MkDocs' reader refuses, as ``_reported_refusals``
    chose them. ``hints`` are those of the schema findings each one replaces."""
    findings: list[Finding] = []
    for (kind, p), refusal in reported.items():
        what = (f"{dotted(p)}: {_short(value_at(yaml.data, p))}" if kind == "value"
                else f"key {_short(dotted(p))}")
        if refusal.kind == "number":
            rule = "invalid-value"
            problem = (f"is a whole number of more than {sys.get_int_max_str_digits():,} "
                       "digits, which Python does not convert")
            fix = f"put the {kind} in quotes to keep it as text"
        elif refusal.kind == "tag":
            rule = "invalid-value"
            problem = f"is tagged !!{refusal.tag} but is not one, so PyYAML refuses to read it"
            fix = f"remove the !!{refusal.tag} tag, or put the {kind} in quotes to keep it as text"
        else:
            rule, problem = "invalid-format", "reads as a date that does not exist"
            fix = f"write a real calendar date, or put the {kind} in quotes to keep it as text"
        where = refusal.position
        findings.append(Finding(
            path,
            where.line,
            rule,
            Level.ERROR,
            f"{what} {problem}, and MkDocs then drops the whole front matter into the page",
            hints.get((kind, p)) or fix,
            where.column,
        ))
    return findings


class _Locator:
    """Maps a data path of the instance back to a line and column of the file."""

    def __init__(self, yaml: LoadedYaml, document: Body, instance: dict[str, Any]) -> None:
        self.yaml = yaml
        self.document = document
        self.instance = instance

    def field(self, field_path: tuple[Any, ...]) -> tuple[int, int]:
        position = self.yaml.position_of(field_path)
        if position is None:
            return 1, 0
        if not field_path:  # the mapping as a whole: point at the opening '---'
            return 1, 0
        return position.line, position.column

    def section_line(self, slug: str) -> int:
        section = self.document.section(slug)
        return section.line if section else self.missing_section_line()

    def missing_section_line(self) -> int:
        return self.document.title_line or self.document.preamble.line


def _unambiguous_match(word: str, choices: list[str]) -> str | None:
    """The closest choice, when one choice is clearly closer than the rest."""
    scored = sorted(
        ((difflib.SequenceMatcher(None, word.lower(), c.lower()).ratio(), c) for c in choices),
        reverse=True,
    )
    if not scored or scored[0][0] < 0.6:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _missing_name(error: ValidationError) -> str:
    match = _REQUIRED.match(error.message)
    if match:
        return match.group("name")
    missing = [name for name in error.validator_value if name not in error.instance]
    return str(missing[0]) if missing else "?"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: Any) -> str:
    kinds = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }
    kind = kinds.get(type(value), type(value).__name__)
    return kind if value is None or isinstance(value, dict | list) else f"{kind} ({_short(value)})"


def _plain(error: ValidationError) -> str:
    value = error.validator_value
    match error.validator:
        case "minLength":
            return f"is too short (at least {value} characters)"
        case "maxLength":
            return f"is too long (at most {value} characters)"
        case "minItems":
            return f"needs at least {value} item{'s' if value != 1 else ''}"
        case "maxItems":
            return f"has more than {value} items"
        case "uniqueItems":
            return "has repeated items"
        case "pattern":
            return f"{_short(error.instance)} does not have the expected form"
        case "minimum":
            return f"must be at least {value}"
        case "maximum":
            return f"must be at most {value}"
    return error.message
