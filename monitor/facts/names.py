"""Finding names in a sentence: words, runs of capitalised words, and gazetteer look-ups.

Names are compared the way a reader (and the judge in the guidelines) compares them: case
aside, without a trailing "Inc." or "Corp.", spaces, hyphens and dots inside a name
ignored ("Euro HPC" = "EuroHPC", "U.S." = "US"), and a name that is a whole-word part of
another ("Nvidia", "Nvidia Corporation") taken as the same organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

_TOKEN = re.compile(r"[^\W_]+(?:[&.+][^\W_]+)*\.?")
_LEGAL = re.compile(r"(?:[\s,]+(?:inc|corp|corporation|co|ltd|limited|llc|plc|ag|sa|se|nv|"
                    r"gmbh|group|holdings|asa|ab|oyj|oy|spa|s\.p\.a|bv|kk|pte|pty|sas|srl|"
                    r"kgaa)\.?)+$", re.IGNORECASE)
# Capitalised only because they open a sentence or a headline word: never a name's start.
FUNCTION_WORDS = frozenset(
    """a an the this that these those it its they their them he she his her we our you in on
    at for from to of by with as after before while since during under over about and but or
    so yet also however both each other another some many most several such if when where
    which who what why how there here today according despite although though instead still
    then now thus new why inside meet how will can could would should may might must is are
    was were be has have had do does did not no all any more than into out up down off amid
    via per""".split()
)
# The field's own vocabulary: capitalised in headlines, yet no organisation's name alone.
GENERIC_WORDS = frozenset(
    """ai artificial intelligence data center centre centers centres datacenter datacentre
    datacenters cloud global infrastructure digital energy power capital partners partnership
    technology technologies tech group holdings systems labs networks computing compute
    services solutions management fund investment investments initiative mission ventures
    research centre international national american european asian chinese us uk eu big
    new first largest supercomputer supercomputers gigafactory gigafactories factory factories
    campus hub project chip chips gpu gpus semiconductor semiconductors company companies
    deal deals billion million gigawatt gigawatts plan plans era boom race market markets
    stock stocks shares inc corp ltd llc the public private""".split()
)


class Token(NamedTuple):
    """A word: as written, where, its look-up key, and whether it is capitalised as a name."""

    text: str
    start: int
    end: int
    key: str
    capitalised: bool


def tokens(text: str) -> list[Token]:
    """Words of a sentence; "AT&T", "U.S." and "E.ON" stay whole, hyphens split words."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        first = word[0]
        capitalised = first.isupper() or (first.isdigit() and not word.isdigit()
                                          and any(c.isalpha() for c in word))
        out.append(Token(word, m.start(), m.end(), word.rstrip(".").lower(), capitalised))
    return out


def key_of(name: str) -> str:
    """The look-up key of a name: its words, lower case, single-spaced."""
    return " ".join(t.key for t in tokens(name))


@dataclass(frozen=True, slots=True)
class Found:
    """A gazetteer name found at tokens [first, last)."""

    name: str   # the entry's reported name
    first: int
    last: int


class Gazetteer:
    """Names of one kind; each entry is (reported name, other names...)."""

    def __init__(self, entries: Iterable[Sequence[str]], as_written: bool = False) -> None:
        self._names: dict[str, tuple[str, str]] = {}
        self._longest: dict[str, int] = {}  # first word -> most words of a name it starts
        self.as_written = as_written  # report the text's own words, not the entry's name
        for entry in entries:
            for surface in entry:
                key = key_of(surface)
                self._names.setdefault(key, (entry[0], surface))
                first, size = key.split(" ")[0], key.count(" ") + 1
                self._longest[first] = max(self._longest.get(first, 0), size)

    def __contains__(self, name: str) -> bool:
        return key_of(name) in self._names

    def has_words(self, words: Sequence[Token]) -> bool:
        """Whether these words, as a whole, are a name of this gazetteer."""
        return " ".join(w.key for w in words) in self._names

    def may_start(self, word: Token) -> bool:
        """Whether a name could start at this word (cheap test before `find`)."""
        return word.key in self._longest

    def canonical(self, name: str) -> str | None:
        hit = self._names.get(key_of(name))
        return hit[0] if hit else None

    def find(self, words: Sequence[Token], at: int, text: str) -> Found | None:
        """The longest name starting at word `at`, capitalised as a name, or None."""
        longest = self._longest.get(words[at].key)
        if longest is None:
            return None
        for size in range(min(longest, len(words) - at), 0, -1):
            hit = self._names.get(" ".join(w.key for w in words[at:at + size]))
            if hit is None:
                continue
            written = text[words[at].start:words[at + size - 1].end].rstrip(".")
            if not (words[at].capitalised or written == hit[1].rstrip(".")):
                continue
            name = " ".join(written.split()) if self.as_written else hit[0]
            return Found(name, at, at + size)
        return None


def capitalised_run(words: Sequence[Token], at: int, text: str, limit: int = 5) -> int:
    """The end of the run of capitalised words at `at` ("of" may join them); punctuation
    between two words ends the run."""
    end = at
    while end < len(words) and end - at < limit:
        word = words[end]
        if end > at and text[words[end - 1].end:word.start].strip():
            break
        joins = word.text == "of" and end > at and end + 1 < len(words) and \
            words[end + 1].capitalised  # "Bank of America"
        if not (joins or (word.capitalised and word.key not in FUNCTION_WORDS)):
            break
        end += 1
    while end > at and words[end - 1].text == "of":
        end -= 1
    return end


def short_name(name: str) -> str:
    """"Microsoft Corp." -> "Microsoft"; "Nebius Group" -> "Nebius"."""
    stripped = _LEGAL.sub("", name).strip(" ,")
    return stripped or name


def comparable(name: str) -> str:
    """The judge's form of a name: lower case, no legal suffix, no spaces, hyphens or dots."""
    text = re.sub(r"^the\s+", "", name.strip().lower())
    text = _LEGAL.sub("", text)
    return re.sub(r"[\s.\-]+", "", text)


def _words_of(name: str) -> list[str]:
    text = re.sub(r"^the\s+", "", name.strip().lower())
    return [w for w in re.split(r"[\s\-]+", _LEGAL.sub("", text).replace(".", "")) if w]


def same_name(a: str, b: str) -> bool:
    """Equal as the judge compares, or one a whole-word part of the other."""
    if comparable(a) == comparable(b):
        return True
    wa, wb = _words_of(a), _words_of(b)
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return bool(short) and any(long_[i:i + len(short)] == short
                               for i in range(len(long_) - len(short) + 1))
