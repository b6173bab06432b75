"""Same-story judgement: whether two articles, from any feeds, report one news event.

Articles are compared on their title and lead (the first ~300 characters of summary or
content), normalised so that "$40B" and "$40 billion", "U.S." and "US", "data centre" and
"datacenter" agree. The score mixes an IDF-weighted cosine of all terms with one of the
names alone, then drops it when the two state different headline figures ($14B vs $21B,
6 GW vs 10 GW), different product codes (H20 vs H200) or dates days apart: the marks of
a different event about the same companies. `monitor.digest` clusters with this score.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.model import Article, Story

WINDOW = timedelta(hours=72)
THRESHOLD = 0.25  # bench/stories.py: dev-set P and R hold anywhere from 0.19 to 0.26
LEAD_CHARS = 300
NAME_WEIGHT = 2.0  # names and figures say which event; the other words only what kind
TITLE_WEIGHT = 1.5  # the headline states the event; the lead also carries background
NAME_SHARE = 0.3  # exponent of the names-only cosine in the geometric mix
CONFLICT = 0.3  # factor for contradicting headline figures, product codes or dates
MISSING = 0.6  # factor when a headline figure of one is absent from the other's text
BLOCK_CAP = 64  # names held by more items than this do not propose candidate pairs alone

_STOP_WORDS = """a an the and or but if of to in on at by for with from as into onto over under
about after before than then that this these those it its is are was were be been being has have
had do does did will would can could should may might must shall not no nor so such too very just
also only more most much many some any all each every other another new say says said according
report reports reported per via up down out off amid while during who whom whose which what when
where why how here there their they them his her he she we our us you your i my me one first week
today monday tuesday wednesday thursday friday saturday sunday yesterday year years"""
# Capitalised often, yet no name: the field's own vocabulary (every matched item has it).
_GENERIC_WORDS = """ai artificial intelligence datacenter chip chipmaker semiconductor gpu gpus
cpu cpus compute computing cloud infrastructure deal agreement pact contract partnership company
firm giant group announce announced announcement plan power model tech technology largest
biggest massive world global major market stock share investment invest investor billion million
provider service build building facility capacity capital sector industry business unveil
unveiled launch launched sign signed strike ink expand expansion era boom race surge soar jump
move shift push future next latest huge record historic key strategic significant ceo cfo ipo"""
_STOP = frozenset(_STOP_WORDS.split())
_GENERIC = frozenset(_GENERIC_WORDS.split())
_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_NUMBERS.split())}
_SPELLED = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")(?=[\s-](?:trillion|billion|million"
                      r"|percent|per cent|gigawatts?|megawatts?|GW|MW)\b)", re.I)
_ALIASES = (
    (re.compile(r"\bU\.S\.(?:A\.)?|\bUSA\b|\bUnited States\b"), "US"),
    (re.compile(r"\bU\.K\.|\bUnited Kingdom\b"), "UK"),
    (re.compile(r"\bEuropean Union\b"), "EU"),
    (re.compile(r"\bdata[\s-]?cent(?:er|re)s?\b", re.I), "datacenter"),
    (re.compile(r"\bAdvanced Micro Devices\b"), "AMD"),
    (re.compile(r"\bAmazon Web Services\b"), "AWS"),
)
_NUM = r"(\d+(?:[.,]\d+)*)"
_SCALES = {"trillion": 1e12, "tn": 1e12, "t": 1e12, "billion": 1e9, "bn": 1e9, "bln": 1e9,
           "b": 1e9, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6}
_MONEY = re.compile(r"(?:US\$|USD|\$|€|EUR|£|GBP|¥)\s?" + _NUM
                    + r"(?:\s?(trillion|billion|million|bn|bln|mln|mn|tn|b|m|t)\b)?"
                    + r"|" + _NUM + r"\s?(trillion|billion|million|bn|bln|mln|mn|tn)\b", re.I)
_PERCENT = re.compile(_NUM + r"\s?(?:%|percent\b|per cent\b)", re.I)
_POWER = re.compile(_NUM + r"[\s-]?(GW|gigawatts?|MW|megawatts?)\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:['.&][^\W_]+|,\d{3}\b)*")  # keeps "100,000" whole
_CODE = re.compile(r"\b([A-Za-z]{1,4})-?(\d+[A-Za-z0-9]*)\b")
_NOT_CODE = re.compile(r"(?:q[1-4]|h[12]|[fc]y\d+)")  # quarters and fiscal years
_SENTENCE_END = '.!?:"“”([—–-'
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(20\d\d))?"
                   r"|\b(\d{1,2})\s+" + _MONTH + r"(?:\s+(20\d\d))?\b")
_URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")

Fact = tuple[str, float]  # ("$", 4e10) money or other magnitudes, ("W", 6e9), ("%", 15.0)
Day = tuple[int, int, int]  # (year or 0 when the text gives none, month, day)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the comparison looks at in one article: terms, names, figures, codes and dates."""

    terms: frozenset[str]
    title: frozenset[str]
    names: frozenset[str]
    codes: frozenset[str]
    headline: tuple[Fact, ...]
    facts: tuple[Fact, ...]
    days: frozenset[Day]
    published: float | None


