"""The real-text evaluation corpus: well-formed files, reproducible segmentation and split."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "language" / "real"
KINDS = {"sentence", "table-row", "list-item"}
SOURCE_FIELDS = ("doc", "title", "publisher", "url", "published", "licence", "segments")
# Kept aside for independent measurement: none of these may appear in this corpus.
EXCLUDED = (
    "2i2c-org/incident-reports",
    "dfds/postmortems",
    "about.gitlab.com/blog/2017/02/01/gitlab-dot-com-database-incident",
    "sre.google",
    "brew.sh/2018",
    "kubernetes/test-infra",
    "learningequality/postmortems",
    "matrix.org/blog/2019",
    "portswigger-cloud/postmortems",
    "posthog/post-mortems",
    "blog.pypi.org",
    "pyfound.blogspot",
    "blog.rust-lang.org",
)


def _load(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


seg_mod = _load("segment_corpus")
split_mod = _load("split_corpus")


@pytest.fixture(scope="module")
def sources() -> list[dict[str, Any]]:
    return yaml.safe_load((REAL / "sources.yml").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def segments() -> list[dict[str, str]]:
    lines = (REAL / "segments.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def split() -> dict[str, Any]:
    return yaml.safe_load((REAL / "split.yml").read_text(encoding="utf-8"))


# --- sources.yml ---------------------------------------------------------------------------


def test_sources_have_every_field_and_unique_ids(sources: list[dict[str, Any]]) -> None:
    assert len(sources) >= 60
    ids = [s["doc"] for s in sources]
    assert len(ids) == len(set(ids))
    for s in sources:
        for field in SOURCE_FIELDS:
            assert field in s, (s["doc"], field)
        for field in ("doc", "title", "publisher", "url", "licence"):
            assert isinstance(s[field], str) and s[field].strip(), (s["doc"], field)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s["doc"]), s["doc"]
        assert s["url"].startswith(("http://", "https://")), s["doc"]
        assert isinstance(s["published"], str)
        assert isinstance(s["candid"], bool), s["doc"]
        assert s.get("batch", 1) in (1, 2, 3, 4, 5, 6, 7), s["doc"]


def test_no_excluded_source_is_used(sources: list[dict[str, Any]]) -> None:
    for s in sources:
        where = " ".join(str(s.get(k, "")) for k in ("url", "retrieved_from", "publisher"))
        for banned in EXCLUDED:
            assert banned not in where.lower(), (s["doc"], banned)


def test_raw_text_exists_for_exactly_the_sources(sources: list[dict[str, Any]]) -> None:
    raw = {p.stem for p in (REAL / "raw").glob("*.md")}
    assert raw == {s["doc"] for s in sources}


# --- segments.jsonl ------------------------------------------------------------------------


def test_segments_are_well_formed(segments: list[dict[str, str]], sources: list[Any]) -> None:
    docs = {s["doc"] for s in sources}
    ids = [r["id"] for r in segments]
    assert len(ids) == len(set(ids))
    expected_n: dict[str, int] = {}
    for r in segments:
        assert set(r) == {"id", "doc", "section", "kind", "text"}, r
        assert r["doc"] in docs, r["id"]
        expected_n[r["doc"]] = expected_n.get(r["doc"], 0) + 1
        assert r["id"] == f"{r['doc']}#{expected_n[r['doc']]}"
        assert r["kind"] in KINDS, r["id"]
        assert r["text"] and r["text"] == " ".join(r["text"].split()), r["id"]
        assert re.search(r"[A-Za-z]", r["text"]), r["id"]
        assert isinstance(r["section"], str)


def test_segment_counts_match_sources(segments: list[Any], sources: list[Any]) -> None:
    counts: dict[str, int] = {}
    for r in segments:
        counts[r["doc"]] = counts.get(r["doc"], 0) + 1
    assert counts == {s["doc"]: s["segments"] for s in sources}
    assert 2000 <= len(segments) <= 8000


def test_segments_are_reproducible_from_the_raw_text(segments: list[Any]) -> None:
    assert list(seg_mod.segment_dir(REAL / "raw")) == segments


# --- split.yml -----------------------------------------------------------------------------


def test_split_covers_every_document_once(split: dict[str, Any], sources: list[Any]) -> None:
    dev, test = split["dev"], split["test"]
    assert not set(dev) & set(test)
    assert sorted(dev + test) == sorted(s["doc"] for s in sources)
    assert len(dev) == len(set(dev)) and len(test) == len(set(test))


def test_split_counts_and_balance(split: dict[str, Any], sources: list[Any]) -> None:
    by_doc = {s["doc"]: s for s in sources}
    total = sum(s["segments"] for s in sources)
    for part in ("dev", "test"):
        counts = split["counts"][part]
        assert counts["documents"] == len(split[part])
        assert counts["segments"] == sum(by_doc[d]["segments"] for d in split[part])
        assert counts["candid_documents"] == sum(by_doc[d]["candid"] for d in split[part])
        assert 0.4 <= counts["segments"] / total <= 0.6
    candid = [split["counts"][p]["candid_documents"] for p in ("dev", "test")]
    assert abs(candid[0] - candid[1]) <= 1 and min(candid) >= 5


def test_split_file_is_what_the_script_makes(sources: list[Any]) -> None:
    expected = split_mod.render_split(sources)
    assert (REAL / "split.yml").read_text(encoding="utf-8") == expected


# The first batch's assignment, recorded when the split was first made: later batches must
# never move these documents.
FIRST_BATCH = {
    "dev": [
        "artsy-2014-11-19",
        "aws-2011-04-21",
        "bloggulus-2024-06-04",
        "instapaper-2017-02-09",
        "joyent-2014-05-27",
        "miraheze-2018-08-31",
        "moj-cloud-platform-2021-07-12",
        "moj-cloud-platform-2022-01-22",
        "moj-cloud-platform-2023-01-11",
        "moj-cloud-platform-2023-09-18",
        "moj-cloud-platform-2026-03-30",
        "mybinder-2017-09-27",
        "mybinder-2018-01-04",
        "mybinder-2018-02-20",
        "mybinder-2020-07-09",
        "stripe-2019-07-10",
        "tailscale-2024-03-07",
        "wikimedia-2019-03-28-commons",
        "wikimedia-2023-06-06-dawiktionary",
        "xervo-2015-07-22",
        "yearn-2021-05-13",
        "yearn-2021-05-20",
        "yearn-2023-06-13",
        "zaides-2024-destroyed-db",
    ],
    "test": [
        "cloudflare-2023-11-23",
        "fastly-2021-06-08",
        "moj-cloud-platform-2020-09-21",
        "moj-cloud-platform-2021-05-10",
        "moj-cloud-platform-2025-07-23",
        "mybinder-2017-11-30",
        "mybinder-2018-01-18",
        "mybinder-2018-03-13",
        "mybinder-2018-04-18",
        "mybinder-2018-07-30",
        "mybinder-2019-02-20",
        "mybinder-2019-03-24",
        "mybinder-2022-01-27",
        "philwade-2012-04-04",
        "resend-2024-02-21",
        "t2bot-2020-06-17",
        "t2bot-2024-01-13",
        "yearn-2021-02-04",
        "yearn-2022-11-01",
        "yearn-2023-04-04",
        "yearn-2023-12-11",
    ],
}



# The second batch's assignment, recorded when it was dealt: the third batch must not move it.
SECOND_BATCH = {
    "dev": [
        "casparwre-2020-10-17",
        "developerdeathmarch-worst-day",
        "mozilla-2019-05-04",
        "notional-2021-09",
        "projectlocker-2015-05-21",
        "snaplet-deleted-production-db",
        "sourcehut-2024-01",
        "soylentnews-2019-08-15",
        "tarsnap-2011-07-23",
    ],
    "test": [
        "apache-2014-05-06",
        "fsfe-2010-05-04",
        "goatcounter-2020-02-19",
        "grafana-2019-07-19",
        "jorriss-2005-07-28",
        "motorway-2021-08-17",
        "nested-2019-12-19",
        "reddit-2023-03-14",
        "socialbakers-2019-11-11",
        "tarsnap-2023-07-02",
    ],
}


# The third batch's assignment, recorded when it was dealt: the fourth batch must not move it.
THIRD_BATCH = {
    "dev": [
        "brevo-2025-07-30",
        "codelabs-devops-2025-01-04",
        "folksy-2020-02-13",
        "fosstodon-2022-07-30",
        "npm-2014-06-04",
        "reams-2023-took-down-production",
        "sentry-2015-07-20",
        "sorryapp-2026-01-30",
        "stackexchange-2016-07-20",
        "tumblr-2010-12-06",
        "voidlinux-2021-06-06",
    ],
    "test": [
        "eartharoid-2025-03-28",
        "letsencrypt-2020-02-29",
        "mapiq-2024-09-11",
        "notabug-2016",
        "npm-2014-01-28",
        "npm-2014-02-24",
        "tighten-broke-production",
        "travis-2018-03-13",
        "voidlinux-2021-07-17",
        "voidlinux-2024-07-27",
    ],
}

RECORDED = {1: FIRST_BATCH, 2: SECOND_BATCH, 3: THIRD_BATCH}


@pytest.mark.parametrize("batch", sorted(RECORDED))
def test_batch_keeps_its_recorded_assignment(
    batch: int, split: dict[str, Any], sources: list[Any]
) -> None:
    recorded = RECORDED[batch]
    docs = {s["doc"] for s in sources if s.get("batch", 1) == batch}
    assert docs == set(recorded["dev"]) | set(recorded["test"])
    # Dealt with every batch, and with only the batches up to it: the same assignment.
    up_to = split_mod.make_split([s for s in sources if s.get("batch", 1) <= batch])
    for dealt in (split, up_to):
        for part in ("dev", "test"):
            assert sorted(set(dealt[part]) & docs) == recorded[part]


def test_a_new_batch_never_moves_earlier_documents() -> None:
    old = [{"doc": f"a{i}", "segments": 10 + 3 * i, "candid": i % 4 == 0} for i in range(10)]
    new = [{"doc": f"b{i}", "segments": 40 - i, "candid": i % 2 == 0, "batch": 2} for i in range(9)]
    before = split_mod.make_split(old)
    after = split_mod.make_split(old + new)
    for part in ("dev", "test"):
        assert [d for d in after[part] if d.startswith("a")] == before[part]
    # Dealt as one batch, the same documents would be assigned differently: the batch matters.
    as_one = split_mod.make_split(old + [{**d, "batch": 1} for d in new])
    assert as_one != after
    candid = {p: sum(d["candid"] for d in old + new if d["doc"] in after[p]) for p in after}
    assert abs(candid["dev"] - candid["test"]) <= 1


def test_split_is_deterministic_and_order_independent() -> None:
    docs = [{"doc": f"d{i}", "segments": 10 + i, "candid": i % 3 == 0} for i in range(12)]
    first = split_mod.make_split(docs)
    assert split_mod.make_split(list(reversed(docs))) == first
    assert sorted(first["dev"] + first["test"]) == sorted(d["doc"] for d in docs)
    candid = {p: sum(int(d[1:]) % 3 == 0 for d in first[p]) for p in first}
    assert abs(candid["dev"] - candid["test"]) <= 1


# --- the segmenter -------------------------------------------------------------------------


def _seg(text: str) -> list[tuple[str, str, str]]:
    return [(s.section, s.kind, s.text) for s in seg_mod.segment_markdown(text)]


def test_headings_set_the_section_and_are_not_segments() -> None:
    text = "# Title\n\nFirst one. Second one.\n\n## What happened[](#what-happened)\n\nThird.\n"
    assert _seg(text) == [
        ("Title", "sentence", "First one."),
        ("Title", "sentence", "Second one."),
        ("What happened", "sentence", "Third."),
    ]


def test_code_front_matter_comments_and_images_are_skipped() -> None:
    text = (
        "---\ntitle: x\n---\n\nBefore.\n\n```\n$ rm -rf / . Not prose.\n```\n\n"
        "<!-- more -->\n\n![graph](/a.png)\n\n    indented code line\n\nAfter.\n"
    )
    assert [t for _, _, t in _seg(text)] == ["Before.", "After."]


def test_inline_triple_backticks_do_not_open_a_fence() -> None:
    text = "- Error seen:\n```Hostname does not match```\n\n- Next item.\n\nTail.\n"
    assert [t for _, _, t in _seg(text)][-2:] == ["Next item.", "Tail."]


def test_list_items_and_long_items_split_into_sentences() -> None:
    text = "- Short item\n- A long item. It has two sentences.\n  * nested one\n"
    assert _seg(text) == [
        ("", "list-item", "Short item"),
        ("", "list-item", "A long item."),
        ("", "list-item", "It has two sentences."),
        ("", "list-item", "nested one"),
    ]


def test_table_rows_skip_header_and_separator() -> None:
    text = "| Time | Event |\n|---|---|\n| 08:41 | Alert fired |\n| 09:02 | Rolled back |\n"
    assert _seg(text) == [
        ("", "table-row", "08:41 | Alert fired"),
        ("", "table-row", "09:02 | Rolled back"),
    ]


def test_inline_markdown_is_reduced_to_text_and_link_lines_dropped() -> None:
    text = (
        "See [the PR](https://x.y/1) and **this**, e.g. the `kubectl` call. Done.\n\n"
        "[Timeline](https://docs.example/t)\n\n<small><i>June 22nd by Someone</i></small>\n"
    )
    assert [t for _, _, t in _seg(text)] == [
        "See the PR and this, e.g. the `kubectl` call.",
        "Done.",
    ]


def test_bold_only_paragraph_acts_as_a_heading() -> None:
    assert _seg("**Key events**\n\nIt began.\n") == [("Key events", "sentence", "It began.")]
    assert _seg("- **Impact**:\n  - Users saw errors.\n") == [
        ("Impact", "list-item", "Users saw errors.")
    ]


def test_sentence_splitter_keeps_abbreviations_numbers_and_initials() -> None:
    text = (
        "Version 1.2.3 shipped at 9 a.m. UTC on Monday. See Mr. Smith, i.e. the lead. Q? Yes! Ok."
    )
    assert seg_mod.split_sentences(text) == [
        "Version 1.2.3 shipped at 9 a.m. UTC on Monday.",
        "See Mr. Smith, i.e. the lead.",
        "Q?",
        "Yes!",
        "Ok.",
    ]


def test_cli_writes_jsonl(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "b-doc.md").write_text("# H\n\nOne. Two.\n", encoding="utf-8")
    (raw / "a-doc.md").write_text("- Item\n", encoding="utf-8")
    out = tmp_path / "s.jsonl"
    assert seg_mod.main([str(raw), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a-doc#1", "b-doc#1", "b-doc#2"]
    assert rows[1] == {
        "id": "b-doc#1",
        "doc": "b-doc",
        "section": "H",
        "kind": "sentence",
        "text": "One.",
    }


# --- labels --------------------------------------------------------------------------------

CATEGORIES = {"person-cause", "counterfactual", "blame-noun", "who-question", "person-named"}


def _jsonl(name: str) -> list[dict[str, Any]]:
    lines = (REAL / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_labels_cover_every_segment_and_match_the_two_passes(segments: list[Any]) -> None:
    final = _jsonl("labels.jsonl")
    passes = [_jsonl("labels-a.jsonl"), _jsonl("labels-b.jsonl")]
    ids = [r["id"] for r in segments]
    assert [r["id"] for r in final] == ids
    for rows in passes:
        assert [r["id"] for r in rows] == ids
    for r, a, b in zip(final, *passes, strict=True):
        for row in (r, a, b):
            assert row["blame"] in (0, 1), row["id"]
            assert row["category"] in CATEGORIES | {""}, row["id"]
            assert (row["blame"] == 1) == (row["category"] != ""), row["id"]
        agreed = (a["blame"], a["category"]) == (b["blame"], b["category"])
        assert r["agreed"] is agreed, r["id"]
        if agreed:
            assert set(r) == {"id", "blame", "category", "agreed"}, r["id"]
            assert (r["blame"], r["category"]) == (a["blame"], a["category"]), r["id"]
        else:
            assert set(r) == {"id", "blame", "category", "agreed", "note"}, r["id"]
            assert isinstance(r["note"], str) and r["note"].strip(), r["id"]
