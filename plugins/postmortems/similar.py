"""Similar incidents: rank post-mortems by how alike their root causes are.

Each post-mortem becomes a sparse TF-IDF vector of stemmed words and *concepts* (synonym groups
kept as data in ``similarity-concepts.yml``, so that "certificate expired", "cert not renewed"
and "TLS expiry" meet in one feature). Fields are weighted so that the cause text counts and
the title, services and category (which name symptoms and owners) count little. Vectors are
L2-normalised and compared by cosine through an inverted index, so building is linear in the
collection and a query touches only the post-mortems that share a feature with it.

Pure Python, no MkDocs and no dependency on the core's parsing: callers build ``CaseText``
records (``case_from_markdown`` does it from a post-mortem file's text).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .model import root_causes
from .settings import packaged

DEFAULT_CONCEPTS_PATH = packaged("similarity-concepts.yml")

# Cosine score from which an earlier post-mortem counts as "very similar" (see
# docs/similar-incidents.md for how it was measured).
VERY_SIMILAR_THRESHOLD = 0.30
# How many of a query's highest-weighted terms are looked up in the inverted index.
QUERY_TERMS = 60


@dataclass(frozen=True)
class CaseText:
    """The text of one post-mortem that similarity looks at."""

    id: str
    title: str
    started: str | None
    cause_summary: str
    cause_category: str
    cause_text: str
    factors_text: str
    services: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """One similar post-mortem: its id, cosine score in [0, 1] and what it shares, readable."""

    id: str
    score: float
    shared_terms: tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    """A synonym group: any of its terms (phrases) found in a text adds the concept."""

    id: str
    label: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Weights:
    """How much each field counts; a concept counts ``concept`` times a word of its field."""

    cause_summary: float = 3.0
    cause_text: float = 1.5
    factors_text: float = 1.5
    tags: float = 1.0
    title: float = 0.0
    cause_category: float = 0.5
    services: float = 0.3
    concept: float = 2.0


# ---------------------------------------------------------------------------------------------
# Words


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _wordset(
    """
    a about above after again against all also am an and any are as at be became because
    been before being below between both but by can could did do does doing done down during
    each either else even ever every few for from further get got had has have having he her
    here hers him his how however i if in into is it its itself just last least less let
    like made make many may me might more most much must my nor now of off on once one only
    onto or other our ours out over own per same she should since so some such than that the
    their theirs them then there these they this those though through thus to too two under
    until up upon us very via was we were what when where whether which while who whom whose
    why will with within would yet you your
    """
)
# Words of almost every post-mortem: symptoms and incident vocabulary, not causes.
_GENERIC = _wordset(
    """
    incident inc outage error errors fail failed failing failure failures fault issue issues
    problem problems impact impacted affect affected cause caused causes causing root reason
    result resulted lead led customer customers user users service services request requests
    response responses minute minutes hour hours day days week weeks today yesterday
    timeline team teams engineer engineers production prod system systems occur
    occurred happen happened happens start started begin began stop stopped see saw seen
    show showed shown new old first second third several number way thing things use
    used using able unable
    """
)
# Words that describe what was seen rather than why: they count, but a third as much.
_SYMPTOMS = _wordset(
    """
    timeout timeouts timed slow slower slowdown latency latencies crash crashed crashes
    crashing down unavailable unavailability unreachable reject rejected rejects refused
    refusing denied broken degraded degradation spike spiked spikes outage blank empty wrong
    missing stuck hang hung 500 502 503 504 404 403 429 http page pages screen app apps
    website site
    """
)
SYMPTOM_FACTOR = 0.33
_NEGATIONS = frozenset({"not", "no", "never", "without", "nobody", "none", "nothing"})
_IRREGULAR = {
    "ran": "run", "held": "hold", "went": "go", "gone": "go", "kept": "keep", "written": "write",
    "wrote": "write", "broke": "break", "broken": "break", "froze": "freeze", "frozen": "freeze",
    "fell": "fall", "fallen": "fall", "grew": "grow", "grown": "grow", "hit": "hit",
    "expiration": "expire", "expiry": "expire", "expiries": "expire", "renewal": "renew",
    "renewals": "renew", "exhaustion": "exhaust", "data": "data", "status": "status",
    "analysis": "analysis", "bus": "bus", "dns": "dns", "tls": "tls", "ssl": "ssl",
    "https": "https", "kubernetes": "kubernetes", "redis": "redis", "postgres": "postgres",
}
_WORD_RE = re.compile(r"[a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: strips inflections and a few suffixes, consistently.

    Deliberately small and dependency-free; it only has to map the forms of one word to one
    key ("renewed", "renewing", "renewal" -> "renew"), not to produce dictionary lemmas.
    """
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            word = word[: -len(suffix)] + repl
            break
    else:
        if word.endswith("ing") and len(word) >= 6:
            word = _undouble(word[:-3])
        elif word.endswith("ed") and len(word) >= 5:
            word = _undouble(word[:-2])
        elif word.endswith("es") and len(word) >= 5 and word[-3] in "sxz":
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
            word = word[:-1]
    for suffix in ("ions", "ion"):
        cut = len(word) - len(suffix)
        if word.endswith(suffix) and cut >= 4 and word[cut - 1] in "ts":
            word = word[: -len(suffix)]
            break
    if word.endswith("ment") and len(word) >= 8:
        word = word[:-4]
    if word.endswith(("e", "y")) and len(word) >= 5:
        word = word[:-1]
    return word


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


