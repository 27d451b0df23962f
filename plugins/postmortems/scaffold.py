"""``postmortem new``: start a post-mortem from the template, with the next free id.

The template (``templates/new/postmortem.md.j2``, or a team's own) gets the facts that are
known (title, date, severity and the decision-tree answers, services, authors) and the
schema's mandatory sections. What is not known is left as YAML comments or as template
text: the check reports each until it is filled in, and no value is made up.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import frontmatter
import jinja2
from jsonschema import Draft202012Validator

from .checks import expected_severity
from .errors import ConfigurationError

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = TEMPLATES / "new" / "postmortem.md.j2"
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_MAX_SLUG = 60
_ID_LINE = re.compile(r"""^id:\s*["']?INC-(?P<year>\d{4})-(?P<number>\d+)["']?\s*(?:#.*)?$""")
_HEAD_LINES = 200  # an id further down than this is not in a front matter block


class ScaffoldError(ConfigurationError):
    """The post-mortem cannot be created; the message says why and what to do."""


@dataclass(frozen=True)
class NewPostmortem:
    """What is known about the incident when its post-mortem is started."""

    title: str
    date: dt.date
    status: str = "draft"
    severity: str | None = None
    impact_flags: Mapping[str, bool] | None = None
    services: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


def slugify(title: str) -> str:
    """A file-name slug: lower-case ASCII words joined by ``-``, cut at a word boundary."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _MAX_SLUG:
            break
        slug = candidate
    return slug or (words[0][:_MAX_SLUG] if words else "")


def _front_matter_head(path: Path) -> list[str]:
    """The front-matter lines of ``path`` (read no further than needed)."""
    lines: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline().lstrip("\ufeff").rstrip()
            if first != "---":
                return []
            for _ in range(_HEAD_LINES):
                line = handle.readline()
                if not line or line.rstrip() in ("---", "..."):
                    break
                lines.append(line.rstrip("\r\n"))
    except OSError:
        return []
    return lines


def used_numbers(incidents_dir: Path, year: int) -> set[int]:
    """The numbers of the ``INC-<year>-NNN`` ids in the collection's front matter."""
    numbers: set[int] = set()
    if not incidents_dir.is_dir():
        return numbers
    for path in incidents_dir.rglob("*.md"):
        relative = path.relative_to(incidents_dir).parts
        if any(part.startswith((".", "_")) for part in relative):
            continue  # skipped by the check, so not part of the collection
        for line in _front_matter_head(path):
            match = _ID_LINE.match(line)
            if match and int(match.group("year")) == year:
                numbers.add(int(match.group("number")))
    return numbers


def next_id(incidents_dir: Path, year: int) -> str:
    """The next free id of ``year``: one more than the highest in use."""
    return f"INC-{year}-{max(used_numbers(incidents_dir, year), default=0) + 1:03d}"


def postmortem_path(incidents_dir: Path, date: dt.date, title: str) -> Path:
    """``<incidents>/<YYYY>/<YYYY-MM-DD>-<slug>.md``."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to name the file")
    return incidents_dir / f"{date.year:04d}" / f"{date.isoformat()}-{slug}.md"


class SchemaFacts:
    """The parts of the post-mortem schema that a new file needs."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        properties = schema.get("properties", {})
        self.front = properties.get("front_matter", {}).get("properties", {})
        self.section_schema = properties.get("sections", {})

    @classmethod
    def load(cls, path: Path) -> SchemaFacts:
        try:
            return cls(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ScaffoldError(f"cannot read the schema {path}: {exc}") from exc

    def sections(self) -> list[dict[str, str]]:
        """The mandatory sections in the schema's order, with their title and hint."""
        properties = self.section_schema.get("properties", {})
        out = []
        for slug in self.section_schema.get("required", []):
            spec = properties.get(slug, {})
            title = str(spec.get("title") or slug.replace("-", " ").title())
            hint = str(spec.get("x-hint") or f"the {title.lower()}").replace("]", ")")
            out.append({"slug": slug, "title": title, "hint": hint})
        return out

    def questions(self) -> dict[str, str]:
        """impact_flags key -> its decision-tree question, in the schema's order."""
        flags = self.front.get("impact_flags", {})
        described = flags.get("properties", {})
        keys = list(flags.get("required", [])) or list(described)
        return {k: str(described.get(k, {}).get("description") or k) for k in keys}

    def check_value(self, name: str, value: Any, *, item: bool = False) -> None:
        """Raise :class:`ScaffoldError` if ``value`` breaks the schema of field ``name``."""
        schema = self.front.get(name, {})
        if item:
            schema = schema.get("items", {})
        if not schema or Draft202012Validator(schema).is_valid(value):
            return
        hint = schema.get("x-hint") or " ".join(
            f"{k}: {v}" for k, v in schema.items() if k in ("enum", "pattern", "minLength")
        )
        raise ScaffoldError(f"{name}: {value!r} is not allowed ({hint})")


def _yaml(value: Any) -> str:
    """A YAML flow scalar or sequence: JSON is valid YAML, and escapes quotes and controls.

    The characters YAML reads as line breaks but JSON leaves alone are escaped too.
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\u0085", "\\x85").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_postmortem(
    spec: NewPostmortem, postmortem_id: str, policy: SchemaFacts, template: Path | None = None
) -> str:
    """The new file's text from ``template`` (default: the packaged one)."""
    path = template or DEFAULT_TEMPLATE
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot read template {path}: {exc.strerror}") from exc
    env = jinja2.Environment(
        autoescape=False,  # Markdown and YAML, not HTML
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = _yaml
    try:
        text = env.from_string(source).render(
            id=postmortem_id,
            title=spec.title,
            status=spec.status,
            date=spec.date.isoformat(),
            severity=spec.severity,
            impact_flags=dict(spec.impact_flags) if spec.impact_flags else None,
            questions=policy.questions(),
            services=list(spec.services),
            authors=list(spec.authors),
            sections=policy.sections(),
        )
    except jinja2.TemplateError as exc:
        raise ScaffoldError(f"template {path}: {exc}") from exc
    _check_rendered(text, postmortem_id, path)
    return text


def _check_rendered(text: str, postmortem_id: str, template: Path) -> None:
    """A team template must still produce front matter that holds the new id."""
    try:
        metadata = frontmatter.loads(text).metadata
    except Exception as exc:  # python-frontmatter raises the YAML parser's own errors
        raise ScaffoldError(
            f"template {template} does not produce valid front matter: {exc}"
        ) from exc
    if metadata.get("id") != postmortem_id:
        raise ScaffoldError(f"template {template} must write 'id: {{{{ id }}}}' in front matter")


def create_postmortem(
    incidents_dir: Path, spec: NewPostmortem, policy: SchemaFacts, template: Path | None = None
) -> Path:
    """Write the new post-mortem and return its path; never overwrites a file."""
    path = postmortem_path(incidents_dir, spec.date, spec.title)
    if path.exists():
        raise ScaffoldError(f"{path} already exists; it is not overwritten (pick another title)")
    text = render_postmortem(spec, next_id(incidents_dir, spec.date.year), policy, template)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path} already exists; it is not overwritten") from exc
    return path


def validate_spec(spec: NewPostmortem, policy: SchemaFacts) -> NewPostmortem:
    """Check the given facts against the schema and the decision tree; fill in severity."""
    policy.check_value("title", spec.title)
    policy.check_value("status", spec.status)
    for service in spec.services:
        policy.check_value("services", service, item=True)
    if spec.severity is not None and spec.severity not in SEVERITIES:
        raise ScaffoldError(f"severity {spec.severity!r} is not one of {', '.join(SEVERITIES)}")
    if spec.impact_flags is not None:
        expected = expected_severity(dict(spec.impact_flags))
        if spec.severity not in (None, expected):
            raise ScaffoldError(
                f"--severity {spec.severity} disagrees with the decision tree, which gives "
                f"{expected} for these answers; drop one or correct the answers"
            )
        spec = replace(spec, severity=expected)
    return spec


def interactive() -> bool:
    """Whether to ask: standard input is a terminal."""
    return sys.stdin.isatty()


def ask_missing(
    spec: NewPostmortem,
    questions: Mapping[str, str],
    *,
    confirm: Callable[..., bool] = click.confirm,
    prompt: Callable[..., Any] = click.prompt,
) -> NewPostmortem:
    """Ask for the decision-tree answers, services and authors that were not given."""
    if spec.severity is None and spec.impact_flags is None:
        click.echo("Severity: answer the protocol's decision tree.")
        flags = {key: bool(confirm(f"  {text}", default=False)) for key, text in questions.items()}
        spec = replace(spec, impact_flags=flags)
    if not spec.services:
        answer = prompt("Services affected (comma-separated slugs)", default="")
        spec = replace(spec, services=_split(answer))
    if not spec.authors:
        spec = replace(spec, authors=_split(prompt("Authors (comma-separated)", default="")))
    return spec


def _split(answer: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in str(answer).split(",") if p.strip()))


def impact_flags_from_answers(
    answers: Mapping[str, bool | None], keys: Sequence[str]
) -> dict[str, bool] | None:
    """All answers when any was given (an answer left out means no); None when none was."""
    if all(answers.get(k) is None for k in keys):
        return None
    return {k: bool(answers.get(k)) for k in keys}
