"""Rewrite suggestions on generated Markdown: whenever one is given, it is the written
sentence with only the match changed, its markup whole and its code intact."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.language import LanguageChecker
from postmortems.language.suggest import _whole

# Phrases the rules rewrite, and what the rest of a sentence may be made of.
SLIPS = ("we accidentally deleted", "an engineer inadvertently purged", "we erroneously ran",
         "it was deleted by mistake")
PIECES = st.sampled_from([
    "the", "data", "db_primary", "`db-01`", "`` a`b ``", "[the replica](https://example.com/r)",
    "*care*", "**now**", "_quickly_", "(the primary)", "~13", "on", "![img](x.png)", "<b>x</b>",
    "[ref][1]", "\\*", "`open", "**", "[", ")", ":", ",", "—", "🔥", "\n", "\n> ", "\n- ",
    "<!-- note -->", "https://example.com/a.", "é",
])
CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")

_CHECKER = LanguageChecker()


@st.composite
def sentences(draw: st.DrawFn) -> str:
    before = draw(st.lists(PIECES, max_size=5))
    after = draw(st.lists(PIECES, max_size=6))
    prefix = draw(st.sampled_from(["", "- ", "> ", "1. ", "| a | ", "# "]))
    text = " ".join([*before, draw(st.sampled_from(SLIPS)), *after]) + draw(
        st.sampled_from([".", "", " today.", "`x`."]))
    if prefix.startswith("|"):
        return f"{prefix}{text.replace(chr(10), ' ')} |\n|---|---|\n| 1 | 2 |\n"
    return prefix + text


@settings(max_examples=int(os.environ.get("POSTMORTEMS_FUZZ_EXAMPLES", "150")) * 4,
          deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize="POSTMORTEMS_FUZZ_EXAMPLES" not in os.environ)  # CI: the same cases
@given(sentences())
def test_a_suggestion_is_the_written_sentence_whole(text: str) -> None:
    for finding in _CHECKER.check(text, "x.md").findings:
        for suggestion in finding.suggestions:
            assert "\n" not in suggestion
            assert _whole(suggestion), (text, suggestion)
            flat = " ".join(text.split())
            # Every code span of the suggestion is written so in the text, untouched.
            for m in CODE.finditer(suggestion):
                assert m.group(0) in flat, (text, suggestion)
            # Nothing but the rewrite is new: every word of the suggestion is in the text
            # or in the rule's rewrite of the match.
            rewritten = finding.match if finding.match else ""
            words = set(re.findall(r"\w+", flat.lower())) | {"responder", "maintainer", "a",
                                                              "the", "was", "were"}
            assert set(re.findall(r"\w+", suggestion.lower())) <= words | set(
                re.findall(r"\w+", rewritten.lower())), (text, suggestion)
