"""Same-story judgement: whether two articles, from any feeds, report one news event.

Articles are compared on their title and lead (the first ~300 characters of summary or
content), normalised so that "$40B" and "$40 billion", "U.S." and "US", "data centre" and
"datacenter" agree (`monitor.fingerprint`). The affinity mixes an IDF-weighted cosine of the
names with one of all terms blended with the cosine of the two texts' sentence vectors
(`monitor.embedding`, when the model is installed: it hears "Nvidia to build AI
supercomputers in the US" in "NVIDIA plans American AI supercomputer production"). The score
then drops when the two state different headline figures ($14B vs $21B, 6 GW vs 10 GW),
different product codes (H20 vs H200) or dates days apart: the marks of a different event
about the same companies. `monitor.digest` clusters with this score, and
`monitor.story_index` finds the posted article a new one repeats (or is news about).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from monitor.embedding import Model, Vectors, load_model
from monitor.fingerprint import Day, Fact, Fingerprint, fingerprint, lead
from monitor.model import Article

WINDOW = timedelta(hours=72)
THRESHOLD = 0.24  # bench/stories.py picks it (dev pairs: P 1.0, R 0.90 from 0.22 to 0.25)
NAME_WEIGHT = 2.0  # names and figures say which event; the other words only what kind
TITLE_WEIGHT = 1.5  # the headline states the event; the lead also carries background
NAME_SHARE = 0.3  # exponent of the names-only cosine in the geometric mix
CONFLICT = 0.15  # below THRESHOLD: one contradicting figure, code or date keeps even copies apart
MISSING = 0.6  # factor when a headline figure of one is absent from the other's text
BLOCK_CAP = 64  # names held by more items than this do not propose candidate pairs alone
TERMS_SHARE = 0.8  # of the terms cosine in its blend with the sentence vectors' agreement
# Sentence-vector cosines of unrelated articles of this field sit near 0.5 (every one is
# about AI compute); agreement counts from there: (cosine - 0.5) / 0.5, clipped to 0..1.
SEMANTIC_BASE = 0.5
NEIGHBOURS = 8  # each article's nearest sentence vectors propose candidate pairs
NEIGHBOUR_FLOOR = 0.7  # ... when their cosine reaches this


class Vocabulary:
    """Document frequencies of terms over a corpus: the batch, plus any history passed in."""

    def __init__(self, prints: Iterable[Fingerprint]) -> None:
        self._df: Counter[str] = Counter()
        self._n = 0
        for p in prints:
            self._df.update(p.terms)
            self._n += 1

    def idf(self, term: str) -> float:
        return math.log((self._n + 1) / (self._df[term] + 1)) + 1.0


@dataclass(frozen=True, slots=True)
class Profile:
    """A fingerprint weighted by a vocabulary, ready for cosines."""

    fingerprint: Fingerprint
    terms: dict[str, float]
    names: dict[str, float]
    terms_norm: float
    names_norm: float
    vector: Any = None  # a unit-length sentence vector (numpy row), or None: lexical only

    @classmethod
    def of(cls, p: Fingerprint, vocabulary: Vocabulary, vector: Any = None) -> Profile:
        terms = {t: vocabulary.idf(t) * _weight(p, t) for t in p.terms}
        names = {t: w for t, w in terms.items() if t in p.names}
        return cls(p, terms, names, _norm(terms), _norm(names), vector)


def semantic_text(article: Article) -> str:
    """What the sentence vector of an article is made from: its title and lead."""
    return f"{article.title}. {lead(article)}"


def profiles(articles: Sequence[Article], *, corpus: Iterable[Article] = (),
             model: Model | None = None) -> tuple[list[Profile], Vectors | None]:
    """Profiles of `articles` weighted over them and `corpus`, with sentence vectors if `model`."""
    prints = [fingerprint(a) for a in articles]
    vocabulary = Vocabulary([*prints, *map(fingerprint, corpus)])
    vectors = model.vectors([semantic_text(a) for a in articles]) if model else None
    rows = vectors.rows if vectors is not None else [None] * len(prints)
    return [Profile.of(p, vocabulary, row) for p, row in zip(prints, rows, strict=True)], vectors


def default_model(semantic: bool = True) -> Model | None:
    """The installed sentence model when `semantic` (None when it is not installed)."""
    return load_model() if semantic else None


def _weight(p: Fingerprint, term: str) -> float:
    weight = NAME_WEIGHT if term in p.names or term[0] in "$W%" else 1.0
    return weight * TITLE_WEIGHT if term in p.title else weight


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def _cosine(a: dict[str, float], b: dict[str, float], norm_a: float, norm_b: float) -> float:
    if not norm_a or not norm_b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(w * large[t] for t, w in small.items() if t in large) / (norm_a * norm_b)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two articles relate: `score` (THRESHOLD and up: one story), and why.

    `affinity` is what they share (names, terms, meaning) before contradictions count;
    `conflicts` names what they state differently ("money", "power", "codes", "dates",
    "published": further apart than the window) and `missing` the kinds of headline figure
    one states and the other's text does not. A story already posted, compared with a new
    article of high affinity whose score falls short through conflicts, is news about it.
    """

    score: float
    affinity: float
    semantic: float = 0.0
    conflicts: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return self.score >= THRESHOLD


