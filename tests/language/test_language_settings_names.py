"""Team settings, known names, and the helper that collects names from a post-mortem."""

from __future__ import annotations

from postmortems.findings import Level
from postmortems.language import LanguageChecker, LanguageSettings, names_from_postmortem
from postmortems.language.names import NameFinder, known_names

from .conftest import ROOT, RULES

REAL = ROOT / "tests" / "language" / "real" / "raw"


def make(**kw: object) -> LanguageChecker:
    return LanguageChecker(LanguageSettings(rules_path=RULES, **kw))  # type: ignore[arg-type]


def levels(checker: LanguageChecker, text: str) -> dict[str, Level]:
    return {f.rule: f.level for f in checker.check(text, "x.md").findings}


TEXT = "The developer forgot to renew it. The root cause was human error."


def test_level_overrides_by_rule_and_category() -> None:
    by_category = make(level_overrides={"agent": "error", "judgement": "info"})
    assert levels(by_category, TEXT) == {
        "agent/oversight": Level.ERROR,
        "judgement/human-error": Level.INFO,
    }
    by_rule = make(level_overrides={"agent": "error", "agent/oversight": "info"})
    assert levels(by_rule, TEXT)["agent/oversight"] is Level.INFO
    off = make(level_overrides={"judgement": "off"})
    assert list(levels(off, TEXT)) == ["agent/oversight"]


def test_blockquote_level_setting() -> None:
    quoted = "> " + TEXT
    assert set(levels(make(), quoted).values()) == {Level.INFO}
    assert levels(make(blockquote_level="off"), quoted) == {}
    capped = levels(make(blockquote_level="warning"), quoted)
    assert capped == {"agent/oversight": Level.WARNING, "judgement/human-error": Level.WARNING}


def test_allowed_phrases_setting() -> None:
    text = "Our motto is: the engineer forgot nothing."
    assert levels(make(), text)
    assert levels(make(allowed_phrases=["the engineer forgot nothing"]), text) == {}


def test_extra_role_nouns_setting() -> None:
    text = "The barista forgot to restock the oat milk."
    assert levels(make(), text) == {}
    assert list(levels(make(extra_role_nouns=["barista"]), text)) == ["agent/oversight"]


def test_known_name_forms() -> None:
    rules = make().rules
    names = known_names(["Priya Raman", "ben.okafor", "db-team", "sre-team", "SRE", "pdiaz"], rules)
    assert {"Priya Raman", "Priya", "Raman", "priya.raman", "@priya"} <= names.tokens
    assert {"ben.okafor", "@ben.okafor", "Ben Okafor", "Ben", "Okafor"} <= names.tokens
    assert "@pdiaz" in names.tokens and "pdiaz" not in names.tokens
    assert not any("team" in t.lower() or t == "SRE" for t in names.tokens)


def test_names_match_case_sensitively_as_words() -> None:
    checker = make()
    names = ["Mark Twain", "Priya Raman"]
    text = "We mark the flag. Priyanka restarted it. Mark Twain and Priya restarted it."
    found = checker.check(text, "x.md", known_names=names).findings
    assert [f.match for f in found] == ["Mark Twain", "Priya"]
    assert checker.check("priya restarted it.", "x.md", known_names=names).findings == []


def test_name_finder_takes_the_words_of_a_name_apart_by_any_whitespace() -> None:
    finder = NameFinder(["Priya  Raman", "Ana\tLima"])
    text = "Priya Raman and Ana\nLima replied."
    assert [m.span() for m in finder.pattern.finditer(text)] == [(0, 11), (16, 24)]
    assert (m := finder.search(text, 1)) is not None and m.span() == (16, 24)


