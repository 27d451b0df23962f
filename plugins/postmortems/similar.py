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

import bisect
import dataclasses
import datetime as dt
import functools
import hashlib
import heapq
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .model import root_causes
from .settings import packaged

if TYPE_CHECKING:
    import numpy as np

DEFAULT_CONCEPTS_PATH = packaged("similarity-concepts.yml")

# Cosine score from which an earlier post-mortem counts as "very similar" (see
# docs/similar-incidents.md for how it was measured).
VERY_SIMILAR_THRESHOLD = 0.30
#: Version of the features and of ``to_data()``; part of every digest.
FORMAT_VERSION = 2
_EPS = 1e-12
_MIN_SCORE = 1e-9
_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)


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


class Match:
    """One similar post-mortem: its id, cosine score in [0, 1] and what it shares, readable.

    The shared terms are worked out when first read, so that long lists of matches (all the
    very similar ones, say) cost only their scores.
    """

    __slots__ = ("_explain", "_shared", "id", "score")

    def __init__(self, id: str, score: float, shared_terms: Sequence[str] = (), *,
                 explain: Callable[[], tuple[str, ...]] | None = None) -> None:
        self.id = id
        self.score = score
        self._shared: tuple[str, ...] | None = None if explain else tuple(shared_terms)
        self._explain = explain

    @property
    def shared_terms(self) -> tuple[str, ...]:
        """The features that contribute most to the score, as words and concept labels."""
        if self._shared is None:
            self._shared = self._explain() if self._explain else ()
            self._explain = None
        return self._shared

    def _key(self) -> tuple[str, float, tuple[str, ...]]:
        return (self.id, self.score, self.shared_terms)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Match(id={self.id!r}, score={self.score!r}, shared_terms={self.shared_terms!r})"


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
    concept: float = 3.0
    #: Factor for a word of the cause fields that also names the service or is in the title:
    #: it describes where and what was seen, not why.
    context: float = 0.33


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
    three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands dozen dozens half
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


class _WordInfo(dict):  # type: ignore[type-arg]
    """word -> (stem, how much it counts on its own: 0 for no feature, less for symptoms)."""

    def __missing__(self, word: str) -> tuple[str, float]:
        s = stem(word)
        value = (s, 0.0) if not is_feature(s, word) else (
            s, SYMPTOM_FACTOR if word in _SYMPTOMS else 1.0)
        if len(self) < 200_000:
            self[word] = value
        return value


_WORD_INFO = _WordInfo()


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
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _load_concepts(str(path), stamp)


@functools.lru_cache(maxsize=16)
def _load_concepts(path: str, stamp: int | None) -> tuple[Concept, ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=loader) or {}  # a safe loader, C or Python
    return concepts_from_data(data, source=path)


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
        for term in terms:
            if not _raw_words(term):
                raise ValueError(f"{source}: concept {cid!r} has a term with no words: {term!r}")
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
        self._relevant = frozenset(self._by_anchor).union(
            *(others for entries in self._by_anchor.values() for _, others, _ in entries)
        )

    def find(self, stream: Sequence[str]) -> Counter[str]:
        """How many times each concept occurs in the stemmed stream (once per position)."""
        positions: dict[str, list[int]] = defaultdict(list)
        relevant = self._relevant
        for i, s in enumerate(stream):
            if s in relevant:
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
                    near = [positions[o] for o in others]
                    hits = sum(1 for p in anchor_pos if all(_near(q, p, window) for q in near))
                if hits > found[cid]:
                    found[cid] = hits
        return found


