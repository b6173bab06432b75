"""Same-story judgement: whether two articles, from any feeds, report one news event.

Articles are compared on their title and lead (the first ~300 characters of summary or
content), normalised so that "$40B" and "$40 billion", "U.S." and "US", "data centre" and
"datacenter" agree (`monitor.fingerprint`). The score mixes an IDF-weighted cosine of all
terms with one of the names alone, then drops it when the two state different headline
figures ($14B vs $21B, 6 GW vs 10 GW), different product codes (H20 vs H200) or dates days
apart: the marks of a different event about the same companies. `monitor.digest` clusters
with this score.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.fingerprint import Day, Fact, Fingerprint, fingerprint
from monitor.model import Article, Story

WINDOW = timedelta(hours=72)
THRESHOLD = 0.25  # bench/stories.py: dev-set P and R hold anywhere from 0.19 to 0.26
NAME_WEIGHT = 2.0  # names and figures say which event; the other words only what kind
TITLE_WEIGHT = 1.5  # the headline states the event; the lead also carries background
NAME_SHARE = 0.3  # exponent of the names-only cosine in the geometric mix
CONFLICT = 0.3  # factor for contradicting headline figures, product codes or dates
MISSING = 0.6  # factor when a headline figure of one is absent from the other's text
BLOCK_CAP = 64  # names held by more items than this do not propose candidate pairs alone


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

    @classmethod
    def of(cls, p: Fingerprint, vocabulary: Vocabulary) -> Profile:
        terms = {t: vocabulary.idf(t) * _weight(p, t) for t in p.terms}
        names = {t: w for t, w in terms.items() if t in p.names}
        return cls(p, terms, names, _norm(terms), _norm(names))


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


def similarity(a: Profile, b: Profile, window: timedelta = WINDOW) -> float:
    """How likely two articles report one event, from 0 to 1 (THRESHOLD and up: same)."""
    if not _within(a.fingerprint.published, b.fingerprint.published, window):
        return 0.0
    names = _cosine(a.names, b.names, a.names_norm, b.names_norm)
    if not names:
        return 0.0
    terms = _cosine(a.terms, b.terms, a.terms_norm, b.terms_norm)
    mix = math.pow(names, NAME_SHARE) * math.pow(terms, 1 - NAME_SHARE)
    return mix * _contradiction(a.fingerprint, b.fingerprint, window)


def _within(a: float | None, b: float | None, window: timedelta) -> bool:
    return a is None or b is None or abs(a - b) <= window.total_seconds()


def _contradiction(a: Fingerprint, b: Fingerprint, window: timedelta) -> float:
    """A factor below 1 for each sign that the two report different events."""
    factor = 1.0
    for kind in "$W":  # percentages differ between outlets (a stock "up 23%" or "30%")
        mine = [v for k, v in a.headline if k == kind]
        theirs = [v for k, v in b.headline if k == kind]
        if mine and theirs and not _agree(mine, theirs):
            factor *= CONFLICT
        elif _absent(mine, b.facts, kind) or _absent(theirs, a.facts, kind):
            factor *= MISSING
    if a.codes and b.codes and not a.codes & b.codes:
        factor *= CONFLICT
    if a.days and b.days and min(_apart(x, y) for x in a.days for y in b.days) > window.days:
        factor *= CONFLICT
    return factor


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
               corpus: Iterable[Article] = ()) -> bool:
    """Whether two articles report one event; a `corpus` (the day's items) sharpens the weights."""
    if same_identity(a, b):
        return True
    prints = [fingerprint(a), fingerprint(b)]
    vocabulary = Vocabulary([*prints, *map(fingerprint, corpus)])
    first, second = (Profile.of(p, vocabulary) for p in prints)
    return similarity(first, second, window) >= THRESHOLD


class StoryIndex:
    """Articles already posted to a channel, to find the one a new article would repeat."""

    def __init__(self, articles: Iterable[Article], *, window: timedelta = WINDOW,
                 corpus: Iterable[Article] = ()) -> None:
        self.window = window
        self._articles = list(articles)
        prints = [fingerprint(a) for a in self._articles]
        self._vocabulary = Vocabulary([*prints, *map(fingerprint, corpus)])
        self._profiles = [Profile.of(p, self._vocabulary) for p in prints]
        self._by_name: defaultdict[str, list[int]] = defaultdict(list)
        self._by_identity: dict[str, int] = {}
        for index, article in enumerate(self._articles):
            for name in self._profiles[index].fingerprint.names:
                self._by_name[name].append(index)
            for key in identity_keys(article):
                self._by_identity.setdefault(key, index)

    def find(self, article: Article) -> Article | None:
        """The indexed article that reports the same story as `article`, or None."""
        for key in identity_keys(article):
            if key in self._by_identity:
                return self._articles[self._by_identity[key]]
        query = Profile.of(fingerprint(article), self._vocabulary)
        names = query.fingerprint.names
        nearby = sorted({i for name in names for i in self._by_name.get(name, ())})
        scored = [(similarity(query, self._profiles[i], self.window), -i) for i in nearby]
        best, index = max(scored, default=(0.0, 0))
        return self._articles[-index] if best >= THRESHOLD else None

    def covers(self, story: Story) -> bool:
        """Whether any item of the story repeats an indexed article."""
        return any(self.find(item.article) is not None for item in story.items)


def identity_keys(article: Article) -> list[str]:
    """Keys under which the same article is known twice: its canonical URL and its uid."""
    pairs = (("url", article.url), ("uid", article.uid))
    return [f"{kind}:{value}" for kind, value in pairs if value]