def similarity(a: Profile, b: Profile, window: timedelta = WINDOW) -> float:
    """How likely two articles report one event, from 0 to 1 (THRESHOLD and up: same)."""
    if not _within(a.fingerprint.published, b.fingerprint.published, window):
        return 0.0
    return compare(a, b, window).score


def compare(a: Profile, b: Profile, window: timedelta = WINDOW,
            floor: float = 0.0) -> Comparison:
    """The full comparison of two profiles: score, affinity and the contradictions found.

    Below an affinity of `floor` the contradictions are not looked for (the score is 0).
    """
    semantic = _semantic(a, b)
    names = max(_names_cosine(a, b), semantic * semantic)
    if not names:
        return Comparison(0.0, 0.0, semantic)
    terms = _cosine(a.terms, b.terms, a.terms_norm, b.terms_norm)
    blend = terms if a.vector is None or b.vector is None else \
        TERMS_SHARE * terms + (1 - TERMS_SHARE) * semantic
    affinity = math.pow(names, NAME_SHARE) * math.pow(blend, 1 - NAME_SHARE)
    if affinity < floor:
        return Comparison(0.0, affinity, semantic)
    factor, conflicts, missing = _contradiction(a.fingerprint, b.fingerprint, window)
    if not _within(a.fingerprint.published, b.fingerprint.published, window):
        factor, conflicts = 0.0, (*conflicts, "published")
    return Comparison(affinity * factor, affinity, semantic, conflicts, missing)


def _names_cosine(a: Profile, b: Profile) -> float:
    """Cosine of the names; a word opening both headlines ("Nvidia to build ...", "Nvidia
    says ...") counts as a name of both, though a sentence's first word alone makes none."""
    opener = a.fingerprint.opener
    if not opener or opener != b.fingerprint.opener or opener not in a.terms \
            or opener not in b.terms:
        return _cosine(a.names, b.names, a.names_norm, b.names_norm)
    names_a, names_b = {**a.names, opener: a.terms[opener]}, {**b.names, opener: b.terms[opener]}
    return _cosine(names_a, names_b, _norm(names_a), _norm(names_b))


def _semantic(a: Profile, b: Profile) -> float:
    if a.vector is None or b.vector is None:
        return 0.0
    cosine = float(a.vector @ b.vector)
    return min(1.0, max(0.0, (cosine - SEMANTIC_BASE) / (1 - SEMANTIC_BASE)))


def _within(a: float | None, b: float | None, window: timedelta) -> bool:
    return a is None or b is None or abs(a - b) <= window.total_seconds()


