"""The organisations in a story: gazetteer names, and names the text marks as organisations.

Beyond the gazetteer, a run of capitalised words counts as an organisation when the text
says so: a suffix ("Blue Owl Capital", "E2E Networks", "Acme Inc."), a descriptor before
or after it ("the chipmaker X", "X, a cloud provider"), a list introduced by one ("firms
such as X, Y and Z"), or a role ("a deal with X", "agreed to acquire X"). A mention that
only describes another company ("an Nvidia supplier", "spun off from X", "unlike rival
X"), an outlet, or an agency that only regulates, is not counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.facts import companies, places
from monitor.facts.names import (
    FUNCTION_WORDS,
    GENERIC_WORDS,
    Gazetteer,
    Token,
    capitalised_run,
    same_name,
    short_name,
)
from monitor.facts.text import Sentence

COMPANIES = Gazetteer(companies.entries())
PLACES = Gazetteer(places.entries(), as_written=True)
ORG_SUFFIXES = frozenset(
    """inc corp corporation co ltd limited llc plc ag sa se nv gmbh group holdings capital
    partners partnership ventures fund energy power networks communications technologies
    systems labs computing infrastructure mining digital semiconductor electric mission
    initiative centre center services management investments datacenters asa ab oy oyj spa
    bv kk pte pty sas srl kgaa""".split()
)
# Nationalities open phrases like "the French government"; they name no organisation.
DEMONYMS = frozenset("""american british english french german dutch belgian spanish italian
portuguese irish scottish swiss austrian swedish norwegian danish finnish polish czech
european chinese japanese korean taiwanese indian pakistani saudi emirati qatari israeli
turkish russian ukrainian canadian mexican brazilian australian african nigerian kenyan
egyptian malaysian singaporean indonesian thai vietnamese filipino""".split())
_INSTITUTION_AFTER = re.compile(r"^(?:'s)?\s+(?:government|administration|state|ministry|"
                                r"officials?|authorities|regulators?|lawmakers|military|"
                                r"president|prime minister|parliament|court)\b",
                                re.IGNORECASE)
_DESCRIPTORS = frozenset(
    """company companies firm firms startup provider providers operator operators developer
    developers maker makers chipmaker chipmakers giant giants specialist miner miners utility
    utilities manager investor investors lender lenders hyperscaler hyperscalers neocloud
    neoclouds supplier suppliers venture ventures conglomerate builder builders designer
    designers group groups consortium coalition partners players names vendors backers
    members""".split()
)
_LIST_KEY = re.compile(r"\b(?:such as|including|like|led by)\s|:\s|\s-\s")
_ROLE = re.compile(
    r"\b(?:(?:deal|agreement|partnership|pact|contract|collaboration|alliance|joint venture|"
    r"tie-up|talks|venture) with|acquir(?:e|es|ed|ing)|acquisition of|takeover of|buy(?:s|ing)?|"
    r"bought|stake in|investment in|backed by|funded by|financed by|led by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PASSING_BEFORE = re.compile(
    r"\b(?:supplier(?:s)?(?: of [\w-]+(?: [\w-]+)?)? to|"
    r"spun (?:off|out) (?:of|from)(?: [\w-]+){0,3}|"
    r"unlike|rivals?|competitors?(?: to| of)?|compete with|competing with|alternative to|"
    r"according to|told|analysts? at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PASSING_AFTER = re.compile(r"(?:'s)?[\s-]+(?:supplier|suppliers|rival|rivals|analysts?)\b",
                            re.IGNORECASE)
_APPOSITIVE = re.compile(r"^,\s+(?:a|an|the)\s+(?:[\w'-]+\s+){0,6}?(?P<noun>[\w-]+)"
                         r"(?=\s*(?:[,.;)]|$|\s+(?:that|which|based|backed|with|in|and)\b))")
_MARKET = re.compile(r"\b(?:shares?|stocks?|Nasdaq|NYSE|ETF|index|rally|momentum|"
                     r"market cap\w*|traded|trading)\b|\b(?:up|down|rose|fell|gained|lost|"
                     r"jumped|slipped|climbed|dropped)\b[^.;]{0,30}\d%", re.IGNORECASE)
# A sentence that also reports a deal is about the deal, whatever the shares did.
_BUSINESS = re.compile(r"\b(?:deals?|agreements?|contracts?|invest\w*|partner\w*|acqui\w+|"
                       r"build\w*|stake|pact|supply|supplies|buy\w*|spend\w*)\b",
                       re.IGNORECASE)
_LAST_WORD = re.compile(r"([\w-]+)\s+$")
_CONTEXT = 120  # characters either side of a name that its cues are looked for in
_PERSON_TITLES = frozenset("""ceo chief president chancellor secretary minister rep sen mr ms
mrs dr professor director chairman chairwoman founder analyst governor mayor""".split())


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    first: int  # word indexes in the sentence
    last: int
    counted: bool = True
    market: bool = False  # in a sentence about share prices, not about the project


def companies_in(found: Sequence[tuple[Sentence, Sequence[Mention]]]) -> list[str]:
    """Organisations of the story, first mention first, one name each.

    A company named only where share prices move ("Nvidia (NVDA) was down 1%") and not in
    the title is the market's backdrop, not part of the story.
    """
    story: list[str] = []
    for sentence, sentence_mentions in found:
        for m in sentence_mentions:
            if not m.counted or (m.market and not sentence.is_title):
                continue
            if not any(same_name(m.name, n) for n in story):
                story.append(m.name)
    return story


def mentions(sentence: Sentence, words: Sequence[Token]) -> list[Mention]:
    """Every organisation named in a sentence (its `words`), and whether each mention counts."""
    text = sentence.text
    out: list[Mention] = []
    at = 0
    while at < len(words):
        if not (words[at].capitalised or COMPANIES.may_start(words[at])):
            at += 1
            continue
        found = COMPANIES.find(words, at, text)
        if found is not None:
            out.append(_judged(Mention(found.name, found.first, found.last), words, text))
            at = found.last
            continue
        end = capitalised_run(words, at, text)
        name = _pattern_name(words, at, end, text, sentence.is_title) if end > at else None
        if name is not None:
            end = _trim_at_gazetteer(words, at, end, text)
            out.append(_judged(Mention(name, at, end), words, text))
            at = end
        else:
            at += 1
    if out and _MARKET.search(text) and not _BUSINESS.search(text):
        out = [Mention(m.name, m.first, m.last, m.counted, market=True) for m in out]
    return out


def _pattern_name(words: Sequence[Token], at: int, end: int, text: str,
                  is_title: bool) -> str | None:
    """A run of capitalised words the text marks as an organisation, trimmed to it."""
    end = _trim_at_gazetteer(words, at, end, text)
    if end <= at or not _plausible(words[at:end]):
        return None
    name = text[words[at].start:words[end - 1].end].rstrip(".")
    if name.lower() in companies.NOT_COMPANIES or PLACES.has_words(words[at:end]):
        return None
    before = text[max(0, words[at].start - _CONTEXT):words[at].start]
    after = text[words[end - 1].end:words[end - 1].end + _CONTEXT]
    if _INSTITUTION_AFTER.match(after):
        return None  # "the Trump administration", "the Indian government"
    marked = (
        (not is_title and _has_suffix(words[at:end]))
        or _descriptor_before(before)
        or _appositive(after)
        or (_in_list(before) and not after.startswith("'s"))
        or (_ROLE.search(before) is not None and not _looks_like_person(words[at:end]))
    )
    return short_name(name) if marked else None


def _trim_at_gazetteer(words: Sequence[Token], at: int, end: int, text: str) -> int:
    """A run stops where a known company starts ("Bank X Nvidia" -> "Bank X")."""
    for index in range(at + 1, end):
        if COMPANIES.find(words, index, text) is not None:
            return index
    return end


def _plausible(run: Sequence[Token]) -> bool:
    keys = [w.key for w in run]
    if keys[0] in FUNCTION_WORDS or keys[0] in _PERSON_TITLES or \
            (len(keys) == 1 and keys[0] in DEMONYMS):
        return False
    return any(k not in GENERIC_WORDS and k not in ORG_SUFFIXES and k not in _DESCRIPTORS
               for k in keys)


def _has_suffix(run: Sequence[Token]) -> bool:
    return len(run) >= 2 and run[-1].key in ORG_SUFFIXES


def _descriptor_before(before: str) -> bool:
    word = _LAST_WORD.search(before)
    return word is not None and word.group(1).lower() in _DESCRIPTORS


def _appositive(after: str) -> bool:
    found = _APPOSITIVE.match(after)
    return found is not None and found.group("noun").lower() in _DESCRIPTORS


def _in_list(before: str) -> bool:
    """"firms such as A, B and C": items of a list that a descriptor introduces."""
    keys = list(_LIST_KEY.finditer(before))
    if not keys:
        return False
    head = re.findall(r"[\w-]+", before[:keys[-1].start()])[-4:]
    if not any(w.lower() in _DESCRIPTORS for w in head):
        return False
    tail = before[keys[-1].end():]
    items = re.findall(r"[\w&.-]+", tail)
    return all(any(c.isupper() or c.isdigit() for c in w) or w.lower() in ("and", "s", "of")
               for w in items) and (not items or re.search(r"(?:,|\band)\s*$", tail) is not None)


def _looks_like_person(run: Sequence[Token]) -> bool:
    """"Sam Altman", "Jensen Huang": two plain capitalised words, neither a known name."""
    return len(run) == 2 and all(w.text.isalpha() and w.text[1:].islower() for w in run) \
        and not any(w.key in ORG_SUFFIXES for w in run)


def _judged(mention: Mention, words: Sequence[Token], text: str) -> Mention:
    """The mention, marked not counted when it only describes or reports."""
    start, end = words[mention.first].start, words[mention.last - 1].end
    passing = _PASSING_BEFORE.search(text, max(0, start - _CONTEXT), start) is not None or \
        _PASSING_AFTER.match(text, end) is not None
    if passing or mention.name.lower() in companies.NOT_COMPANIES:
        return Mention(mention.name, mention.first, mention.last, False, mention.market)
    return mention