def test_a_name_capture_joins_words_only_on_one_line_and_close_together() -> None:
    def matches(text: str) -> list[tuple[str, int, int]]:
        return [(f.match, f.line, f.column) for f in make().check(text, "x.md").findings
                if f.rule.startswith("names/")]

    # Two spaces or a tab are still one name.
    assert matches("Dana  Reyes restarted the pods.") == [("Dana Reyes", 1, 1)]
    assert matches("Dana\tReyes restarted the pods.") == [("Dana Reyes", 1, 1)]
    # Hidden text (inline code here) is blanked to spaces: it does not join the words.
    assert matches("Dana `kubectl` Reyes restarted the pods.") == []
    # A line break ends the name: each line's words are checked on their own line.
    assert matches("We paged Dana\nThe pager failed.") == [("paged Dana", 1, 4)]
    assert matches("The handover went from Priya\nDana restarted the pods.") == [("Dana", 2, 1)]


def test_unknown_capitalised_word_at_sentence_start_is_not_a_name() -> None:
    checker = make()
    assert checker.check("Deployed the fix without review.", "x.md").findings == []
    assert checker.check("Rolled back the deploy by mistake.", "x.md").findings == []
    found = checker.check("Olga approved the pull request without reading the diff.", "x.md")
    # A first name acting in the narrative is itself a finding (labelling guide: person-named).
    assert [f.rule for f in found.findings] == ["agent/bad-action", "names/first-name"]


BODY = """
# Title

## Who Was Involved

| Role | Person | Contribution |
|------|--------|--------------|
| Incident Commander | **Priya Raman** (IC) | Ran the bridge |
| On-call | [Ben Okafor](https://people.example/ben), @marta.silva | Rolled back |
| Scribe | ... | |

## Other

| Role | Person |
|---|---|
| Nope | Not Collected |
"""


def test_names_from_postmortem() -> None:
    front = {
        "authors": ["Priya Raman", "sre-team"],
        "action_items": [{"owner": "db-team"}, {"owner": "Lucía Fernández"}, {"action": "x"}],
    }
    assert names_from_postmortem(front, BODY) == [
        "Priya Raman",
        "sre-team",
        "db-team",
        "Lucía Fernández",
        "Ben Okafor",
        "@marta.silva",
    ]


def test_names_from_postmortem_without_table() -> None:
    assert names_from_postmortem({"authors": "Priya Raman"}, "# No table\n") == ["Priya Raman"]
    assert names_from_postmortem({}, "") == []


def _spans(found: object, text: str, pos: int = 0) -> list[tuple[int, int]]:
    out = []
    while (m := found.search(text, pos, len(text))) is not None:  # type: ignore[attr-defined]
        out.append(m.span())
        pos = m.end() if m.end() > m.start() else m.start() + 1
    return out


def test_name_finder_finds_what_its_regex_finds() -> None:
    rules = make().rules
    names = known_names(
        ["Priya Raman", "ben.okafor", "Li Wei", "Ana", "Ana Lima", "pdiaz", "Ben"], rules
    )
    finder = names.finder
    assert finder is not None
    texts = [
        "Priya Raman paged Ana Lima; Ana\nLima and Priya  Raman replied. Priyanka did not.",
        "@ben.okafor and ben.okafor@example.com, ben.okafor.dev, xben.okafor, -Ben, Ben-x.",
        "Li Wei, Li  Wei, LiWei, Ana's fix; @priya and @pdiaz, Ben. Ben.x Ben.",
        "",
        "Ana",
    ]
    texts += [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.md"))[:40]]
    for text in texts:
        text = text + " Ana Lima said so. Ben.\x00Priya Raman"
        assert _spans(finder, text) == [m.span() for m in finder.pattern.finditer(text)]
        for pos in range(0, len(text), max(1, len(text) // 97)):
            m, r = finder.search(text, pos), finder.pattern.search(text, pos)
            assert (m and m.span()) == (r and r.span()), (text[:40], pos)
        # A region that ends early is searched as if the text ended there.
        half = len(text) // 2
        m, r = finder.search(text, 0, half), finder.pattern.search(text, 0, half)
        assert (m and m.span()) == (r and r.span())


def test_known_names_know_a_name_whatever_the_whitespace_in_it() -> None:
    names = known_names(["Priya Raman"], make().rules)
    assert names.knows("Priya Raman") and names.knows("Priya  Raman")
    assert names.knows("Priya\tRaman") and names.knows("Priya\nRaman")
    assert not names.knows("PriyaRaman") and not names.knows("Priya Ramanujan")
