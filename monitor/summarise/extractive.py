"""The default summariser: pick whole sentences by position, centrality, title and rule hits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.model import Hit
from monitor.summarise import scoring
from monitor.summarise.boilerplate import is_boilerplate, strip_stub
from monitor.summarise.sentences import is_complete, split_sentences
from monitor.summarise.summary import Summary

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each feature counts; the defaults were set on development data."""

    position: float = 1.0
    decay: float = 1.0  # lead bias: sentence k weighs 1 / (1 + k / decay)
    centrality: float = 0.5
    title: float = 0.4
    hits: float = 0.6  # a sentence with two or more distinct rule terms gets all of it
    redundancy: float = 0.9  # subtracted per unit of cosine likeness to a chosen sentence
    min_words: int = 5
    long_words: int = 60
    # Factors for sentences that read badly out of context.
    short: float = 0.3
    quote: float = 0.8
    caption: float = 0.6
    question: float = 0.7


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence that may go into a summary, with its features."""

    index: int
    text: str
    complete: bool
    vector: scoring.Vector
    score: float = 0.0


class ExtractiveSummariser:
    """Offline summaries made of whole sentences from the article, in article order."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()

    def summarise(
        self,
        text: str,
        *,
        title: str = "",
        hits: Sequence[Hit] = (),
        sentences: int = 3,
        budget: int = 600,
    ) -> Summary:
        """Summarise `text` in at most `sentences` whole sentences and `budget` characters."""
        pieces = candidates(text)
        if not pieces or budget <= 0 or sentences <= 0:
            return Summary("", "extractive")
        scored = score(pieces, title, scoring.hit_patterns(hits), self.weights)
        return Summary(select(scored, sentences, budget, self.weights), "extractive")


def candidates(text: str) -> list[Candidate]:
    """The article's sentences with dateline stubs removed and furniture dropped."""
    out: list[Candidate] = []
    for sentence in split_sentences(text):
        cleaned = strip_stub(sentence.text)
        if cleaned and not is_boilerplate(cleaned):
            out.append(Candidate(len(out), cleaned, is_complete(cleaned), {}))
    return out


def score(
    pieces: Sequence[Candidate], title: str, patterns: Sequence[re.Pattern[str]], w: Weights
) -> list[Candidate]:
    """Give each candidate its vector and a combined score."""
    docs = [scoring.terms(p.text) for p in pieces]
    vectors = scoring.tfidf(docs)
    central = scoring.centrality(vectors)
    top = max(central) or 1.0
    title_vec = _title_vector(title, docs)
    out: list[Candidate] = []
    rank = 0
    for piece, vector, cent in zip(pieces, vectors, central, strict=True):
        value = (
            w.position * scoring.position(rank, w.decay)
            + w.centrality * cent / top
            + w.title * scoring.cosine(vector, title_vec)
            + w.hits * min(scoring.hit_count(piece.text, patterns), 2) / 2
        )
        value *= _form_factor(piece.text, len(vector), w)
        rank += piece.complete
        out.append(Candidate(piece.index, piece.text, piece.complete, vector, value))
    return out


def _title_vector(title: str, docs: Sequence[Sequence[str]]) -> scoring.Vector:
    if not title.strip():
        return {}
    return scoring.tfidf([*docs, scoring.terms(title)])[-1]


def _form_factor(text: str, content_words: int, w: Weights) -> float:
    """Discount sentences that make poor summaries: fragments, overlong, quotes, captions."""
    words = len(text.split())
    factor = 1.0
    if words < w.min_words or content_words < 2:
        factor *= w.short
    elif words > w.long_words:
        factor *= max(0.5, w.long_words / words)
    quoted, caption, question = scoring.shape(text)
    if quoted:
        factor *= w.quote
    if caption:
        factor *= w.caption
    if question:
        factor *= w.question
    return factor


def select(pieces: Sequence[Candidate], n: int, budget: int, w: Weights) -> str:
    """Pick up to `n` complete sentences within `budget`, in article order.

    Sentences are chosen by score less redundancy; one that does not fit is dropped,
    not cut and not replaced. If none fits, the shortest good sentence that fits
    stands in, and failing that the best sentence trimmed at a word boundary.
    """
    good = [p for p in pieces if p.complete]
    chosen = _fitting(_ranked(good, n, w), budget)
    if not chosen:
        chosen = _shortest_fitting(good, budget, w)
    if not chosen:
        best = max(good, key=lambda p: p.score) if good else pieces[0]
        return _trimmed(best.text, budget)
    return " ".join(p.text for p in sorted(chosen, key=lambda p: p.index))


def _ranked(pool: Sequence[Candidate], n: int, w: Weights) -> list[Candidate]:
    """The `n` best sentences, each penalised by its likeness to those already taken."""
    chosen: list[Candidate] = []
    remaining = list(pool)
    while remaining and len(chosen) < n:
        best = max(remaining, key=lambda p: p.score - w.redundancy * _overlap(p, chosen))
        remaining.remove(best)
        chosen.append(best)
    return chosen


def _fitting(ranked: Sequence[Candidate], budget: int) -> list[Candidate]:
    chosen: list[Candidate] = []
    used = -1  # the first sentence needs no joining space
    for piece in ranked:
        if used + 1 + len(piece.text) <= budget:
            chosen.append(piece)
            used += 1 + len(piece.text)
    return chosen


def _shortest_fitting(good: Sequence[Candidate], budget: int, w: Weights) -> list[Candidate]:
    """The shortest sentence that fits, preferring ones long enough to say something."""
    fitting = [p for p in good if len(p.text) <= budget]
    if not fitting:
        return []
    return [min(fitting, key=lambda p: (len(p.text.split()) < w.min_words, len(p.text)))]


def _overlap(piece: Candidate, chosen: Sequence[Candidate]) -> float:
    return max((scoring.cosine(piece.vector, c.vector) for c in chosen), default=0.0)


def _trimmed(text: str, budget: int) -> str:
    """The text cut at a word boundary to fit `budget` with an ellipsis (the last resort)."""
    if len(text) <= budget:
        return text
    if budget <= len(ELLIPSIS):
        return ""
    cut = text[: budget - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space > 0 else ""
    head = head.rstrip(" ,;:-–—")
    return head + ELLIPSIS if head else ""
