"""Numbers as news writes them: digits, scale words, currencies, spelled-out words, ranges.

`quantities(sentence)` finds every number with what is written on it ("$4.5bn",
"half a million", "1,200", "four to five million") and links ranges, so "$91-$93 billion"
gives two amounts in billions and "one to six gigawatts" two figures sharing one unit.
What a number counts (megawatts, money, GPUs) is for the caller to read from its context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES: dict[str, float] = {word: float(n) for n, word in enumerate(_UNITS)}
WORD_VALUES |= {word: float(20 + 10 * n) for n, word in enumerate(_TENS)}
WORD_VALUES |= {f"{tens}-{unit}": WORD_VALUES[tens] + n for tens in _TENS
                for n, unit in enumerate(_UNITS[1:10], 1)}
# Phrases that stand for a number only before a scale word or a unit ("a gigawatt").
_WEAK = {"a": 1.0, "an": 1.0, "half a": 0.5, "half an": 0.5, "a half": 0.5,
         "one and a half": 1.5, "two and a half": 2.5, "a dozen": 12.0, "dozen": 12.0,
         "a hundred": 100.0, "one hundred": 100.0, "a quarter of a": 0.25}
WORD_VALUES |= _WEAK

SCALES: dict[str, float] = {
    "thousand": 1e3, "hundred thousand": 1e5, "lakh": 1e5, "crore": 1e7,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9, "bln": 1e9,
    "trillion": 1e12, "tn": 1e12, "trn": 1e12,
    "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12,
}
# Currency signs and codes written before a number, and words written after it.
PREFIX_CURRENCIES: dict[str, str] = {
    "us$": "USD", "u.s.$": "USD", "$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD",
    "ca$": "CAD", "s$": "SGD", "hk$": "HKD", "nz$": "NZD", "nt$": "TWD", "r$": "BRL",
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "rs": "INR", "rs.": "INR", "₩": "KRW",
    "chf": "CHF", "rmb": "CNY",
}
CODES = frozenset(
    "USD EUR GBP JPY CNY INR KRW AUD CAD CHF SEK NOK DKK AED SAR QAR SGD HKD TWD BRL MXN "
    "PLN MYR IDR ZAR NZD THB VND TRY ILS CZK HUF".split()
)
SUFFIX_CURRENCIES: dict[str, str] = {
    "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "dollar": "USD",
    "australian dollars": "AUD", "canadian dollars": "CAD", "singapore dollars": "SGD",
    "hong kong dollars": "HKD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
    "pounds sterling": "GBP", "sterling": "GBP", "yen": "JPY", "yuan": "CNY",
    "renminbi": "CNY", "rupees": "INR", "rupee": "INR", "won": "KRW", "riyals": "SAR",
    "riyal": "SAR", "dirhams": "AED", "dirham": "AED", "swiss francs": "CHF",
    "francs": "CHF", "kronor": "SEK", "krona": "SEK", "norwegian kroner": "NOK",
    "danish kroner": "DKK", "kroner": "NOK", "zloty": "PLN", "reais": "BRL",
    "ringgit": "MYR", "rupiah": "IDR", "rand": "ZAR", "swedish kronor": "SEK",
    "swedish krona": "SEK", "indian rupees": "INR", "japanese yen": "JPY",
    "chinese yuan": "CNY", "south korean won": "KRW", "korean won": "KRW",
    "saudi riyals": "SAR", "uae dirhams": "AED", "emirati dirhams": "AED",
    "new zealand dollars": "NZD", "brazilian reais": "BRL", "mexican pesos": "MXN",
    "pesos": "MXN", "malaysian ringgit": "MYR", "south african rand": "ZAR",
} | {code.lower(): code for code in CODES}

# Found in two cheap passes rather than one slow pattern: digits (a sign or code may
# stand before them), then words looked up in WORD_VALUES.
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,]\d)|\d+(?:\.\d+)?(?![\d,]\d)")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_PHRASE = re.compile(r"(?:one and a half|two and a half|half an?|a quarter of an?|a dozen|"
                     r"a hundred|one hundred|a half)\b", re.IGNORECASE)
_SCALE_WORDS = r"hundred thousand|thousand|lakh|crore|million|mln|mn|billion|bln|bn|trillion|trn|tn"
_SCALE = re.compile(rf"(?P<letter>[kKmMbBT])(?![\w])|[\s-]{{0,2}}(?P<scale>{_SCALE_WORDS})\b",
                    re.IGNORECASE)
_UNIT_AHEAD = re.compile(r"[\s-]+(?:" + _SCALE_WORDS + r"|gigawatts?|megawatts?|GW|MW)\b",
                         re.IGNORECASE)
_PREFIX = re.compile(r"(?:US\$|U\.S\.\s?\$|AU?\$|CA?\$|S\$|HK\$|NZ\$|NT\$|R\$|\$|€|£|¥|₹|₩"
                     r"|\bRs\.?\s?|\b(?:" + "|".join(sorted(CODES)) + r"|RMB)\s?)$")
_LINK = re.compile(r"\s*(?:-|to|and|or)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a sentence: its value with any scale applied, and what was written on it."""

    number: float
    start: int
    end: int
    currency: str | None = None  # ISO code of a sign or code written before it
    scale: float = 1.0           # 1e9 for "bn", "billion", "B"; 1.0 when none is written
    scaled: bool = False         # a scale word or letter was written
    spelled: bool = False        # written in words ("six", "half a")

    @property
    def value(self) -> float:
        return self.number * self.scale


