"""Similar post-mortems from the checker's parse: the index, and the check that uses it.

The similarity index (:mod:`postmortems.similar`) is built once per run from documents that
the pipeline has already read and parsed (``pm.meta`` and ``pm.document``); no file is read
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from .findings import Finding, Level
from .markdown import Body, Section
from .model import Postmortem
from .similar import CaseText, SimilarityIndex
from .source import split_front_matter

#: The rule of the info finding "an earlier post-mortem is very similar and not related".
SIMILAR_NOT_RELATED = "similar-not-related"
_SYMPTOM = ("symptom", "symptoms")
#: The hint names at most this many ids, the most similar first.
HINT_IDS = 3


def _section_prose(body: Body, section: Section | None, *, drop_symptoms: bool) -> str:
    """A section's prose; with ``drop_symptoms``, without its tables' "Symptom" rows."""
    if section is None:
        return ""
    skipped: set[str] = set()
    if drop_symptoms:
        for table in section.tables:
            for row in table.rows:
                values = list(row.cells.values())
                if values and values[0].strip("* ").lower() in _SYMPTOM:
                    skipped.update(v.strip() for v in values)
    if not skipped:
        return body.prose.section_text(section)
    text = body.prose.text
    parts = (text[body.prose.segments[i].start:body.prose.segments[i].end]
             for i in section.segments)
    return "\n".join(p for p in parts if p.strip() not in skipped)


def case_from_document(meta: Mapping[str, Any], body: Body | None) -> CaseText | None:
    """A ``CaseText`` from front matter and a parsed body; None without an id."""
    case_id = meta.get("id")
    if not isinstance(case_id, str) or not case_id:
        return None
    root = meta.get("root_cause") if isinstance(meta.get("root_cause"), Mapping) else {}
    started = meta.get("started")

    def strings(value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    return CaseText(
        id=case_id,
        title=str(meta.get("title", "")),
        started=str(started) if started else None,
        cause_summary=str(root.get("summary", "") or ""),
        cause_category=str(root.get("category", "") or ""),
        cause_text=_section_prose(body, body.section("root-cause"), drop_symptoms=True)
        if body else "",
        factors_text=_section_prose(body, body.section("contributing-factors"),
                                    drop_symptoms=False) if body else "",
        services=strings(meta.get("services")),
        tags=strings(meta.get("tags")),
    )


def case_from_cache(data: Mapping[str, Any] | None) -> CaseText | None:
    """The case kept in the results cache for a file that was not parsed this run."""
    if not data:
        return None
    values = dict(data)
    values["services"], values["tags"] = tuple(values["services"]), tuple(values["tags"])
    return CaseText(**values)


def cases(postmortems: Iterable[Postmortem]) -> list[CaseText]:
    """One case per readable post-mortem with an id; the first of a duplicated id wins."""
    out: dict[str, CaseText] = {}
    for pm in postmortems:
        if not pm.source.readable:
            continue
        case = (case_from_document(pm.meta, pm.document) if pm.document is not None
                else case_from_cache(pm.cached_case))
        if case is not None and case.id not in out:
            out[case.id] = case
    return list(out.values())


def build_index(postmortems: Iterable[Postmortem], extra: Sequence[CaseText] = (),
                reuse: Mapping[str, Any] | None = None) -> SimilarityIndex:
    """The similarity index of ``postmortems`` (and ``extra`` cases of the same collection).

    ``reuse``: the ``to_data()`` of an earlier index, whose unchanged cases' features are kept.
    """
    found = cases(postmortems)
    seen = {c.id for c in found}
    return SimilarityIndex([*found, *(c for c in extra if c.id not in seen)], reuse=reuse)


def similar_findings(postmortems: Iterable[Postmortem], index: SimilarityIndex,
                     line_of: Any = None) -> list[Finding]:
    """An info finding per post-mortem that an earlier, very similar one is not related to.

    ``line_of(pm)`` gives the (line, column) to report at; the ``related`` key if any.
    """
    findings: list[Finding] = []
    checked = [pm for pm in postmortems if pm.source.readable and pm.id is not None]
    # All at once: a batch of matrix products when there are many, one query each otherwise.
    very = index.very_similar_all([pm.id for pm in checked])
    for pm in checked:
        related = pm.meta.get("related")
        listed = [r for r in related if isinstance(r, str)] if isinstance(related, list) else []
        matches = very.get(pm.id, ())
        missing = [m for m in matches if m.id not in listed] if listed else matches
        if not missing:
            continue
        line, column = line_of(pm) if line_of else (1, 1)
        ids = [m.id for m in missing[:HINT_IDS]]
        best = missing[0]
        more = f" ({len(missing) - 1} more earlier ones score 0.30 or more)" if len(
            missing) > 1 else ""
        findings.append(Finding(
            pm.path, line, SIMILAR_NOT_RELATED, Level.INFO,
            f"earlier post-mortem {best.id} is very similar (score {best.score:.2f}: "
            f"{', '.join(best.shared_terms[:3])}) and is not in related{more}",
            f"if it is the same cause, add it: related: [{', '.join([*listed, *ids])}]",
            column,
        ))
    return findings


def context_cases(paths: Iterable[Any]) -> list[CaseText]:
    """Cases of the collection's files that are not being checked (read once, here).

    Only the front matter's values are needed, not their positions: libyaml's loader reads
    them when PyYAML has it (about ten times faster than the pure-Python one).
    """
    from .similar import case_from_front_matter

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        front, _, body, _ = split_front_matter(text)
        if front is None:
            continue
        try:
            meta = yaml.load(front, Loader=loader)  # a safe loader, C or Python
        except yaml.YAMLError:
            continue
        if isinstance(meta, Mapping) and isinstance(meta.get("id"), str):
            out.append(case_from_front_matter(meta, body))
    return out