def _contradiction(a: Fingerprint, b: Fingerprint, window: timedelta
                   ) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
    """A factor below 1 for each sign that the two report different events, and the signs."""
    conflicts: list[str] = []
    missing: list[str] = []
    for kind, label in (("$", "money"), ("W", "power"), ("#", "count")):
        # percentages differ between outlets (a stock "up 23%" or "30%"), so they never count
        mine = [v for k, v in a.headline if k == kind]
        theirs = [v for k, v in b.headline if k == kind]
        if mine and theirs and not _agree(mine, theirs):
            conflicts.append(label)
        elif kind != "#" and (_absent(mine, b.facts, kind) or _absent(theirs, a.facts, kind)):
            missing.append(label)
    if a.codes and b.codes and not a.codes & b.codes:
        conflicts.append("codes")
    if a.days and b.days and min(_apart(x, y) for x in a.days for y in b.days) > window.days:
        conflicts.append("dates")
    factor = CONFLICT ** len(conflicts) * MISSING ** len(missing)
    return factor, tuple(conflicts), tuple(missing)


def _agree(mine: Sequence[float], theirs: Sequence[float]) -> bool:
    return any(_close(x, y) for x in mine for y in theirs)


def _absent(headline: Sequence[float], facts: Sequence[Fact], kind: str) -> bool:
    return bool(headline) and not _agree(headline, [v for k, v in facts if k == kind])


def _close(x: float, y: float) -> bool:
    """Equal as reported: $11.9B is "$12B" and $593B "nearly $600B", but $38B is not $40B."""
    top = max(abs(x), abs(y))
    if not top:
        return True
    unit = 10.0 ** (3 * math.floor(math.log10(top) / 3))
    a, b = x / unit, y / unit
    return abs(a - b) <= 0.015 * max(a, b) or round(a) == b or round(b) == a


def _apart(x: Day, y: Day) -> int:
    """Days between two stated dates; across the year boundary when a year is missing."""
    try:
        if x[0] and y[0]:
            return abs((date(*x) - date(*y)).days)
        days = abs((date(2001, x[1], x[2]) - date(2001, y[1], y[2])).days)
    except ValueError:  # "Feb 30" in a feed is data, not a reason to fail
        return 0
    return min(days, 365 - days)


def same_identity(a: Article, b: Article) -> bool:
    """One article seen twice: the same canonical URL, or the same uid."""
    return (bool(a.url) and a.url == b.url) or (bool(a.uid) and a.uid == b.uid)


def same_story(a: Article, b: Article, *, window: timedelta = WINDOW,
               corpus: Iterable[Article] = (), semantic: bool = True) -> bool:
    """Whether two articles report one event; a `corpus` (the day's items) sharpens the weights."""
    if same_identity(a, b):
        return True
    (first, second), _ = profiles([a, b], corpus=corpus, model=default_model(semantic))
    return similarity(first, second, window) >= THRESHOLD


def blocking_keys(profile: Profile) -> frozenset[str]:
    """The names an article can be found by, and its headline's first word (see _names_cosine)."""
    opener = profile.fingerprint.opener
    return profile.fingerprint.names | {opener} if opener else profile.fingerprint.names


def candidate_pairs(profiles: Sequence[Profile], vectors: Vectors | None = None
                    ) -> list[tuple[int, int]]:
    """Pairs worth scoring: those that share a name, and each article's nearest in meaning.

    A name held by many items (Nvidia, OpenAI) proposes pairs only for an item that has
    no rarer name, so a large batch does not compare everything with everything; the
    sentence vectors propose the pairs that say the same thing in other words.
    """
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for name in blocking_keys(p):
            postings[name].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, p in enumerate(profiles):
        names = sorted(blocking_keys(p), key=lambda n: (len(postings[n]), n))
        for name in [n for n in names if len(postings[n]) <= BLOCK_CAP] or names[:1]:
            pairs.update((min(i, j), max(i, j)) for j in postings[name] if j != i)
    if vectors is not None:
        pairs.update(vectors.neighbours(NEIGHBOURS, NEIGHBOUR_FLOOR))
    return sorted(pairs)


def identity_keys(article: Article) -> list[str]:
    """Keys under which the same article is known twice: its canonical URL and its uid."""
    pairs = (("url", article.url), ("uid", article.uid))
    return [f"{kind}:{value}" for kind, value in pairs if value]