@dataclass(frozen=True, slots=True)
class Group:
    """One number, or the ends of a range ("4 to 5 million"), sharing what follows."""

    items: tuple[Quantity, ...]

    @property
    def start(self) -> int:
        return self.items[0].start

    @property
    def end(self) -> int:
        return self.items[-1].end

    @property
    def currency(self) -> str | None:
        return next((q.currency for q in self.items if q.currency), None)


def parse_number(text: str) -> float | None:
    """'1,200' -> 1200.0, '1.5' -> 1.5, 'six' -> 6.0, 'half a' -> 0.5; else None."""
    key = " ".join(text.lower().split())
    if key in WORD_VALUES:
        return WORD_VALUES[key]
    try:
        return float(key.replace(",", ""))
    except ValueError:
        return None


def _currency(prefix: str | None) -> str | None:
    if not prefix:
        return None
    key = "".join(prefix.lower().split())
    return PREFIX_CURRENCIES.get(key) or (key.upper() if key.upper() in CODES else None)


def _scaled(text: str, number: float, start: int, end: int, currency: str | None,
            spelled: bool) -> Quantity:
    """The number with any scale written right after it ("bn", " million", "B")."""
    found = _SCALE.match(text, end)
    letter = found.group("letter") if found else None
    if letter and not currency and letter.lower() != "k":
        found = None  # "5m" is five metres unless money is meant
    if found is None:
        return Quantity(number, start, end, currency, spelled=spelled)
    scale = SCALES[(letter or found.group("scale")).lower()]
    return Quantity(number, start, found.end(), currency, scale, True, spelled)


def _digit_quantities(text: str) -> list[Quantity]:
    out = []
    for match in _DIGITS.finditer(text):
        start = match.start()
        before = text[start - 1] if start else " "
        if before.isalnum() or before in "._" or (before == "," and start > 1 and
                                                 text[start - 2].isdigit()):
            continue  # inside a code ("H100", "MI300X") or another number
        prefix = _PREFIX.search(text, max(0, start - 6), start)
        currency = _currency(prefix.group()) if prefix else None
        begin = prefix.start() if prefix else start
        number = float(match.group().replace(",", ""))
        quantity = _scaled(text, number, start, match.end(), currency, False)
        out.append(Quantity(quantity.number, begin, quantity.end, quantity.currency,
                            quantity.scale, quantity.scaled))
    return out


def _word_quantities(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for match in _WORD.finditer(text):
        if out and match.start() < out[-1].end:
            continue
        word = match.group().lower()
        if word in ("one", "two", "half", "a", "an"):
            phrase = _PHRASE.match(text, match.start())
            if phrase is not None and _UNIT_AHEAD.match(text, phrase.end()):
                value = WORD_VALUES[" ".join(phrase.group().lower().split())]
                out.append(_scaled(text, value, match.start(), phrase.end(), None, True))
                continue
        if word in _WEAK and not _UNIT_AHEAD.match(text, match.end()):
            continue  # "a" is a number only in "a gigawatt", "a million"
        if word in WORD_VALUES:
            out.append(_scaled(text, WORD_VALUES[word], match.start(), match.end(), None, True))
    return out


def quantities(sentence: str) -> tuple[Group, ...]:
    """Every number in `sentence`, left to right, ranges linked into one group."""
    found = sorted(_digit_quantities(sentence) + _word_quantities(sentence),
                   key=lambda q: q.start)
    groups: list[list[Quantity]] = []
    for q in found:
        last = groups[-1][-1] if groups else None
        if last is not None and _links(sentence, last, q):
            groups[-1].append(q)
        else:
            groups.append([q])
    return tuple(Group(_share_scale(items)) for items in groups)


def _links(sentence: str, first: Quantity, second: Quantity) -> bool:
    """"4 to 5", "$91-$93", "$10-15bn": a bare first end, a connector, then the second."""
    if first.scaled:
        return False  # "$5bn and $7bn" are two amounts, each with its own scale
    if first.currency and second.currency and first.currency != second.currency:
        return False
    return _LINK.fullmatch(sentence[first.end:second.start]) is not None


def _share_scale(items: list[Quantity]) -> tuple[Quantity, ...]:
    """The scale on a range's last end, and a currency on any end, apply to every end."""
    last = items[-1]
    currency = next((q.currency for q in items if q.currency), None)
    return tuple(
        q if q is last and q.currency == currency else
        Quantity(q.number, q.start, q.end, q.currency or currency,
                 q.scale if q.scaled else last.scale, q.scaled or last.scaled, q.spelled)
        for q in items
    )
