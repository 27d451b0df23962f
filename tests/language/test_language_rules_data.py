"""The rules data: schema, examples, loading errors, triggers, documentation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from postmortems.errors import ConfigurationError
from postmortems.language import LanguageChecker, LanguageSettings, RulesError
from postmortems.language.matcher import find_hits
from postmortems.language.names import EMPTY_NAMES, known_names
from postmortems.language.rules import WordSet, default_rules_path
from postmortems.language.suppress import META_RULES
from postmortems.markdown import parse_body

from .conftest import ROOT, RULES, SCHEMA
from .evaluation import CATEGORIES as RULE_CATEGORIES
from .evaluation import load_corpus

DATA = yaml.safe_load(RULES.read_text(encoding="utf-8"))
RULE_IDS = [r["id"] for r in DATA["rules"]]
CATEGORIES = set(RULE_CATEGORIES)


def test_data_file_validates_against_its_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(DATA)


def test_every_category_has_rules_and_levels_follow_the_policy() -> None:
    levels = {r["category"]: set() for r in DATA["rules"]}
    for r in DATA["rules"]:
        levels[r["category"]].add(r["level"])
    assert set(levels) == CATEGORIES
    assert levels["judgement"] == {"error"}
    assert levels["who-question"] == {"error"}
    for category in ("agent", "counterfactual", "named-person", "person-action"):
        assert levels[category] == {"warning"}, category


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_examples(checker: LanguageChecker, rule_id: str) -> None:
    rule = checker.rules.rule(rule_id)
    names = rule.examples.known_names
    for text in rule.examples.flag:
        found = checker.check(text, "example.md", known_names=names).findings
        assert rule_id in [f.rule for f in found], f"{rule_id} should flag: {text!r}"
    for text in rule.examples.passes:
        found = checker.check(text, "example.md", known_names=names).findings
        assert rule_id not in [f.rule for f in found], f"{rule_id} should pass: {text!r}"


def _corpus_texts() -> list[tuple[str, tuple[str, ...]]]:
    texts = []
    for name in ("corpus.yml", "holdout.yml"):
        texts += [(s.text, s.known_names) for s in load_corpus(ROOT / "tests/language" / name)]
    for path in sorted((ROOT / "incidents").glob("**/*.md")):
        texts.append((path.read_text(encoding="utf-8"), ()))
    return texts


def test_triggers_never_change_results(checker: LanguageChecker) -> None:
    assert any(r.trigger is not None for r in checker.rules.rules)
    for text, names in _corpus_texts():
        doc = parse_body(text).prose
        known = known_names(names, checker.rules)
        fast = find_hits(checker.rules, doc, known)
        slow = find_hits(checker.rules, doc, known, use_triggers=False)
        assert [(h.rule.id, h.start, h.end) for h in fast] == [
            (h.rule.id, h.start, h.end) for h in slow
        ], text[:80]


def test_docs_list_every_rule() -> None:
    page = (ROOT / "docs" / "blameless-language.md").read_text(encoding="utf-8")
    for rule_id in [*RULE_IDS, *META_RULES]:
        assert f"`{rule_id}`" in page, rule_id
    sections = dict(re.findall(r"^#### `([^`]+)`\n(.*?)(?=^#|\Z)", page, re.M | re.S))
    for rule in DATA["rules"]:
        section = sections[rule["id"]]
        assert f"**Level:** {rule['level']}" in section, rule["id"]
        assert rule["message"].split(":")[0] in section, rule["id"]


def test_default_rules_are_found_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_rules_path().read_bytes() == RULES.read_bytes()
    assert LanguageChecker().rules.rules


# -- invalid data --------------------------------------------------------------------------


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "blameless-rules.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "blameless-rules.schema.json").write_text(SCHEMA.read_text(), encoding="utf-8")
    return path


def _data_with(**changes: object) -> dict:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    rule = data["rules"][0]
    for key, value in changes.items():
        if value is None:
            del rule[key]
        else:
            rule[key] = value
    return data


def _error(tmp_path: Path, data: object, settings: LanguageSettings | None = None) -> str:
    path = _write(tmp_path, data)
    with pytest.raises(RulesError) as info:
        LanguageChecker(LanguageSettings(rules_path=path, **(settings or {})))
    return str(info.value)


def test_invalid_level_names_file_rule_and_field(tmp_path: Path) -> None:
    message = _error(tmp_path, _data_with(level="fatal"))
    assert "blameless-rules.yml" in message
    assert f"rules[0] ({RULE_IDS[0]}).level" in message
    assert "'fatal'" in message


def test_missing_examples_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, _data_with(examples=None))
    assert f"rules[0] ({RULE_IDS[0]})" in message and "examples" in message


def test_bad_regex_names_the_rule_and_pattern(tmp_path: Path) -> None:
    message = _error(tmp_path, _data_with(patterns=["(unclosed"]))
    assert f"rules[0] ({RULE_IDS[0]}).patterns[0]" in message
    assert "invalid regular expression" in message


def test_unknown_placeholder_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, _data_with(patterns=["{no_such_list} forgot"]))
    assert "unknown placeholder {no_such_list}" in message
    assert RULE_IDS[0] in message


def test_duplicate_rule_id_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["rules"][1]["id"] = data["rules"][0]["id"]
    assert "duplicate rule id" in _error(tmp_path, data)


def test_bad_id_and_category_are_errors(tmp_path: Path) -> None:
    message = _error(tmp_path, _data_with(id="Not An Id", category="vibes"))
    assert ".id" in message and ".category" in message


def test_self_referring_fragment_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["fragments"]["gap"] = "(?:x{gap})?"
    assert "fragment {gap} refers to itself" in _error(tmp_path, data)


def test_rules_error_is_a_configuration_error() -> None:
    assert issubclass(RulesError, ConfigurationError)


def test_not_yaml_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blameless-rules.yml"
    path.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        LanguageChecker(LanguageSettings(rules_path=path))


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        LanguageChecker(LanguageSettings(rules_path=tmp_path / "nope.yml"))


def test_bad_settings_are_errors(tmp_path: Path) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert "not one of" in _error(tmp_path, data, {"level_overrides": {"agent": "loud"}})
    assert "neither a rule id nor a category" in _error(
        tmp_path, data, {"level_overrides": {"agnet": "off"}}
    )
    assert "blockquote_level" in _error(tmp_path, data, {"blockquote_level": "quiet"})


def test_rule_ids_are_documented_in_the_data_comments() -> None:
    # Rule ids are stable API (suppressions and overrides use them): keep them well formed.
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*/[a-z0-9]+(?:-[a-z0-9]+)*", rule_id)


def test_prefix_keywords_and_trigger_words_choose_the_sentences(tmp_path: Path) -> None:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["rules"] = [{
        "id": "action/test-rule", "category": "person-action", "level": "warning",
        "message": "Targets people: '{match}'", "hint": "Change the system instead.",
        "keywords": ["retrain*", "coach"],
        "trigger": r"\bplease\b",
        "trigger_words": ["kindly"],
        "patterns": [r"\b(?:retrain\w*|coach)\s+(?:the\s+)?staff\b"],
        "examples": {"flag": ["Please retrain the staff."], "pass": ["Retrain the model."]},
    }]
    checker = LanguageChecker(LanguageSettings(rules_path=_write(tmp_path, data)))
    rule = checker.rules.rule("action/test-rule")
    assert rule.keywords == WordSet(frozenset({"coach"}), ("retrain",))
    assert rule.trigger_words == WordSet(frozenset({"kindly"}))
    text = (
        "Please retrain the staff. Retraining staff helps. Kindly coach staff. "
        "Coach staff now. Please, retraining staff."
    )
    doc = parse_body(text).prose
    fast = [(h.rule.id, h.start) for h in find_hits(checker.rules, doc, EMPTY_NAMES)]
    slow = find_hits(checker.rules, doc, EMPTY_NAMES, use_triggers=False)
    # Only sentences with a keyword and the trigger or a trigger word are searched.
    assert [text[s : s + 12] for _, s in fast] == ["retrain the ", "coach staff.", "retraining s"]
    assert len(slow) == 5


def test_a_word_entry_with_no_word_or_a_bad_reference_is_rejected(tmp_path: Path) -> None:
    # An entry the word index can never hold would keep its rule from ever running.
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == "names/handle")
    rule["trigger_words"] = ["user", "--"]
    path = _write(tmp_path, data)
    with pytest.raises(RulesError, match=r"names/handle.*trigger_words.*'--' holds no word"):
        LanguageChecker(LanguageSettings(rules_path=path))
    rule["trigger_words"] = ["user"]
    next(r for r in data["rules"] if r.get("keywords"))["keywords"].append("?")
    with pytest.raises(RulesError, match=r"keywords.*'\?' holds no word"):
        LanguageChecker(LanguageSettings(rules_path=_write(tmp_path, data)))
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == "names/timeline-actor")
    rule["trigger_words"] = ["he", "{speech_lemmas.bad}"]
    with pytest.raises(RulesError, match=r"'\{speech_lemmas.bad\}' is not a word list reference"):
        LanguageChecker(LanguageSettings(rules_path=_write(tmp_path, data)))
    # A word list used as keywords must not hold an entry without a word either.
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["lexicon"]["judgement_words"].append("?!")
    with pytest.raises(
        RulesError, match=r"judgement/careless.*keywords: lexicon.judgement_words entry '\?!'"
    ):
        LanguageChecker(LanguageSettings(rules_path=_write(tmp_path, data)))


def test_index_folds_letters_that_patterns_match_to_ascii(checker: LanguageChecker) -> None:
    # A case-insensitive pattern matches "ſ" to "s", "ı" and "İ" to "i", "K" (Kelvin) to "k".
    texts = [
        "Quillon a\u017fked for a rollback.",
        "Engineers mu\u017ft remember to double-check the config.",
        "We will di\u017fcipline the engineer who pushed it.",
        "Quillon \u0130nformed the team.",
        "The engineer forgot to rene\u0077 it, and we ma\u212ae sure they \u017ftop.",
        "Engineers \u017fhould be aware of the freeze.",
    ]
    for text in texts:
        doc = parse_body(text).prose
        fast = find_hits(checker.rules, doc, EMPTY_NAMES)
        slow = find_hits(checker.rules, doc, EMPTY_NAMES, use_triggers=False)
        assert [(h.rule.id, h.start) for h in fast] == [(h.rule.id, h.start) for h in slow], text
    assert any(
        find_hits(checker.rules, parse_body(t).prose, EMPTY_NAMES, use_triggers=False)
        for t in texts
    )


def test_a_chat_line_in_a_later_paragraph_is_found_with_triggers(
    checker: LanguageChecker,
) -> None:
    text = "The hub failed.\n\nquillon: I restarted the hub."
    doc = parse_body(text).prose
    fast = [(h.rule.id, h.start) for h in find_hits(checker.rules, doc, EMPTY_NAMES)]
    slow = find_hits(checker.rules, doc, EMPTY_NAMES, use_triggers=False)
    assert fast == [(h.rule.id, h.start) for h in slow]
    assert ("names/timeline-actor", doc.text.index("quillon")) in fast