def _near(positions: list[int], p: int, window: int) -> bool:
    """Whether a sorted list of positions has one within ``window`` of ``p``."""
    i = bisect.bisect_left(positions, p - window)
    return i < len(positions) and positions[i] <= p + window


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
    """Cosine similarity of weighted TF-IDF vectors of cause words and concepts.

    ``reuse`` takes the ``to_data()`` of an earlier index: the features of every case whose
    text and settings are unchanged are taken from it instead of being computed again.
    """

    def __init__(
        self,
        cases: Sequence[CaseText],
        *,
        concepts: Sequence[Concept] | None = None,
        weights: Weights | None = None,
        very_similar_threshold: float = VERY_SIMILAR_THRESHOLD,
        reuse: Mapping[str, Any] | None = None,
    ) -> None:
        self._setup(concepts, weights, very_similar_threshold)
        known: dict[str, Mapping[str, Any]] = {}
        if reuse and reuse.get("format") == FORMAT_VERSION and reuse.get("config") == self._config:
            known = {r["digest"]: r for r in reuse.get("cases", ()) if isinstance(r, Mapping)}
        records: list[Mapping[str, Any]] = []
        seen: set[str] = set()
        for case in cases:
            if case.id in seen:
                raise ValueError(f"duplicate post-mortem id {case.id!r}")
            seen.add(case.id)
            key = case_digest(case)
            old = known.get(key)
            records.append(old if old is not None and old.get("id") == case.id
                           else self._record(case, key))
        self._load(records)

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any],
        *,
        concepts: Sequence[Concept] | None = None,
        weights: Weights | None = None,
        very_similar_threshold: float = VERY_SIMILAR_THRESHOLD,
    ) -> SimilarityIndex:
        """The index that ``to_data()`` saved, for the same concepts and weights.

        Raises ValueError when the data is of another format or was built with other settings.
        """
        index = cls.__new__(cls)
        index._setup(concepts, weights, very_similar_threshold)
        if not isinstance(data, Mapping) or data.get("format") != FORMAT_VERSION:
            raise ValueError("similarity data of another format")
        if data.get("config") != index._config:
            raise ValueError("similarity data built with other concepts or weights")
        records = list(data.get("cases", ()))
        if len({r["id"] for r in records}) != len(records):
            raise ValueError("duplicate post-mortem id in similarity data")
        index._load(records)
        return index

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data of the index: each case's features, and the settings' digest."""
        return {"format": FORMAT_VERSION, "config": self._config, "digest": self.digest,
                "cases": list(self._records)}

    @property
    def digest(self) -> str:
        """A stable digest of the inputs: the cases, concepts and weights (as ``index_digest``)."""
        return _combine(self._config, [r["digest"] for r in self._records])

    # -- building ---------------------------------------------------------------------------

    def _setup(self, concepts: Sequence[Concept] | None, weights: Weights | None,
               threshold: float) -> None:
        self.weights = weights or Weights()
        self.very_similar_threshold = threshold
        self.concepts = tuple(load_concepts() if concepts is None else concepts)
        self._matcher = _ConceptMatcher(self.concepts)
        self._config = config_digest(self.concepts, self.weights)
        self._surfaces: dict[str, Counter[str]] | None = None

    def _record(self, case: CaseText, key: str) -> dict[str, Any]:
        terms, words = self._features(case)
        return {"id": case.id, "started": case.started, "digest": key,
                "terms": terms, "words": words}

    def _load(self, records: Sequence[Mapping[str, Any]]) -> None:
        self._records = tuple(records)
        n = len(records)
        self._ids = [str(r["id"]) for r in records]
        self._pos = {cid: i for i, cid in enumerate(self._ids)}
        starts = [_parse_started(r.get("started")) for r in records]
        # Postings hold cases in order of start, undated last, so that "earlier than X" is a
        # prefix of every posting list.
        order = sorted(range(n), key=lambda i: (starts[i] is None, starts[i] or _EPOCH, i))
        self._order = order
        self._rank_of = [0] * n
        for r, i in enumerate(order):
            self._rank_of[i] = r
        dated = [starts[i] for i in order if starts[i] is not None]
        self._earlier = [
            None if s is None else bisect.bisect_left(dated, s) for s in starts
        ]
        df: Counter[str] = Counter()
        for rec in records:
            df.update(rec["terms"].keys())
        idf = {t: math.log(1.0 + n / d) for t, d in df.items()}
        self._vectors: list[dict[str, float]] = []
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for r, i in enumerate(order):
            vec = _weigh(records[i]["terms"], idf)
            self._vectors.append(vec)
            for term, w in vec.items():
                entry = postings.get(term)
                if entry is None:
                    postings[term] = entry = ([], [])
                entry[0].append(r)
                entry[1].append(w)
        self._idf = idf
        self._postings = postings
        self._maxw = {t: max(ws) for t, (_, ws) in postings.items()}
        self._batch: _Arrays | None = None

    def _features(self, case: CaseText) -> tuple[dict[str, float], dict[str, int]]:
        w = self.weights
        feats: dict[str, float] = defaultdict(float)
        words: Counter[str] = Counter()
        fields = (
            (case.cause_summary, w.cause_summary),
            (case.cause_text, w.cause_text),
            (case.factors_text, w.factors_text),
            (" ".join(t.replace("-", " ") for t in case.tags), w.tags),
            (case.title, w.title),
        )
        context = frozenset(
            s for s, factor in map(_WORD_INFO.__getitem__,
                                   _raw_words(" ".join((case.title, *case.services))))
            if factor
        ) if w.context != 1.0 else frozenset()
        for text, weight in fields:
            if weight > 0 and text:
                self._add_text(feats, words, text, weight, context)
        if case.cause_category and w.cause_category > 0:
            feats["cat:" + case.cause_category.strip().lower()] += w.cause_category
        if w.services > 0:
            for service in case.services:
                feats["svc:" + service.strip().lower()] += w.services
        return dict(feats), dict(words)

    def _add_text(self, feats: dict[str, float], words: Counter[str] | None, text: str,
                  weight: float, context: frozenset[str] = frozenset()) -> None:
        raw = _raw_words(text)
        info = _WORD_INFO.__getitem__
        for word, count in Counter(raw).items():
            s, factor = info(word)
            if factor:
                if s in context:
                    factor *= self.weights.context
                feats[s] += weight * factor * count
                if words is not None:
                    words[word] += count
        stream = [pair[0] for pair in map(info, raw)]
        for cid, count in self._matcher.find(stream).items():
            feats["@" + cid] += weight * self.weights.concept * count

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
        cut = None
        if earlier_only:
            cut = self._earlier[i]
            if not cut:
                return []
        r = self._rank_of[i]
        return self._matches(self._vectors[r], self._top(self._vectors[r], k, skip=r, cut=cut))

    def query(self, text: str, k: int = 5) -> list[Match]:
        """The ``k`` post-mortems most like a free text, such as a new incident's cause."""
        feats: dict[str, float] = defaultdict(float)
        self._add_text(feats, None, text, self.weights.cause_summary)
        qvec = _weigh(feats, self._idf)
        return self._matches(qvec, self._top(qvec, k, skip=None, cut=None))

    def very_similar(self, case_id: str, *, threshold: float | None = None) -> list[Match]:
        """Earlier post-mortems whose cosine score reaches the very-similar threshold."""
        limit = self.very_similar_threshold if threshold is None else threshold
        i = self._pos.get(case_id)
        if i is None:
            raise KeyError(case_id)
        cut = self._earlier[i]
        if not cut:
            return []
        r = self._rank_of[i]
        vec = self._vectors[r]
        return self._matches(vec, self._top(vec, None, skip=r, cut=cut, floor=limit))

    def vector(self, case_id: str) -> dict[str, float]:
        """A case's unit-length feature vector (term -> weight), for inspection and tests."""
        i = self._pos.get(case_id)
        if i is None:
            raise KeyError(case_id)
        return dict(self._vectors[self._rank_of[i]])

    def similar_all(self, k: int = 5, *, earlier_only: bool = False,
                    ids: Sequence[str] | None = None,
                    batch: bool | None = None) -> dict[str, list[Match]]:
        """``similar`` for every post-mortem of the collection (or of ``ids``, unknown ones left
        out), all at once.

        ``batch``: score with matrix products (numpy) or one query at a time; by default the
        matrix products when there are enough pairs to pay for numpy's import.
        """
        rows = self._rows(ids)
        if not self._use_batch(len(rows), batch):
            return {self._ids[self._order[r]]: self.similar(self._ids[self._order[r]], k,
                                                            earlier_only=earlier_only)
                    for r in rows}
        if k <= 0:
            return {self._ids[self._order[r]]: [] for r in rows}
        found = self._arrays().select(rows, self._cuts(rows, earlier_only), k=k, floor=0.0)
        return {cid: list(matches) for cid, matches in self._lists(rows, found).items()}

    def very_similar_all(self, ids: Sequence[str] | None = None, *,
                         threshold: float | None = None,
                         batch: bool | None = None) -> dict[str, Sequence[Match]]:
        """``very_similar`` for every post-mortem (or for ``ids``, unknown ones left out).

        The lists are sequences whose ``Match`` objects are made when read, so that counting
        or taking the first few of hundreds of matches costs little. ``batch`` as in
        ``similar_all``.
        """
        limit = self.very_similar_threshold if threshold is None else threshold
        rows = self._rows(ids)
        if not self._use_batch(len(rows), batch):
            return {self._ids[self._order[r]]: self.very_similar(self._ids[self._order[r]],
                                                                 threshold=limit)
                    for r in rows}
        found = self._arrays().select(rows, self._cuts(rows, True), k=None, floor=limit)
        return self._lists(rows, found)

    def _rows(self, ids: Sequence[str] | None) -> list[int]:
        if ids is None:
            return [self._rank_of[i] for i in range(len(self._ids))]
        pos, rank_of = self._pos, self._rank_of
        return list(dict.fromkeys(rank_of[pos[c]] for c in ids if c in pos))

    def _use_batch(self, rows: int, batch: bool | None) -> bool:
        if batch is not None:
            return batch
        return rows > 1 and rows * len(self._ids) >= _BATCH_MIN_PAIRS

    def _cuts(self, rows: Sequence[int], earlier_only: bool) -> list[int]:
        """For each row: how many cases (a prefix in rank order) it may be compared with."""
        if not earlier_only:
            return [len(self._ids)] * len(rows)
        earlier, order = self._earlier, self._order
        return [earlier[order[r]] or 0 for r in rows]

    def _arrays(self) -> _Arrays:
        if self._batch is None:
            self._batch = _Arrays(self._vectors, [self._ids[i] for i in self._order])
        return self._batch

    def _lists(self, rows: Sequence[int], found: Sequence[_Row]) -> dict[str, Sequence[Match]]:
        ids, order = self._ids, self._order
        by_rank = [ids[i] for i in order]
        return {by_rank[r]: _MatchList(self, r, by_rank, row)
                for r, row in zip(rows, found, strict=True)}

    def _matches(self, qvec: Mapping[str, float], top: list[tuple[float, int]]) -> list[Match]:
        ids = self._ids
        order = self._order
        return [
            Match(ids[order[r]], round(s, 4), explain=functools.partial(
                self._shared, qvec, self._vectors[r]))
            for s, r in top
        ]

    def _top(self, qvec: Mapping[str, float], k: int | None, *, skip: int | None,
             cut: int | None, floor: float = 0.0) -> list[tuple[float, int]]:
        """The best cases by exact cosine: at most ``k`` (all if None) scoring ``floor`` or more.

        Max-score pruning: query terms are taken by their largest possible contribution; once
        the terms left cannot lift a new case above the k-th best score (or above ``floor``),
        only cases already seen are scored further, and dropped as soon as they cannot make it.
        Every case's score sums the same terms in the same order, so ties stay exact.
        """
        if (k is not None and k <= 0) or not qvec:
            return []
        postings, maxw, vectors = self._postings, self._maxw, self._vectors
        terms = sorted(
            ((qw * maxw[t], qw, t) for t, qw in qvec.items() if t in postings), reverse=True
        )
        m = len(terms)
        bound = [0.0] * (m + 1)
        for i in range(m - 1, -1, -1):
            bound[i] = bound[i + 1] + terms[i][0]
        # A score must reach ``floor`` once rounded to 4 places, and be more than nothing.
        theta = max(floor - 5e-5, _MIN_SCORE)
        size = len(vectors) if cut is None else cut
        # A dense accumulator: list indexing is cheaper than a dict in this hot loop.
        acc = [0.0] * size
        if skip is not None and skip < size:
            acc[skip] = -math.inf
        i = 0
        checked = math.inf  # the bound at which theta was last raised
        while i < m and bound[i] >= theta - _EPS:
            _, qw, t = terms[i]
            ids, ws = postings[t]
            end = len(ids) if cut is None else bisect.bisect_left(ids, cut)
            for j, w in zip(itertools.islice(ids, end), ws, strict=False):
                acc[j] += qw * w
            i += 1
            # Raising theta costs a pass over the accumulator: only when the bound has halved.
            if k is not None and bound[i] < checked / 2:
                checked = bound[i]
                theta = max(theta, heapq.nlargest(k, acc)[-1])
        limit = theta - _EPS - bound[i]
        cands = {j: s for j, s in enumerate(acc) if s >= limit and s > 0.0}
        pruned = bound[i]
        while i < m and cands:
            _, qw, t = terms[i]
            i += 1
            ids, ws = postings[t]
            if len(ids) < len(cands):
                for j, w in zip(ids, ws, strict=True):
                    if j in cands:
                        cands[j] += qw * w
            else:
                for j in cands:
                    w = vectors[j].get(t)
                    if w is not None:
                        cands[j] += qw * w
            rest = bound[i]
            if i < m and rest < pruned * 0.6:
                pruned = rest
                if k is not None and len(cands) > k:
                    theta = max(theta, heapq.nlargest(k, cands.values())[-1])
                cands = {j: s for j, s in cands.items() if s + rest >= theta - _EPS}
        ids_of = self._ids
        order = self._order
        kept = [(s, j) for j, s in cands.items()
                if s > _MIN_SCORE and round(s, 4) >= floor]
        kept.sort(key=lambda sj: (-sj[0], ids_of[order[sj[1]]]))
        return kept if k is None else kept[:k]

    def _labels(self) -> dict[str, Counter[str]]:
        if self._surfaces is None:
            surfaces: dict[str, Counter[str]] = defaultdict(Counter)
            for rec in self._records:
                for word, count in rec["words"].items():
                    surfaces[stem(word)][word] += count
            self._surfaces = surfaces
        return self._surfaces

    def _shared(self, a: Mapping[str, float], b: Mapping[str, float], limit: int = 5) -> tuple[
        str, ...
    ]:
        common = sorted((a[t] * b[t], t) for t in a.keys() & b.keys())
        common.reverse()
        shown: list[str] = []
        covered: set[str] = set()
        surfaces = self._labels()
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
                found = surfaces.get(term)
                label = found.most_common(1)[0][0] if found else term
            if label not in shown:
                shown.append(label)
            if len(shown) >= limit:
                break
        return tuple(shown)