def _raw_words(text: str) -> list[str]:
    return _WORD_RE.findall(_CAMEL_RE.sub(" ", text).lower())


def tokens(text: str) -> list[tuple[str, str]]:
    """(stem, surface) pairs of every word of a text, in order."""
    return [(stem(word), word) for word in _raw_words(text)]


def is_feature(stem_: str, surface: str) -> bool:
    """Whether a word counts on its own: not a function, generic, negation or number word.

    The others still take part in concept terms ("not renewed", "too many connections").
    """
    return not (
        len(surface) < 2
        or surface in _STOPWORDS
        or surface in _GENERIC
        or surface in _NEGATIONS
        or surface.isdigit()
    )


# ---------------------------------------------------------------------------------------------
# Concepts

def load_concepts(path: Path | str | None = None) -> tuple[Concept, ...]:
    """Read a concept map (``concepts: {id: {label, terms}}``); the packaged one by default."""
    path = Path(path) if path is not None else DEFAULT_CONCEPTS_PATH
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return concepts_from_data(data, source=str(path))


def concepts_from_data(data: Mapping[str, Any], source: str = "concepts") -> tuple[Concept, ...]:
    """Concepts from parsed YAML data, with a clear error for each malformed entry."""
    raw = data.get("concepts") if isinstance(data, Mapping) else None
    if not isinstance(raw, Mapping):
        raise ValueError(f"{source}: expected a mapping 'concepts: {{id: {{label, terms}}}}'")
    concepts = []
    for cid, entry in raw.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"{source}: concept {cid!r} must be a mapping with label and terms")
        terms = entry.get("terms")
        # YAML reads a bare 429 as a number: any scalar is a phrase.
        if not isinstance(terms, list) or not terms or not all(
            isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in terms
        ):
            raise ValueError(f"{source}: concept {cid!r} needs 'terms', a list of phrases")
        terms = [str(t) for t in terms]
        label = entry.get("label", str(cid).replace("-", " "))
        if not isinstance(label, str):
            raise ValueError(f"{source}: concept {cid!r} has a label that is not text")
        concepts.append(Concept(str(cid), label, tuple(terms)))
    return tuple(concepts)


