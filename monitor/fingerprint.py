"""What same-story judgement compares in one article: its title and lead, normalised.

"$40B" and "$40 billion", "U.S." and "US", "data centre" and "datacenter" come out alike, and
the headline figures, product codes and stated dates are picked out, for `monitor.stories` to
weigh and compare.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.model import Article

LEAD_CHARS = 300
FACT_CHARS = 1000  # a headline figure "missing" from the other must be missing from more

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
_NOT_NAMES = frozenset("""january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec usd eur gbp jpy cny
""".split())
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
_COUNT = re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)(?![\w.,]*\w)")
_URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")

Fact = tuple[str, float]  # ("$", 4e10) money or other magnitudes, ("W", 6e9), ("%", 15.0)
Day = tuple[int, int, int]  # (year or 0 when the text gives none, month, day)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the comparison looks at in one article: terms, names, figures, codes and dates."""

    terms: frozenset[str]
    title: frozenset[str]
    names: frozenset[str]
    opener: str  # the headline's first word when only its place capitalises it ("Nvidia to ...")
    codes: frozenset[str]
    headline: tuple[Fact, ...]
    facts: tuple[Fact, ...]
    days: frozenset[Day]
    published: float | None


@functools.lru_cache(maxsize=8192)  # grouping, the posted index and follow-ups ask again
def fingerprint(article: Article) -> Fingerprint:
    """Normalise an article's title and lead into what same-story comparison uses."""
    title = _normalise(article.title)
    body = article.summary or article.content
    lead = _normalise(_lead(body))
    headline = _facts(title) + _counts(title)
    facts = _facts(f"{title} {_normalise(_lead(body, FACT_CHARS))}")
    title_words, title_names, title_caps = _words(_strip_facts(title), is_title=True)
    lead_words, lead_names, _ = _words(_strip_facts(lead), is_title=False)
    keys = {f"{kind}{value:.2g}" for kind, value in facts}
    return Fingerprint(
        terms=frozenset(title_words | lead_words | keys),
        title=frozenset(title_words | {f"{kind}{value:.2g}" for kind, value in headline}),
        names=frozenset(n for n in title_names | lead_names if _is_name(n)),
        opener=_opener(title, title_caps),
        codes=frozenset(_codes(f"{title} {lead}")), headline=headline, facts=facts,
        days=frozenset(_days(f"{title} {lead}", article.url, article.published)),
        published=_epoch(article.published))


def lead(article: Article) -> str:
    """The start of an article's summary (or content) that same-story comparison reads."""
    return _lead(article.summary or article.content)


def _is_name(word: str) -> bool:
    """Capitalised words that name no one: the field's vocabulary, months, currencies, numbers."""
    return not (word in _GENERIC or word in _NOT_NAMES or word[0].isdigit())


def _lead(text: str, chars: int = 0) -> str:
    chars = chars or LEAD_CHARS
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > 0 else chars]


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


def _counts(title: str) -> tuple[Fact, ...]:
    """Bare numbers a headline states ("three gas plants" is 3, "Episode 41" is 41), dates
    and other figures taken out: two headlines that count differently tell two events."""
    plain = _DATE.sub(" ", _strip_facts(title))
    return tuple(("#", value) for m in _COUNT.finditer(plain)
                 if (value := _number(m.group(1))) is not None)


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


def _words(text: str, *, is_title: bool) -> tuple[set[str], set[str], set[str]]:
    """The content words of a text, those of them that are names, and the other capitalised."""
    matches = list(_WORD.finditer(text))
    found = [m.group() for m in matches]
    opens = [_opens(text, m.start()) for m in matches]
    # In a Title Case Headline every word is capitalised, so only odd casing marks a name.
    trust_case = not is_title or sum(raw[0].islower() for raw in found) > 0.4 * len(found)
    words: set[str] = set()
    names: set[str] = set()
    capitalised: set[str] = set()
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
        elif raw[0].isupper():
            capitalised.add(word)
    return words, names, capitalised


def _opener(title: str, capitalised: set[str]) -> str:
    first = _WORD.search(title)
    word = _stem(first.group().lower()) if first else ""
    return word if word in capitalised and _is_name(word) else ""


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
