"""Where the site or programme is: gazetteer places and places the text marks as such.

A place counts where the story puts something: "in Texas", "Abilene, Texas", "Boone
County", "the state of Andhra Pradesh". It does not count where it only names a
company's home ("Abu Dhabi-based G42", "South Korea's SK Hynix", "MGX of Abu Dhabi"),
a government ("the US government", "Washington said"), a rival ("to compete with the US
and China"), where money comes from ("capital from the UAE"), or a summit's venue.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from monitor.facts.counts import CHIP
from monitor.facts.names import FUNCTION_WORDS, GENERIC_WORDS, Token, capitalised_run, comparable
from monitor.facts.places import (
    ACRONYMS,
    CONTINENTS,
    METONYMS,
    PLACE_SUFFIXES,
    STATE_ABBREVIATIONS,
    STATES,
)
from monitor.facts.text import Sentence
from monitor.facts.who import COMPANIES, PLACES

_EVENT = re.compile(r"\b(?:summit|conference|forum|expo|convention|trade show|congress|"
                    r"world economic|davos)\b", re.IGNORECASE)
_PREPOSITION = re.compile(r"\b(?:in|to|on|across|throughout|within|into|at|inside|around|"
                          r"near|for)\s+(?:the\s+)?$", re.IGNORECASE)
_NEAR = re.compile(r"\b(?:in|near|at|around|outside)\s+$", re.IGNORECASE)
_NOT_SITE_BEFORE = re.compile(
    r"\b(?:outside(?: of)?|from|headquartered in|based in|home to)\s+(?:the\s+)?"
    r"(?:[A-Z][\w.]*\s*(?:,|and)\s+(?:the\s+)?)*$"  # "from the US and Canada"
    r"|\b(?!(?:Republic|Kingdom|State|City|County|Province|University)\b)[A-Z][\w.]* of\s+$")
# An acronym followed by a word other than these opens a noun phrase ("US chipmakers").
_ADJECTIVE = re.compile(
    r"^(?:-|\s+)(?!(?:and|or|is|are|was|were|has|have|had|will|would|could|can|said|says|in|"
    r"on|at|for|to|by|with|from|as|since|after|before|this|last|next|over|under|into)\b)"
    r"[A-Za-z]", re.IGNORECASE)
_GOVERNMENT = re.compile(
    r"^(?:'s)?\s+(?:government|govt|administration|officials?|authorities|lawmakers|"
    r"legislators|regulators|president|commerce|department|military|senate|congress|"
    r"ministry|minister|embassy|trade|policy)\b", re.IGNORECASE)
_COMPARISON = re.compile(
    r"\b(?:compet\w*|rival\w*|match|catch up|dominated|compared|than|versus|vs|against|"
    r"size of|between|ahead of|behind|lead over|leader)\b", re.IGNORECASE)
_SITE = re.compile(r"\b(?:data[\s-]?cent\w*|datacent\w*|campus\w*|facilit\w*|sites?|cluster|"
                   r"supercomputer|plant|hub|factor\w*|fab|built|build\w*|located|construct\w*|"
                   r"project|gigafactor\w*|reactor|farm)\b", re.IGNORECASE)
_AREA_OF = re.compile(r"\b(?:state|province|city|town|village|county|region|emirate|"
                      r"kingdom) of\s+$", re.IGNORECASE)
_DATELINE = re.compile(r"^(?:[A-Z][A-Z .,'-]{2,40} - |[A-Z][\w .'-]{1,30} \[[^\]]{1,30}\],?)")
_NOT_PLACE = frozenset("""january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday""".split())
_CAMEL = re.compile(r"[a-z][A-Z]")
_HARDWARE = frozenset({"gpu", "gpus", "tpu", "tpus", "chip", "chips", "accelerators"})
_WINDOW = 50


def places_in(sentence: Sentence, words: Sequence[Token], taken: Collection[int],
              companies_at: Collection[int]) -> list[str]:
    """Places a sentence puts the story in; `taken` are words inside organisation names."""
    text = sentence.text
    if _EVENT.search(text):
        return []
    skip = _dateline_end(sentence)
    out: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        if at in taken or word.start < skip or not (word.capitalised or PLACES.may_start(word)):
            at += 1
            continue
        found = PLACES.find(words, at, text)
        if found is not None:
            if _counts(text, words, found.first, found.last, companies_at):
                out.append(found.name)
            at = found.last
            continue
        end = capitalised_run(words, at, text, limit=3)
        marked = _marked_place(sentence, words, at, end, taken)
        out += marked
        at = end if marked else at + 1
    return out


def _dateline_end(sentence: Sentence) -> int:
    found = _DATELINE.match(sentence.text) if sentence.index <= 1 else None
    return found.end() if found else 0


def _counts(text: str, words: Sequence[Token], first: int, last: int,
            companies_at: Collection[int]) -> bool:
    start, end = words[first].start, words[last - 1].end
    before, after = text[:start], text[end:]
    name = text[start:end].rstrip(".")
    if after.startswith("$"):
        return False  # "US$10 billion"
    if name in METONYMS and not _NEAR.search(before):
        return False
    if words[first].key in ACRONYMS and last - first == 1 and _ADJECTIVE.match(after):
        return False  # "US government", "UAE-US campus": an adjective, not a place
    if _GOVERNMENT.match(after):
        return False  # "the United States government": who decides, not where
    if after.startswith("'s") and last < len(words) and _company_follows(words, last,
                                                                          companies_at):
        return False  # "South Korea's SK Hynix": the company's home
    return _site_context(text, start, end)


def _company_follows(words: Sequence[Token], last: int, companies_at: Collection[int]) -> bool:
    nxt = last + 1 if last + 1 < len(words) and words[last].key == "s" else last
    return nxt in companies_at


def _site_context(text: str, start: int, end: int) -> bool:
    """Not a home, an origin, a rival or a company's seat."""
    before = text[max(0, start - _WINDOW):start]
    if _NOT_SITE_BEFORE.search(before) or re.match(r"^-based\b", text[end:]):
        return False
    clause = re.split(r"[,;:]", before)[-1]
    return not _COMPARISON.search(clause)


