"""Split news text into sentences: abbreviations, numbers, quotes, brackets, ellipses.

Works on normal and on all-lower-case text (some corpora and feeds lower-case
everything), with or without paragraph breaks. Pure: text in, spans out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text (whitespace collapsed) and where it sits in the source."""

    text: str
    start: int
    end: int

    @property
    def complete(self) -> bool:
        """True when it ends like a sentence, not a headline, caption or cut-off."""
        return is_complete(self.text)


def is_complete(text: str) -> bool:
    """True when `text` ends with a sentence mark (then perhaps closing quotes or brackets)."""
    return _COMPLETE.search(text) is not None and text[:1] not in (",", ";", ":")


# Titles and the like that are never the last word of a sentence.
_NEVER_FINAL = frozenset(
    """mr mrs ms dr prof st sen sens rep reps gov gen col lt sgt capt cmdr adm maj rev hon
    pres supt insp det mt ft jan feb mar apr jun jul aug sep sept oct nov dec vs v e.g i.e
    cf approx est dept univ assn
    """.split()
)
# Abbreviations that stand before a number ("No. 1", "Fig. 3"); otherwise a plain word.
_BEFORE_NUMBER = frozenset("no nos fig figs vol ch pp p para art sec".split())
# Abbreviations that may end a sentence; we split after them only before a typical opener.
_MAYBE_FINAL = frozenset(
    """inc corp ltd co jr sr plc llc bros etc al u.s u.k u.n e.u a.m p.m d.c n.y l.a u.s.a
    ph.d b.a m.a
    """.split()
)
# Words that commonly open a sentence, used where the case of the next word is not enough.
_OPENERS = frozenset(
    """the a an it its he she they we i you his her their our this that these those there in
    on at for but and so yet as if when while after before since however meanwhile last
    earlier later then now some many most all one two three four five according analysts
    officials shares
    """.split()
)
# Sentence end: terminal marks, then closing quotes or brackets, then whitespace.
_END = re.compile(r"(\.{3,}|…|[.!?]+)([\"'”’)\]»]*)(\s+)")
_COMPLETE = re.compile(r"(?:[.!?]|…)[\"'”’)\]»]*$")
_BLOCK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")
_NEXT_WORD = re.compile(r"[\"“‘'(]*([\w’']+)")
_SPACE = re.compile(r"\s+")
# A lower-case word, then a capitalised opener and a lower-case word: a missing full stop.
# ("restaurant The Royal China Club" and "consultant Dr Ram" stay whole.)
_RUN_ON = re.compile(
    r"\b([a-z][a-z’']{2,}) (?=(?:The|In|His|Her|Their|Its|It|He|She|They|This|These|Some|But"
    r"|After|When) [a-z])"
)
# Words after which a capitalised opener is still the same sentence ("told The Times").
_GLUE = frozenset(
    """the and but or nor of in on at by for from with to into onto via than as that about
    said says told tells wrote writes reads read reported according called named titled
    dubbed starring watch see saw like whether shouted added asked
    """.split()
)
# A line ending like this runs on: a wrapped line, not a heading.
_OPEN_LINE = re.compile(r"(?:[.!?…,;:\-–—(\"“]|\b(?:and|or|of|the|a|to|in|for|with))$")
_HEADING_MAX = 70
_LIST_ITEM = re.compile(r"[ \t]*(?:[•·▪◦‣*–—-]|\d{1,2}[.)])[ \t]+")
_BRACKET_REACH = 250