def fingerprint(article: Article) -> Fingerprint:
    """Normalise an article's title and lead into what same-story comparison uses."""
    title = _normalise(article.title)
    lead = _normalise(_lead(article.summary or article.content))
    headline, facts = _facts(title), _facts(f"{title} {lead}")
    title_words, title_names = _words(_strip_facts(title), is_title=True)
    lead_words, lead_names = _words(_strip_facts(lead), is_title=False)
    keys = {f"{kind}{value:.2g}" for kind, value in facts}
    return Fingerprint(
        terms=frozenset(title_words | lead_words | keys),
        title=frozenset(title_words | {f"{kind}{value:.2g}" for kind, value in headline}),
        names=frozenset((title_names | lead_names) - _GENERIC),
        codes=frozenset(_codes(f"{title} {lead}")), headline=headline, facts=facts,
        days=frozenset(_days(f"{title} {lead}", article.url, article.published)),
        published=_epoch(article.published))


def _lead(text: str) -> str:
    if len(text) <= LEAD_CHARS:
        return text
    cut = text.rfind(" ", 0, LEAD_CHARS)
    return text[: cut if cut > 0 else LEAD_CHARS]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = _SPELLED.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)
    for pattern, replacement in _ALIASES:
        text = pattern.sub(replacement, text)
    return text


def _number(text: str) -> float | None:
    # "1,700" is a thousands separator; "17,4" a decimal comma
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text)
    try:
        return float(text.replace(",", "") if grouped else text.replace(",", "."))
    except ValueError:
        return None


def _facts(text: str) -> tuple[Fact, ...]:
    found: list[Fact] = []
    for m in _MONEY.finditer(text):
        value, scale = _number(m.group(1) or m.group(3)), m.group(2) or m.group(4) or ""
        if value is not None:
            found.append(("$", value * _SCALES.get(scale.lower(), 1.0)))
    for m in _POWER.finditer(text):
        value = _number(m.group(1))
        if value is not None:
            found.append(("W", value * (1e9 if m.group(2)[0] in "gG" else 1e6)))
    for m in _PERCENT.finditer(text):
        value = _number(m.group(1))
        if value is not None:
            found.append(("%", value))
    return tuple(found)


def _strip_facts(text: str) -> str:
    return _PERCENT.sub(" ", _POWER.sub(" ", _MONEY.sub(" ", text)))


def _stem(word: str) -> str:
    word = word.removesuffix("'s")
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str, *, is_title: bool) -> tuple[set[str], set[str]]:
    """The content words of a text, and those of them that are names."""
    matches = list(_WORD.finditer(text))
    found = [m.group() for m in matches]
    opens = [_opens(text, m.start()) for m in matches]
    # In a Title Case Headline every word is capitalised, so only odd casing marks a name.
    trust_case = not is_title or sum(raw[0].islower() for raw in found) > 0.4 * len(found)
    words: set[str] = set()
    names: set[str] = set()
    for k, raw in enumerate(found):
        word = _stem(raw.lower().replace(".", "") if raw.count(".") else raw.lower())
        if word in _STOP or raw.lower() in _STOP:
            continue
        words.add(word)
        odd = (raw.isupper() and len(raw) > 1) or any(c.isupper() or c.isdigit() for c in raw[1:])
        # a capital opening a sentence says nothing, unless a capitalised word follows
        # ("Nordvik Compute has"), which makes a name of two words
        pair = k + 1 < len(found) and found[k + 1][0].isupper() and not opens[k + 1]
        if odd or (raw[0].isupper() and trust_case and (not opens[k] or pair)):
            names.add(word)
    return words, names


def _opens(text: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence (or the text)."""
    k = start - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or text[k] in _SENTENCE_END


def _codes(text: str) -> set[str]:
    codes = {(m.group(1) + m.group(2)).lower() for m in _CODE.finditer(text)}
    return {code for code in codes if not _NOT_CODE.fullmatch(code)}


def _days(text: str, url: str, published: datetime | None) -> set[Day]:
    days: set[Day] = set()
    for m in _DATE.finditer(text):
        month = _MONTHS.index((m.group(1) or m.group(5))[:3].lower()) + 1
        day, year = int(m.group(2) or m.group(4)), int(m.group(3) or m.group(6) or 0)
        if 1 <= day <= 31:
            days.add((year, month, day))
    if found := _URL_DATE.search(url):
        days.add((int(found.group(1)), int(found.group(2)), int(found.group(3))))
    if published is not None:
        days.add((published.year, published.month, published.day))
    return days


def seconds(when: datetime) -> float:
    """Seconds since the epoch; a naive datetime is UTC by the model's contract, never local."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _epoch(when: datetime | None) -> float | None:
    return None if when is None else seconds(when)


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

