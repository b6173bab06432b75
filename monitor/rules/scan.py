"""One article read against the term table: each field's text and its spans by term.

The matcher scans an article once; scores, hits and the near test all read that scan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from monitor.model import FIELDS, Article, FieldName, Hit
from monitor.rules.terms import Span, Spans, Term, TermIndex

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Scan:
    """One article: the text of each field, its spans by term, and the terms that hit."""

    texts: dict[FieldName, str]
    spans: dict[FieldName, Spans]
    keys: dict[FieldName, frozenset[int]]
    hit: frozenset[int]

    @classmethod
    def of(cls, index: TermIndex, article: Article) -> Scan:
        """Every term of `index` found in each field of `article`."""
        texts = {name: article.text(name) for name in FIELDS}
        spans: dict[FieldName, Spans] = {}
        for name in FIELDS:
            # Summary and content are often the same text: find its spans once.
            same = next((other for other in spans if texts[other] == texts[name]), None)
            spans[name] = spans[same] if same is not None else index.find(texts[name])
        keys = {name: frozenset(spans[name]) for name in FIELDS}
        return cls(texts, spans, keys, frozenset().union(*keys.values()))


def find_hits(ids: Sequence[int], terms: Sequence[Term], scan: Scan, group: int) -> list[Hit]:
    """Every span of the terms `ids` in every field as a Hit of `group`, field by field."""
    hits = []
    for name in FIELDS:
        spans, text = scan.spans[name], scan.texts[name]
        for i in ids:
            for start, end in spans.get(i, ()):
                hits.append(Hit(terms[i].source, name, text[start:end], start, end, group))
    return hits


def is_near(span: Span, anchors: Sequence[Span], text: str, within: int) -> bool:
    """True when an anchor overlaps `span` or fewer than `within` words lie between them.

    An anchor with the very same span is the hit itself (a term in both lists), not a
    neighbour. Only the closest anchor on each side needs its words counted.
    """
    start, end = span
    left, right = -1, len(text) + 1
    for other in anchors:
        if other == span:
            continue
        if other[1] <= start:
            left = max(left, other[1])
        elif other[0] >= end:
            right = min(right, other[0])
        else:
            return True
    return (left >= 0 and _fewer_words(text, left, start, within)) or \
        (right <= len(text) and _fewer_words(text, end, right, within))


def _fewer_words(text: str, start: int, end: int, limit: int) -> bool:
    """Whether text[start:end] holds fewer than `limit` words; stops counting at the limit."""
    return sum(1 for _ in islice(_WORD.finditer(text, start, end), limit)) < limit
