"""Run compiled rules over a document's prose and return the accepted matches."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from ..markdown import Prose, Segment
from .names import KnownNames
from .rules import WORD_RUN, Rule, RuleSet, WordSet

_ABBREVIATIONS = (r"e\.g", r"i\.e", "etc", "vs", "cf", "approx", "incl", "dr", "mr", "mrs", "ms",
                  "st", "no")
# A run of end punctuation, then closing quotes or brackets, before a space or a segment's
# end; a full stop ends no sentence after an abbreviation, also one ending the line before
# (as when the abbreviation was matched with `$`, which also matches before a final newline).
# Opening with the punctuation lets the regex engine skip to it; lookbehinds test the rest.
_SENTENCE_END = re.compile(
    r"[.!?](?<![.!?][.!?])"
    + "".join(rf"(?<!\b{a}\.)(?<!\b{a}\n\.)" for a in _ABBREVIATIONS)
    + r"[.!?]*[\"'”’)\]]*(?=\s|\x00|$)|\x00",
    re.IGNORECASE,
)


# The only letters outside ASCII that a case-insensitive pattern matches to an ASCII letter
# ("aſked" is "asked" to the rules): the word index folds them the same way.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# UTF-8 bytes: ASCII word characters (``\w``) and every byte of other characters kept, the
# other ASCII bytes a space.
_ASCII_SPACED = bytes(
    c if c >= 0x80 or chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(256)
)


def _token_words(token: str) -> list[str]:
    """The words of a lowered token, with the letters that match ASCII ones folded.

    (The index used to fold, then lower; lowering first gives the same words, because no
    other letter lowers to one of the four that fold, and those four fold to letters that
    lowering keeps.)"""
    if token.isascii():
        return [token]
    return [w.translate(_FOLD) for w in WORD_RUN.findall(token)]

NAMED = "named-person"  # the category whose rules never look inside a people table


@dataclass(frozen=True)
class Hit:
    """A rule matching ``text[start:end]`` of a document, inside ``segment``."""

    rule: Rule
    start: int
    end: int
    segment: Segment


# A run of more whitespace than any sentence holds (often hidden text blanked to spaces:
# inline code, a comment, a URL) is a sentence of its own: it ends the sentence before it
# and the one it makes, so no rule's regex backtracks over it, which cost time quadratic
# in its length. The run's first character is found by the lookbehind, so each run is
# scanned once.
LONG_SPACE = 512
_LONG_SPACE_RUN = re.compile(rf"(?<!\s)\s{{{LONG_SPACE},}}")


def long_space_runs(text: str) -> list[tuple[int, int]]:
    """The spans of the whitespace runs of ``LONG_SPACE`` characters or more, in order."""
    if len(text) < LONG_SPACE:
        return []
    return [m.span() for m in _LONG_SPACE_RUN.finditer(text)]


def sentence_bounds(text: str) -> list[int]:
    """Offsets where sentences end (exclusive), in order; the text's end is implied.

    A long whitespace run (``long_space_runs``) is a sentence of its own."""
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    runs = long_space_runs(text)
    if runs:
        bounds = sorted({*bounds, *(b for span in runs for b in span if b)})
    return bounds


class _Sentences:
    def __init__(self, doc: Prose, rules: RuleSet) -> None:
        self.text = doc.text
        self.bounds = sentence_bounds(doc.text)
        self.runs = long_space_runs(doc.text)
        self.rules = rules
        self._allowed: dict[int, list[tuple[int, int]]] = {}
        self._words: dict[str, list[int]] | None = None
        self._keys: frozenset[str] = frozenset()
        self._sorted: list[str] | None = None

    def word_sentences(self) -> dict[str, list[int]]:
        """Lowercased words of the text and the sentences holding them (indices, in order),
        built once."""
        if self._words is None:
            index: dict[str, list[int]] = {}
            text = self.text
            low = text.lower()
            # Each ASCII character that is not a word character becomes a space (other
            # characters are kept, so offsets stay), and a sentence's words are its split.
            # Lowering the whole text keeps the offsets and lowers each word as on its own,
            # unless a letter lowers to two or a capital sigma lowers by its place in the
            # text; then the words are lowered one by one.
            spaced = (
                low.encode().translate(_ASCII_SPACED).decode()
                if len(low) == len(text) and "\u03a3" not in text
                else None
            )
            start = 0
            for i, end in enumerate([*self.bounds, len(text)]):
                if spaced is None:
                    words = {
                        w.translate(_FOLD).lower() for w in WORD_RUN.findall(text, start, end)
                    }
                else:
                    chunk = spaced[start:end]
                    words = set(chunk.split())
                    if not chunk.isascii():
                        words = {w for t in words for w in _token_words(t)}
                for word in words:
                    found = index.get(word)
                    if found is None:
                        index[word] = [i]
                    else:
                        found.append(i)
                start = end
            self._words = index
            self._keys = frozenset(index)
        return self._words

    def keyword_sentences(self, wanted: WordSet) -> list[int]:
        """The sentences (indices, in order) holding one of the words of ``wanted`` or a
        word that starts with one of its prefixes."""
        index = self.word_sentences()
        words, prefixes = wanted.words, wanted.prefixes
        found = [index[k] for k in words & self._keys] if words else []
        if prefixes:
            if self._sorted is None:
                self._sorted = sorted(self._keys)
            ordered = self._sorted
            for prefix in prefixes:
                i = bisect_left(ordered, prefix)
                while i < len(ordered) and ordered[i].startswith(prefix):
                    found.append(index[ordered[i]])
                    i += 1
        if len(found) == 1:
            return found[0]
        return sorted({i for ids in found for i in ids})

    def spans(self) -> Iterator[tuple[int, int]]:
        """The text in pieces between its long whitespace runs (the whole text if none): no
        accepted match crosses a sentence's end, so none is lost."""
        start = 0
        for run_start, run_end in self.runs:
            if run_start > start:
                yield start, run_start
            start = run_end
        if start < len(self.text) or not self.runs:
            yield start, len(self.text)

    def sentence(self, i: int) -> tuple[int, int]:
        """The span of sentence ``i``."""
        bounds = self.bounds
        return (bounds[i - 1] if i else 0, bounds[i] if i < len(bounds) else len(self.text))

    def around(self, offset: int) -> tuple[int, int]:
        return self.sentence(bisect_right(self.bounds, offset))

    def allowed_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        if start not in self._allowed:
            allowed = self.rules.allowed
            spans = [m.span() for m in allowed.finditer(self.text, start, end)] if allowed else []
            self._allowed[start] = spans
        return self._allowed[start]