class _ConceptMatcher:
    """Finds concept terms in a token stream: all words of a term within a small window."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.labels = {c.id: c.label for c in concepts}
        self.stems: dict[str, frozenset[str]] = {}
        # anchor stem -> [(concept id, the term's other stems, window)]
        self._by_anchor: dict[str, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
        for concept in concepts:
            all_stems: set[str] = set()
            for term in concept.terms:
                toks = tokens(term)
                stems = tuple(dict.fromkeys(s for s, _ in toks))
                if not stems:
                    continue
                content = [s for s, w in toks if is_feature(s, w)]
                all_stems.update(content)
                anchor = max(content or stems, key=len)
                others = tuple(s for s in stems if s != anchor)
                self._by_anchor[anchor].append((concept.id, others, len(stems) + 2))
            self.stems[concept.id] = frozenset(all_stems)

    def find(self, stream: Sequence[str]) -> Counter[str]:
        """How many times each concept occurs in the stemmed stream (once per position)."""
        positions: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(stream):
            positions[s].append(i)
        found: Counter[str] = Counter()
        by_anchor = self._by_anchor
        for anchor in positions.keys() & by_anchor.keys():
            anchor_pos = positions[anchor]
            for cid, others, window in by_anchor[anchor]:
                if not others:
                    hits = len(anchor_pos)
                elif not all(o in positions for o in others):
                    continue
                else:
                    hits = sum(
                        1 for p in anchor_pos
                        if all(any(abs(q - p) <= window for q in positions[o]) for o in others)
                    )
                if hits > found[cid]:
                    found[cid] = hits
        return found


# ---------------------------------------------------------------------------------------------
# The index

def _parse_started(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


class SimilarityIndex:
    """Cosine similarity of weighted TF-IDF vectors of cause words and concepts."""

    def __init__(
        self,
        cases: Sequence[CaseText],
        *,
        concepts: Sequence[Concept] | None = None,
        weights: Weights | None = None,
        very_similar_threshold: float = VERY_SIMILAR_THRESHOLD,
    ) -> None:
        self.weights = weights or Weights()
        self.very_similar_threshold = very_similar_threshold
        self._matcher = _ConceptMatcher(load_concepts() if concepts is None else concepts)
        self._surface: dict[str, Counter[str]] = defaultdict(Counter)
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._started: list[dt.datetime | None] = []
        raw: list[dict[str, float]] = []
        for case in cases:
            if case.id in self._pos:
                raise ValueError(f"duplicate post-mortem id {case.id!r}")
            self._pos[case.id] = len(self._ids)
            self._ids.append(case.id)
            self._started.append(_parse_started(case.started))
            raw.append(self._features(case))
        n = len(raw)
        df: Counter[str] = Counter()
        for feats in raw:
            df.update(feats.keys())
        self._idf = {t: math.log(1.0 + n / d) for t, d in df.items()}
        self._vectors = [self._weigh(feats) for feats in raw]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, vec in enumerate(self._vectors):
            for term, w in vec.items():
                self._postings[term].append((i, w))

    # -- building ---------------------------------------------------------------------------

    def _features(self, case: CaseText) -> dict[str, float]:
        w = self.weights
        feats: dict[str, float] = defaultdict(float)
        fields = (
            (case.cause_summary, w.cause_summary),
            (case.cause_text, w.cause_text),
            (case.factors_text, w.factors_text),
            (" ".join(t.replace("-", " ") for t in case.tags), w.tags),
            (case.title, w.title),
        )
        for text, weight in fields:
            if weight > 0 and text:
                self._add_text(feats, text, weight)
        if case.cause_category and w.cause_category > 0:
            feats["cat:" + case.cause_category.strip().lower()] += w.cause_category
        if w.services > 0:
            for service in case.services:
                feats["svc:" + service.strip().lower()] += w.services
        return feats

    def _add_text(self, feats: dict[str, float], text: str, weight: float) -> None:
        toks = tokens(text)
        stream = [s for s, _ in toks]
        for s, surface in toks:
            if not is_feature(s, surface):
                continue
            feats[s] += weight * (SYMPTOM_FACTOR if surface in _SYMPTOMS else 1.0)
            self._surface[s][surface] += 1
        for cid, count in self._matcher.find(stream).items():
            feats["@" + cid] += weight * self.weights.concept * count

    def _weigh(self, feats: Mapping[str, float]) -> dict[str, float]:
        vec = {t: math.log1p(tf) * self._idf.get(t, 0.0) for t, tf in feats.items() if tf > 0}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items() if v > 0} if norm else {}

    # -- querying ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def similar(self, case_id: str, k: int = 5, *, earlier_only: bool = False) -> list[Match]:
        """The ``k`` post-mortems whose causes are most like ``case_id``'s, best first.

        With ``earlier_only``, only those that started before it (a case with no known start
        has no earlier ones, and candidates with no known start are left out).
        """
        i = self._pos.get(case_id)
        if i is None:
            raise KeyError(case_id)
        allowed = None
        if earlier_only:
            start = self._started[i]
            if start is None:
                return []
            allowed = [s is not None and s < start for s in self._started]
        return self._rank(self._vectors[i], k, skip=i, allowed=allowed)

    def query(self, text: str, k: int = 5) -> list[Match]:
        """The ``k`` post-mortems most like a free text, such as a new incident's cause."""
        feats: dict[str, float] = defaultdict(float)
        self._add_text(feats, text, self.weights.cause_summary)
        return self._rank(self._weigh(feats), k, skip=None, allowed=None)

    def very_similar(self, case_id: str, *, threshold: float | None = None) -> list[Match]:
        """Earlier post-mortems whose cosine score reaches the very-similar threshold."""
        limit = self.very_similar_threshold if threshold is None else threshold
        matches = self.similar(case_id, k=len(self._ids), earlier_only=True)
        return [m for m in matches if m.score >= limit]

    def similar_all(self, k: int = 5, *, earlier_only: bool = False) -> dict[str, list[Match]]:
        """``similar`` for every post-mortem of the collection."""
        return {cid: self.similar(cid, k, earlier_only=earlier_only) for cid in self._ids}

    def _rank(
        self, qvec: Mapping[str, float], k: int, *, skip: int | None, allowed: list[bool] | None
    ) -> list[Match]:
        if k <= 0 or not qvec:
            return []
        # Only the query's strongest terms walk the postings: the rest add little to any score.
        terms = heapq.nlargest(QUERY_TERMS, qvec.items(), key=lambda tw: tw[1])
        scores: dict[int, float] = {}
        get = scores.get
        for term, qw in terms:
            for j, dw in self._postings.get(term, ()):
                scores[j] = get(j, 0.0) + qw * dw
        ranked = heapq.nsmallest(
            k,
            (
                (-s, self._ids[j], j) for j, s in scores.items()
                if j != skip and s > 1e-9 and (allowed is None or allowed[j])
            ),
        )
        return [
            Match(cid, round(-s, 4), self._shared(qvec, self._vectors[j])) for s, cid, j in ranked
        ]

    def _shared(self, a: Mapping[str, float], b: Mapping[str, float], limit: int = 5) -> tuple[
        str, ...
    ]:
        common = sorted((a[t] * b[t], t) for t in a.keys() & b.keys())
        common.reverse()
        shown: list[str] = []
        covered: set[str] = set()
        for _, term in common:
            if term.startswith("@"):
                cid = term[1:]
                covered |= self._matcher.stems.get(cid, frozenset())
                label = self._matcher.labels.get(cid, cid)
            elif term in covered:
                continue
            elif term.startswith("svc:"):
                label = "service " + term[4:]
            elif term.startswith("cat:"):
                label = "category " + term[4:]
            else:
                label = self._surface[term].most_common(1)[0][0] if self._surface[term] else term
            if label not in shown:
                shown.append(label)
            if len(shown) >= limit:
                break
        return tuple(shown)


