"""An article's title and text as the extractors read them: one spelling, cut into sentences.

Typographic quotes and dashes get one spelling, so patterns need not list every variant;
sentences bound every context window, so a cue in one sentence never colours a figure in
the next. The title is a sentence of its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from monitor.facts.numbers import Group, quantities

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": " - ", "\u2015": " - ", "\u2212": "-", "\u00a0": " ",
                         "\u202f": " ", "\u2009": " ", "\u200b": ""})
# A full stop ends a sentence unless it closes one of these abbreviations.
_ABBREVIATIONS = frozenset(
    """u.s u.k u.s.a u.n e.u inc corp co ltd plc mr mrs ms dr prof st no vs etc approx est
    jan feb mar apr jun jul aug sep sept oct nov dec gov sen rep gen wis calif tex fla ga
    ariz mich penn ore wash ill ind ky va n.c s.c n.y n.j mass conn colo minn tenn okla
    la ala miss mo neb nev""".split()
)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$€£])|\n+")
_LAST_WORD = re.compile(r"([\w.]+)\.$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article; `index` 0 is the title when there is one."""

    text: str
    index: int
    is_title: bool = False
    # Read once: power, money and counts all look at the same numbers.
    numbers: tuple[Group, ...] = field(default=(), compare=False)


def clean(text: str) -> str:
    """One spelling of quotes, dashes and spaces; no control characters."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _CONTROL.sub(" ", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph text; a full stop after an abbreviation does not end one."""
    out: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        piece = text[start:boundary.start()]
        last = _LAST_WORD.search(piece)
        if last and last.group(1).lower() in _ABBREVIATIONS and "\n" not in boundary.group():
            continue
        out.append(piece)
        start = boundary.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def sentences(title: str, text: str) -> list[Sentence]:
    """The title (if any) then the text's sentences, cleaned."""
    out: list[Sentence] = []
    if title.strip():
        out.append(_sentence(" ".join(clean(title).split()), 0, is_title=True))
    for piece in split_sentences(clean(text)):
        out.append(_sentence(" ".join(piece.split()), len(out)))
    return out


def _sentence(text: str, index: int, is_title: bool = False) -> Sentence:
    return Sentence(text, index, is_title, quantities(text))