# A subject pronoun is never the object of a preposition, so a phrase before it ("In our
# rush we assumed...") does not make it one.
_NOMINATIVE = re.compile(r"(?:i|we|he|she|they)\b(?![-'’]s)", re.IGNORECASE)
_PHRASE_TAIL = re.compile(
    r"\b(?:in|on|at|by|for|with|from|of|after|before|during|to|about|like|than)"
    r"\s+(?:[\w'’-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _accept(rule: Rule, m: re.Match[str], sents: _Sentences) -> bool:
    text = sents.text
    start, end = sents.around(m.start())
    if m.end() > end:
        return False
    if rule.unless is not None and rule.unless.search(text[start:end]):
        return False
    if rule.unless_before is not None:
        before = text[start : m.start()]
        if _NOMINATIVE.match(text, m.start()):
            before = _PHRASE_TAIL.sub("", before)
        if rule.unless_before.search(before):
            return False
    if rule.require_before is not None and not rule.require_before.search(text[start : m.start()]):
        return False
    if rule.unless_after is not None and rule.unless_after.match(text[m.end() : end]):
        return False
    return not any(a < m.end() and m.start() < b for a, b in sents.allowed_spans(start, end))


_LETTER = re.compile(r"[^\W\d_]")
# After a label ("Inefficient Logging: Unbounded growth ..."), words are capitalised as at
# the start of a sentence.
_LABEL_BEFORE = re.compile(r"[:\u2013\u2014]\s*$")
# A capitalised word right after one of these is a thing ("the Strategy"), not a person.
_THING_BEFORE = re.compile(
    r"\b(?:the|a|an|this|that|these|those|its|our|their|each|every)\s+$", re.IGNORECASE
)


def _names_ok(rule: Rule, m: re.Match[str], names: KnownNames, sents: _Sentences) -> bool:
    for key, value in m.groupdict().items():
        if not value or not key.startswith("name"):
            continue
        start = m.start(key)
        if not names.knows(value) and _THING_BEFORE.search(sents.text, max(0, start - 8), start):
            return False
        initial = not _LETTER.search(sents.text, sents.around(start)[0], start) or bool(
            _LABEL_BEFORE.search(sents.text, max(0, start - 4), start)
        )
        if not names.accepts(value, rule.names, sents.rules, initial=initial):
            return False
    return True


def _regions(rule: Rule, sents: _Sentences, use_triggers: bool) -> Iterator[tuple[int, int]]:
    """Where to run a rule: the whole text, or only the sentences holding its keywords and
    its trigger (a match of its regex or one of its trigger words)."""
    trigger, words = rule.trigger, rule.trigger_words
    if not use_triggers or (trigger is None and words is None and rule.keywords is None):
        yield from sents.spans()
        return
    text = sents.text
    worded: set[int] | frozenset[int] = frozenset()
    if words is not None:
        worded = set(sents.keyword_sentences(words))
    if rule.keywords is not None:
        for i in sents.keyword_sentences(rule.keywords):
            start, end = sents.sentence(i)
            if (trigger is None and words is None) or i in worded or (
                trigger is not None and trigger.search(text, start, end)
            ):
                yield start, end
        return
    ids = set(worded)
    if trigger is not None:
        bounds = sents.bounds
        ids.update(bisect_right(bounds, t.start()) for t in trigger.finditer(text))
    for i in sorted(ids):
        yield sents.sentence(i)


def find_hits(
    rules: RuleSet, doc: Prose, names: KnownNames, *, use_triggers: bool = True
) -> list[Hit]:
    """All accepted matches; within a category, overlapping matches are reported once.

    ``use_triggers=False`` runs every rule over the whole text (slow; for testing triggers).
    """
    sents = _Sentences(doc, rules)
    text = doc.text
    hits: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for rule in rules.rules:
        regex = rule.regex if rule.regex is not None else names.finder
        if regex is None:
            continue
        for region_start, region_end in _regions(rule, sents, use_triggers):
            pos = region_start
            while (m := regex.search(text, pos, region_end)) is not None:
                if m.end() == m.start():
                    pos = m.end() + 1
                    continue
                ok = _accept(rule, m, sents) and (
                    rule.regex is None or _names_ok(rule, m, names, sents)
                )
                if not ok:
                    pos = m.start() + 1
                    continue
                pos = m.end()
                segment = doc.segment_at(m.start())
                if segment.people_table and (rule.regex is None or rule.category == NAMED):
                    continue
                spans = taken.setdefault(rule.category, [])
                if any(a < m.end() and m.start() < b for a, b in spans):
                    continue
                spans.append(m.span())
                hits.append(Hit(rule, m.start(), m.end(), segment))
    if names.finder is not None:
        names.finder.forget()
    hits.sort(key=lambda h: (h.start, h.rule.id))
    return hits