# ---------------------------------------------------------------------------------------------
# From a post-mortem file

_SECTION_RE = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_SYMPTOM_ROW_RE = re.compile(r"^\|\s*\**symptoms?\**\s*\|.*$", re.IGNORECASE | re.MULTILINE)


def sections(body: str) -> dict[str, str]:
    """Level-2 sections of a Markdown body, by lower-cased heading."""
    marks = list(_SECTION_RE.finditer(body))
    out = {}
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        end = nxt.start() if nxt else len(body)
        out[m.group(1).strip().lower()] = body[m.end():end].strip()
    return out


def case_from_front_matter(meta: Mapping[str, Any], body: str) -> CaseText:
    """A ``CaseText`` from parsed front matter and the Markdown body after it.

    Rows of the Root Cause table whose level is "Symptom" are left out: they describe what
    was seen, not why.
    """
    causes = root_causes(meta)
    parts = sections(body)
    started = meta.get("started")
    if isinstance(started, (dt.date, dt.datetime)):
        started = started.isoformat()

    def strings(value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    return CaseText(
        id=str(meta.get("id", "")),
        title=str(meta.get("title", "")),
        started=str(started) if started else None,
        cause_summary=" ".join(c.summary for c in causes if c.summary),
        # The first cause's category: a case has one category feature.
        cause_category=causes[0].category if causes else "",
        cause_text=_SYMPTOM_ROW_RE.sub("", parts.get("root cause", "")),
        factors_text=parts.get("contributing factors", ""),
        services=strings(meta.get("services")),
        tags=strings(meta.get("tags")),
    )


def case_from_markdown(text: str) -> CaseText | None:
    """A ``CaseText`` from a whole post-mortem file, or None without readable front matter."""
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return None
    try:
        meta = yaml.safe_load(parts[0][3:])
    except yaml.YAMLError:
        return None
    if not isinstance(meta, Mapping) or not meta.get("id"):
        return None
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return case_from_front_matter(meta, body)
