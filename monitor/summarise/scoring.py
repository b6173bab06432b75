"""Sentence features for extractive summaries: position, centrality, title overlap, rule hits."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from monitor.model import Hit

Vector = dict[str, float]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself said says say told mr mrs ms one two new year years last
    week first like get got make made many much may might must since still us well back
    even way take
    """.split()
)


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to join centre/centres and chip/chips, no more."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content-word stems of `text`, in order (stop words and single letters dropped)."""
    return [stem(w) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _STOP]


def tfidf(docs: Sequence[Sequence[str]]) -> list[Vector]:
    """TF-IDF vectors with IDF taken over the sentences of one article."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    n = len(docs)
    idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
    return [{t: (1 + math.log(c)) * idf[t] for t, c in Counter(doc).items()} for doc in docs]


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two sparse vectors; 0 when either is empty."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    if not dot:
        return 0.0
    return dot / (_norm(a) * _norm(b))


def _norm(v: Vector) -> float:
    return math.sqrt(sum(w * w for w in v.values())) or 1.0


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Each sentence's cosine similarity to the rest of the article (the others' summed vector)."""
    total: Vector = {}
    for v in vectors:
        for t, w in v.items():
            total[t] = total.get(t, 0.0) + w
    total_sq = sum(w * w for w in total.values())
    out = []
    for v in vectors:
        # |T - v|² = |T|² - 2 v·T + |v|², so the rest's vector is never built.
        dot = sum(w * total[t] for t, w in v.items())
        own = sum(w * w for w in v.values())
        rest = total_sq - 2 * dot + own
        out.append((dot - own) / math.sqrt(own * rest) if own > 0 and rest > 1e-12 else 0.0)
    return out


_CAPTION = re.compile(
    r"\bpictured\b|\((?:left|right|centre|center|above|below|top|bottom|inset|file)\)",
    re.IGNORECASE,
)
_OPENING_QUOTE = re.compile(r"^[\"'‘“«]")


def shape(text: str) -> tuple[bool, bool, bool]:
    """Whether a sentence is a quotation, a photo caption, or a question."""
    quoted = _OPENING_QUOTE.match(text) is not None
    low = text.lower()
    caption = ("pictured" in low or "(" in low) and _CAPTION.search(text) is not None
    question = text.rstrip("\"'’”)»").endswith("?")
    return quoted, caption, question


def position(rank: int, decay: float) -> float:
    """Lead bias: 1 for the first sentence, falling off with `decay` sentences."""
    return 1.0 / (1.0 + rank / decay)


def hit_patterns(hits: Sequence[Hit]) -> list[re.Pattern[str]]:
    """Patterns that find the text a rule matched (and, for `word*` terms, other endings)."""
    needles: dict[str, bool] = {}
    for hit in hits:
        if hit.group == -2:  # an exclude hit is not a reason to show a sentence
            continue
        if hit.text.strip():
            needles.setdefault(hit.text.strip().lower(), True)
        term = hit.term.strip()
        if term.endswith("*") and not term.startswith("/") and len(term) > 2:
            needles[term[:-1].lower()] = False
    return [
        re.compile(r"\b" + re.escape(n).replace(r"\ ", r"[\s-]+") + (r"\b" if whole else ""))
        for n, whole in needles.items()
    ]


def hit_count(sentence: str, patterns: Sequence[re.Pattern[str]]) -> int:
    """How many distinct rule terms the sentence contains."""
    low = sentence.lower()
    return sum(1 for p in patterns if p.search(low))