def is_lower_cased(text: str) -> bool:
    """True when the text was lower-cased wholesale, so case cannot mark sentence starts."""
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    return letters > 0 and upper <= letters * 0.002


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences in order; blank lines and short unpunctuated lines end one."""
    lower = is_lower_cased(text)
    out: list[Sentence] = []
    for start, end in _lines_and_blocks(text):
        out.extend(_split_block(text, start, end, lower))
    return out


def _lines_and_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs; a short line without a final mark (a heading) is its own span."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in [*_BLOCK.finditer(text), None]:
        stop = match.start() if match else len(text)
        spans.extend(_split_headings(text, pos, stop))
        pos = match.end() if match else len(text)
    return spans


def _split_headings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a paragraph before list items and around headings; other line breaks are spaces."""
    spans: list[tuple[int, int]] = []
    line_start = start
    while (newline := text.find("\n", line_start, end)) >= 0:
        if _is_heading(text[line_start:newline], text[newline + 1 : newline + 2]):
            spans.extend([(start, line_start), (line_start, newline)])
            start = newline + 1
        elif _LIST_ITEM.match(text, newline + 1, end):
            spans.append((start, newline))
            start = newline + 1
        line_start = newline + 1
    spans.append((start, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _is_heading(line: str, next_char: str) -> bool:
    """A short line with no final mark, followed by a line that starts afresh."""
    line = line.strip()
    fresh = not next_char.islower() or is_lower_cased(line)
    return 0 < len(line) <= _HEADING_MAX and fresh and not _OPEN_LINE.search(line)


def _split_block(text: str, start: int, end: int, lower: bool) -> list[Sentence]:
    out: list[Sentence] = []
    piece_start = start
    for match in _END.finditer(text, start, end):
        depth = _depth(text, piece_start, match.end(2))
        if depth <= 0 and _is_boundary(text, match, piece_start, end, lower):
            _append(out, text, piece_start, match.end(2), lower)
            piece_start = match.end()
    _append(out, text, piece_start, end, lower)
    return out


def _append(out: list[Sentence], text: str, start: int, end: int, lower: bool) -> None:
    if not lower:
        # Scraped news runs photo captions into the text with no full stop:
        # "... camouflaged in woodland In many of the pictures ...". Cut them off.
        for match in _RUN_ON.finditer(text, start, end):
            if match.group(1).lower() not in _GLUE:
                _append_one(out, text, start, match.end(1))
                start = match.end()
    _append_one(out, text, start, end)


def _append_one(out: list[Sentence], text: str, start: int, end: int) -> None:
    raw = text[start:end]
    stripped = raw.strip()
    if not stripped:
        return
    lead = len(raw) - len(raw.lstrip())
    begin = start + lead
    out.append(Sentence(_SPACE.sub(" ", stripped), begin, begin + len(stripped)))


def _depth(text: str, start: int, end: int) -> int:
    """Open round brackets before `end`; a boundary inside brackets is not one."""
    # A stray "(" must not glue the rest of a paragraph together, so look back a little only.
    chunk = text[max(start, end - _BRACKET_REACH) : end]
    return chunk.count("(") - chunk.count(")")


def _is_boundary(text: str, m: re.Match[str], start: int, end: int, lower: bool) -> bool:
    """Decide whether the terminal mark in `m` ends a sentence."""
    mark, closers = m.group(1), m.group(2)
    after = text[m.end() : min(end, m.end() + 40)]
    if not after:
        return True
    nxt = after[0]
    word_before = _word_before(text, start, m.start())
    if mark in ("...", "…") or (len(mark) > 3 and set(mark) == {"."}):
        return _ellipsis_boundary(nxt, lower)
    if mark[-1] in "!?" and closers and nxt.islower():
        return False  # '"Why?" she asked.' — the quote is part of the sentence
    if nxt.islower() and not lower:
        return False
    if mark == "." and not closers:
        return _after_period(word_before, after, lower)
    return True


def _ellipsis_boundary(nxt: str, lower: bool) -> bool:
    # In lower-cased text an ellipsis gives no clue; keeping the text together is safer.
    return not lower and (nxt.isupper() or nxt in "\"“‘'(")


def _after_period(word_before: str, after: str, lower: bool) -> bool:
    """A period after `word_before`: abbreviation, initial or a real end?"""
    key = word_before.lower().rstrip(".")
    next_word = _NEXT_WORD.match(after)
    opener = next_word is not None and next_word.group(1).lower() in _OPENERS
    if key in _BEFORE_NUMBER:
        return not after[:1].isdigit()  # "No. 1", "Fig. 3", but "He said no. The vote ..."
    if key in _NEVER_FINAL:
        return False
    if key in _MAYBE_FINAL or _is_initials(key):
        return opener
    if len(key) == 1 and key.isalpha():
        return opener and not lower  # "J. K. Rowling"; a lone letter rarely ends a sentence
    return True


def _is_initials(word: str) -> bool:
    """Dotted initials such as "u.s" or "j.r.r" (the final dot already removed)."""
    parts = word.split(".")
    return len(parts) > 1 and all(len(p) == 1 and p.isalpha() for p in parts)


def _word_before(text: str, start: int, end: int) -> str:
    # Only the last few characters matter; searching the whole piece would be quadratic.
    match = _WORD_BEFORE.search(text, max(start, end - 40), end)
    return match.group(1) if match else ""
