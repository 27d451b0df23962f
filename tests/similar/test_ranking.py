"""The similar-incidents ranking on tiny collections, and its pieces."""

from __future__ import annotations

import time

import pytest

from postmortems.similar import (
    CaseText,
    Concept,
    SimilarityIndex,
    Weights,
    case_from_markdown,
    concepts_from_data,
    load_concepts,
    stem,
)


def case(
    cid: str,
    summary: str = "",
    *,
    started: str | None = "2025-01-01T00:00:00Z",
    title: str = "",
    category: str = "",
    text: str = "",
    factors: str = "",
    services: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> CaseText:
    return CaseText(cid, title, started, summary, category, text, factors, services, tags)


CERT = "The TLS certificate expired because the renewal job was disabled."
POOL = "The database connection pool was exhausted by a slow report query."
DISK = "The log volume filled up and writes failed with no space left on the device."


def ids(matches: list) -> list[str]:
    return [m.id for m in matches]


def test_identical_cause_ranks_first() -> None:
    index = SimilarityIndex([case("A", CERT), case("B", POOL), case("C", CERT), case("D", DISK)])
    assert ids(index.similar("A"))[0] == "C"
    assert index.similar("A")[0].score == pytest.approx(1.0, abs=1e-3)


def test_service_overlap_does_not_outrank_cause_overlap() -> None:
    cases = [
        case("A", CERT, services=("checkout", "payments"), tags=("checkout",)),
        case("B", POOL, services=("checkout", "payments"), tags=("checkout",)),
        case("C", "The certificate was not renewed and lapsed.", services=("search",)),
    ]
    assert ids(SimilarityIndex(cases).similar("A"))[0] == "C"


def test_title_symptoms_do_not_outrank_cause() -> None:
    cases = [
        case("A", POOL, title="Checkout down with 503 errors for an hour"),
        case("B", CERT, title="Checkout down with 503 errors for an hour"),
        case("C", "max_connections was reached on the replica", title="Slow search results"),
    ]
    assert ids(SimilarityIndex(cases).similar("A"))[0] == "C"


@pytest.mark.parametrize(
    ("first", "paraphrase"),
    [
        ("the certificate expired", "the cert was not renewed in time"),
        ("connection pool exhausted", "max_connections reached on the server"),
        ("clock skew between hosts", "time drift after the NTP daemon stopped"),
        ("the DST change broke the schedule", "clocks went forward for daylight saving"),
        ("disk full on the database host", "no space left on device"),
    ],
)
def test_synonyms_meet_through_concepts(first: str, paraphrase: str) -> None:
    others = [case("X", "a feature flag was enabled for every user"),
              case("Y", "a regex with catastrophic backtracking used all CPU")]
    index = SimilarityIndex([case("A", first), case("B", paraphrase), *others])
    assert ids(index.similar("A"))[0] == "B"
    without = SimilarityIndex([case("A", first), case("B", paraphrase), *others], concepts=())
    plain = {m.id: m.score for m in without.similar("A")}
    assert plain.get("B", 0.0) < index.similar("A")[0].score


def test_earlier_only_keeps_incidents_that_started_before() -> None:
    cases = [
        case("OLD", CERT, started="2024-01-01"),
        case("NOW", CERT, started="2025-06-01T10:00:00Z"),
        case("LATER", CERT, started="2026-01-01T00:00:00+02:00"),
        case("UNDATED", CERT, started=None),
    ]
    index = SimilarityIndex(cases)
    assert ids(index.similar("NOW", earlier_only=True)) == ["OLD"]
    assert set(ids(index.similar("NOW"))) == {"OLD", "LATER", "UNDATED"}
    assert index.similar("OLD", earlier_only=True) == []
    assert index.similar("UNDATED", earlier_only=True) == []


def test_empty_collection_and_unknown_id() -> None:
    index = SimilarityIndex([])
    assert len(index) == 0
    assert index.query("certificate expired") == []
    with pytest.raises(KeyError):
        index.similar("INC-1")


def test_case_with_empty_text_matches_nothing_and_is_not_matched() -> None:
    index = SimilarityIndex([case("EMPTY"), case("A", CERT), case("B", CERT)])
    assert index.similar("EMPTY") == []
    assert "EMPTY" not in ids(index.similar("A", k=10))


def test_k_larger_than_collection_and_zero() -> None:
    index = SimilarityIndex([case("A", CERT), case("B", CERT), case("C", POOL + " " + CERT)])
    assert sorted(ids(index.similar("A", k=50))) == ["B", "C"]
    assert index.similar("A", k=0) == []


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        SimilarityIndex([case("A", CERT), case("A", POOL)])


def test_query_ranks_for_a_new_incident() -> None:
    index = SimilarityIndex([case("A", CERT), case("B", POOL), case("C", DISK)])
    best = index.query("our cert lapsed overnight, TLS handshakes failed")
    assert ids(best)[0] == "A"
    assert "certificate expiry" in best[0].shared_terms


def test_shared_terms_are_readable_concepts_and_words() -> None:
    index = SimilarityIndex(
        [case("A", CERT + " renewal job", services=("auth",)),
         case("B", "cert not renewed: the renewal job was disabled", services=("cdn",)),
         case("C", POOL)]
    )
    shared = index.similar("A")[0].shared_terms
    assert "certificate expiry" in shared[:2]
    assert "job" in shared or "disabled" in shared
    assert all(not t.startswith(("@", "svc:", "cat:")) for t in shared)


def test_very_similar_uses_the_threshold_and_earlier_incidents() -> None:
    cases = [
        case("OLD", CERT, started="2024-01-01"),
        case("NEW", CERT + " Again.", started="2025-01-01"),
        case("OTHER", POOL, started="2023-01-01"),
    ]
    index = SimilarityIndex(cases)
    assert ids(index.very_similar("NEW")) == ["OLD"]
    assert index.very_similar("OLD") == []
    assert index.very_similar("NEW", threshold=1.01) == []


def test_field_weights_change_the_ranking() -> None:
    cases = [
        case("A", CERT, services=("orders-db",)),
        case("B", POOL, services=("orders-db",)),
        case("C", DISK),
    ]
    by_service = SimilarityIndex(cases, weights=Weights(cause_summary=0.01, services=5.0))
    assert ids(by_service.similar("A"))[0] == "B"


def test_stemmer_joins_forms_of_a_word() -> None:
    assert stem("renewed") == stem("renewal") == stem("renewing") == stem("renew")
    assert stem("expired") == stem("expiry") == stem("expiration") == stem("expires")
    assert stem("connections") == stem("connection") == stem("connected")
    assert stem("policies") == stem("policy")


def test_concept_map_is_valid_and_errors_are_clear() -> None:
    concepts = load_concepts()
    assert {"cert-expiry", "pool-exhaustion", "clock-skew", "dst", "disk-full"} <= {
        c.id for c in concepts
    }
    assert all(c.terms and c.label for c in concepts)
    assert concepts_from_data({"concepts": {"x": {"terms": ["a b", 429]}}}) == (
        Concept("x", "x", ("a b", "429")),
    )
    with pytest.raises(ValueError, match="needs 'terms'"):
        concepts_from_data({"concepts": {"x": {"label": "X"}}})
    with pytest.raises(ValueError, match="expected a mapping"):
        concepts_from_data({"concept": []})


def test_a_team_concept_joins_its_words() -> None:
    cases = [case("A", "the flux capacitor overheated"), case("B", "the gizmo melted down"),
             case("C", "the flux valve was replaced by the gizmo team")]
    plain = SimilarityIndex(cases, concepts=())
    assert ids(plain.similar("A"))[0] == "C"
    extra = (Concept("overheat", "overheating", ("capacitor overheated", "gizmo melted")),)
    assert ids(SimilarityIndex(cases, concepts=extra).similar("A"))[0] == "B"


POSTMORTEM = """\
---
id: INC-2026-030
title: Images broken
started: 2026-10-06T03:12:00Z
services: [edge-cdn]
tags: [tls]
root_cause:
  category: monitoring-gap
  summary: The wildcard certificate expired.
---

# Images broken

## Summary

Images did not load.

## Root Cause

| Level | Finding |
|-------|---------|
| Symptom | Product images failed to load everywhere. |
| Root cause | Renewal failed for 30 days with a revoked token. |

## Contributing Factors

- The rotation job did not check consumers.

## Action Items
"""


def test_case_from_markdown_reads_the_cause_sections() -> None:
    got = case_from_markdown(POSTMORTEM)
    assert got is not None
    assert (got.id, got.cause_category, got.services, got.tags) == (
        "INC-2026-030", "monitoring-gap", ("edge-cdn",), ("tls",)
    )
    assert got.cause_summary == "The wildcard certificate expired."
    assert "revoked token" in got.cause_text and "Product images" not in got.cause_text
    assert got.factors_text == "- The rotation job did not check consumers."
    assert got.started is not None and got.started.startswith("2026-10-06")
    assert case_from_markdown("no front matter") is None
    assert case_from_markdown("---\n: [\n---\n") is None


def test_ten_thousand_cases_index_in_seconds_and_query_in_milliseconds() -> None:
    words = ["certificate", "pool", "disk", "clock", "retry", "cache", "index", "flag", "quota",
             "leak", "migration", "token", "schema", "dns", "regex", "lock"]
    cases = [
        case(f"C{i}", " ".join(words[(i * k) % len(words)] for k in (1, 3, 5, 7))
             + f" detail{i % 500} part{i % 37}", services=(f"svc{i % 200}",))
        for i in range(10_000)
    ]
    t0 = time.process_time()
    index = SimilarityIndex(cases)
    build = time.process_time() - t0
    t0 = time.process_time()
    for i in range(0, 10_000, 500):
        assert len(index.similar(f"C{i}", k=5)) == 5
    per_query = (time.process_time() - t0) / 20
    # CPU time, with generous bounds; typical figures are in docs/similar-incidents.md.
    assert build < 20
    assert per_query < 0.5