# ---------------------------------------------------------------------------------------------
# All cases at once

#: At most this many rows of scores at a time: 256 x 10,000 float64 scores are 20 MB.
_CHUNK_ROWS = 256
#: At most this many (row, case) products of rare features accumulated at a time.
_CHUNK_PRODUCTS = 1 << 21
#: Features in more than this share of the cases are multiplied as a dense block (BLAS);
#: rarer ones are accumulated from their postings.
_DENSE_SHARE = 1 / 64
_DENSE_MAX = 2048
#: Scores this close are one score: matrix products add the same terms in another order than
#: a single query does, so equal scores can differ in their last bits.
_TIE = 1e-12
#: Below this many (row, case) pairs the single-query path is used and numpy not imported:
#: its import (~0.1 s) costs about as much as a hundred queries in a thousand cases.
_BATCH_MIN_PAIRS = 200_000


#: The matches of one row, best first: the ranks of the matched cases and their exact scores.
_Row = tuple["np.ndarray", "np.ndarray"]


class _Arrays:
    """The unit vectors (rows in rank order) as numpy arrays: a dense block of the frequent
    features and the rare ones both by row and by feature."""

    def __init__(self, vectors: Sequence[Mapping[str, float]], ids: Sequence[str]) -> None:
        import numpy as np

        n = self.n = len(vectors)
        #: Each row's place in the order of the ids, which breaks ties.
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[sorted(range(n), key=ids.__getitem__)] = np.arange(n)
        df: Counter[str] = Counter(t for v in vectors for t in v)
        terms = sorted(df, key=lambda t: (-df[t], t))
        col = {t: j for j, t in enumerate(terms)}
        dense = sum(1 for t in terms[:_DENSE_MAX] if df[t] > n * _DENSE_SHARE)
        lengths = np.fromiter(map(len, vectors), np.int64, count=n)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        feats = np.fromiter((col[t] for v in vectors for t in v), np.int64, count=len(rows))
        data = np.fromiter((w for v in vectors for w in v.values()), np.float64,
                           count=len(rows))
        block = feats < dense
        self.dense = np.zeros((n, dense))
        self.dense[rows[block], feats[block]] = data[block]
        rows, feats, data = rows[~block], feats[~block], data[~block]
        self.row_ptr = np.searchsorted(rows, np.arange(n + 1))
        self.row_feat, self.row_val = feats, data
        by_feat = np.argsort(feats * n + rows, kind="stable")
        # One sorted key per posting entry: "rows of feature f before m" is a search for f*n+m.
        self.key = (feats * n + rows)[by_feat]
        self.feat_ptr = np.searchsorted(self.key, np.arange(len(terms) + 1) * n)
        self.post_row, self.post_val = rows[by_feat], data[by_feat]
        # What the rare features of each row cost to accumulate against all cases.
        post_len = np.diff(self.feat_ptr)
        self.row_cost = np.bincount(rows, post_len[feats], minlength=n) if len(rows) else (
            np.zeros(n))

    def scores(self, rows: np.ndarray, width: int) -> np.ndarray:
        """Cosine scores of ``rows`` against the cases of rank below ``width``."""
        import numpy as np

        out = self.dense[rows] @ self.dense[:width].T
        starts, ends = self.row_ptr[rows], self.row_ptr[rows + 1]
        counts = ends - starts
        if not counts.any():
            return out
        local = np.repeat(np.arange(len(rows)), counts)
        pos = _ranges(starts, counts)
        feats, vals = self.row_feat[pos], self.row_val[pos]
        begin = self.feat_ptr[feats]
        end = np.searchsorted(self.key, feats * self.n + width)
        lens = end - begin
        step = _CHUNK_PRODUCTS
        cum = np.cumsum(lens)
        flat_out = out.reshape(-1)
        lo = 0
        while lo < len(feats):
            # Entries lo..hi-1 expand to at most _CHUNK_PRODUCTS products (one entry may exceed).
            base = cum[lo - 1] if lo else 0
            hi = max(lo + 1, int(np.searchsorted(cum, base + step, side="right")))
            part = slice(lo, hi)
            which = np.repeat(np.arange(hi - lo), lens[part])
            at = _ranges(begin[part], lens[part])
            lo = hi
            if not len(which):
                continue
            target = local[part][which] * width + self.post_row[at]
            first, last = int(target.min()), int(target.max()) + 1
            flat_out[first:last] += np.bincount(target - first, vals[part][which]
                                                * self.post_val[at], minlength=last - first)
        return out

    def select(self, rows: Sequence[int], cuts: Sequence[int], *, k: int | None,
               floor: float) -> list[_Row]:
        """For each row, the cases of rank below its cut, other than itself, scoring more than
        nothing and ``floor`` or more once rounded to 4 places: the best ``k`` (all if None),
        by score, equal scores by id."""
        import numpy as np

        rows_a = np.asarray(rows, dtype=np.int64)
        cuts_a = np.asarray(cuts, dtype=np.int64)
        out: list[_Row] = []
        start = 0
        cost = np.cumsum(self.row_cost[rows_a])
        while start < len(rows_a):
            base = cost[start - 1] if start else 0
            stop = min(start + _CHUNK_ROWS, max(start + 1, int(
                np.searchsorted(cost, base + _CHUNK_PRODUCTS, side="right"))))
            li, cj, s = self._select_chunk(rows_a[start:stop], cuts_a[start:stop], k, floor)
            cj = cj.astype(np.int32)
            bounds = np.searchsorted(li, np.arange(stop - start + 1)).tolist()
            out.extend((cj[a:b], s[a:b]) for a, b in itertools.pairwise(bounds))
            start = stop
        return out

    def _select_chunk(self, rows: np.ndarray, cuts: np.ndarray, k: int | None,
                      floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        width = int(cuts.max()) if len(cuts) else 0
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        if width == 0:
            return empty
        scores = self.scores(rows, width)
        for i, (row, cut) in enumerate(zip(rows.tolist(), cuts.tolist(), strict=True)):
            scores[i, cut:] = -np.inf
            if row < cut:
                scores[i, row] = -np.inf
        low = max(_MIN_SCORE, floor - 1e-4)
        if k is not None and k < width:
            kth = np.partition(scores, width - k, axis=1)[:, width - k]
            # Everything tied with the k-th score takes part: the ids decide among them.
            keep = scores >= np.maximum(kth - 1e-9, low)[:, None]
        else:
            keep = scores >= low
        li, cj = np.nonzero(keep)
        s = scores[li, cj]
        ok = s > _MIN_SCORE
        if floor > 0:
            ok &= np.round(s, 4) >= floor
        li, cj, s = li[ok], cj[ok], s[ok]
        if not len(s):
            return empty
        # By row, then best first: one float key sorts faster than lexsort. A chunk has at most
        # a few hundred rows, so the key keeps scores to ~1e-13, finer than a tie.
        by_score = np.argsort(li * 4.0 - s, kind="stable")
        li, cj, s = li[by_score], cj[by_score], s[by_score]
        fresh = np.ones(len(s), dtype=bool)
        fresh[1:] = (li[1:] != li[:-1]) | (s[:-1] - s[1:] > _TIE)
        group = np.cumsum(fresh)
        final = np.argsort(group * self.n + self.id_rank[cj], kind="stable")
        li, cj, s = li[final], cj[final], s[final]
        if k is not None:
            first = np.searchsorted(li, li, side="left")
            top = np.arange(len(li)) - first < k
            li, cj, s = li[top], cj[top], s[top]
        return li, cj, s


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of ``range(start, start + count)`` for each pair."""
    import numpy as np

    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total)


class _MatchList(Sequence[Match]):
    """One row's matches of a batch, made into ``Match`` objects only when read."""

    __slots__ = ("_by_rank", "_cols", "_index", "_row", "_scores")

    def __init__(self, index: SimilarityIndex, row: int, by_rank: Sequence[str],
                 found: _Row) -> None:
        self._index, self._row, self._by_rank = index, row, by_rank
        self._cols, self._scores = found

    def __len__(self) -> int:
        return len(self._cols)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return self._make(item)
        if item < 0:
            item += len(self)
        if not 0 <= item < len(self):
            raise IndexError(item)
        return self._make(slice(item, item + 1))[0]

    def __iter__(self) -> Any:
        return iter(self[:])

    def _make(self, part: slice) -> list[Match]:
        vectors, by_rank, shared = self._index._vectors, self._by_rank, self._index._shared
        qvec = vectors[self._row]
        return [Match(by_rank[j], round(s, 4), explain=functools.partial(shared, qvec, vectors[j]))
                for j, s in zip(self._cols[part].tolist(), self._scores[part].tolist(),
                                strict=True)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


def _weigh(feats: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    log1p = math.log1p
    vec = {t: log1p(tf) * idf.get(t, 0.0) for t, tf in feats.items() if tf > 0}
    norm = math.hypot(*vec.values())
    return {t: v / norm for t, v in vec.items() if v > 0} if norm else {}


def case_digest(case: CaseText) -> str:
    """A stable digest of one case's text."""
    payload = json.dumps(
        [getattr(case, f.name) for f in dataclasses.fields(case)], ensure_ascii=False,
        separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def config_digest(concepts: Sequence[Concept], weights: Weights) -> str:
    """A stable digest of the settings that shape the features: concepts, weights, method."""
    payload = json.dumps(
        {"format": FORMAT_VERSION, "weights": dataclasses.asdict(weights),
         "concepts": [[c.id, c.label, list(c.terms)] for c in concepts]},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _combine(config: str, case_digests: Sequence[str]) -> str:
    h = hashlib.sha256(config.encode("ascii"))
    for d in case_digests:
        h.update(b"\0" + d.encode("ascii"))
    return h.hexdigest()[:32]


def index_digest(cases: Sequence[CaseText], *, concepts: Sequence[Concept] | None = None,
                 weights: Weights | None = None) -> str:
    """A stable digest of an index's inputs (cases in order, concepts, weights): a cache key.

    Equal to ``SimilarityIndex(cases, concepts=..., weights=...).digest``, without building it.
    """
    concepts = tuple(load_concepts() if concepts is None else concepts)
    return _combine(config_digest(concepts, weights or Weights()),
                    [case_digest(c) for c in cases])


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