def _marked_place(sentence: Sentence, words: Sequence[Token], at: int, end: int,
                  taken: Collection[int]) -> list[str]:
    """A place the text marks: "<town>, <state>", "<name> County", "in <town>"."""
    text = sentence.text
    if end <= at or any(i in taken for i in range(at, end)) or not _plausible(words[at:end]):
        return []
    start, stop = words[at].start, words[end - 1].end
    name = text[start:stop].rstrip(".")
    if not _site_context(text, start, stop):
        return []
    for index in range(at + 1, end):
        if words[index].text.rstrip(".") in PLACE_SUFFIXES:  # "Boone County", "Richland Parish"
            return [text[start:words[index].end].rstrip(".")]
    state = _state_after(text, stop)
    if state:
        return [name, state] if state not in (name,) else [name]
    before = text[:start]
    if _AREA_OF.search(before) or (not sentence.is_title and re.search(r"\bin\s+$", before)
                                   and not any(PLACES.may_start(w) for w in words[at:end])
                                   and _SITE.search(text)
                                   and end - at <= 3 and not _followed_by_name(text, stop)):
        return [name]
    return []


def _plausible(run: Sequence[Token]) -> bool:
    keys = [w.key for w in run]
    if any(_CAMEL.search(w.text) and not w.text.startswith(("Mc", "Mac", "De", "La", "Le"))
           for w in run) or any(CHIP.fullmatch(w.text.rstrip(".")) or w.key in _HARDWARE
                                for w in run):
        return False  # "ChatGPT", "CoreWeave", "Blackwell": products and companies, not towns
    return keys[0] not in FUNCTION_WORDS and run[0].text.rstrip(".") not in PLACE_SUFFIXES \
        and not any(k in _NOT_PLACE for k in keys) \
        and not all(k in GENERIC_WORDS for k in keys) \
        and not any(k.isupper() for k in (w.text for w in run)) \
        and not COMPANIES.has_words(run)


def _followed_by_name(text: str, stop: int) -> bool:
    return re.match(r"^'s\s", text[stop:]) is not None


def _state_after(text: str, stop: int) -> str | None:
    """"Childress, Texas", "Racine, Wis.", "Julich, Germany": the state or country named."""
    found = re.match(r"^,\s+([A-Z][\w.]*(?:\s[A-Z][\w.]*)?)", text[stop:])
    if found is None:
        return None
    for candidate in (found.group(1), found.group(1).split()[0]):
        bare = candidate.rstrip(".")
        if bare in STATE_ABBREVIATIONS:
            return STATE_ABBREVIATIONS[bare]
        if bare in STATES or (bare in PLACES and PLACES.canonical(bare) not in STATES
                              and len(bare) > 3):
            return bare
    return None


def distinct(names: Sequence[str]) -> list[str]:
    """Names in order of first mention, each once (as the judge compares them)."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = comparable(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def most_specific(names: Sequence[str]) -> list[str]:
    """Without continents when a country, state or town is named: "Asia" beside "India"
    says nothing about where the site is."""
    if all(PLACES.canonical(n) in CONTINENTS for n in names):
        return list(names)
    return [n for n in names if PLACES.canonical(n) not in CONTINENTS]
