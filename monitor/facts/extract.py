"""The facts one article states, from its title and text, by rule (no network, no model)."""

from __future__ import annotations

from monitor.facts.counts import chips, gpus
from monitor.facts.money import investment
from monitor.facts.names import tokens
from monitor.facts.power import power_mw
from monitor.facts.status import status
from monitor.facts.text import sentences
from monitor.facts.where import distinct, most_specific, places_in
from monitor.facts.who import companies_in, mentions
from monitor.model import Article, Facts, Money

MAX_CHARS = 20_000  # the facts of a news story sit in its first pages; bounds a huge input


def extract_facts(title: str, text: str) -> Facts:
    """Power, money, GPU counts, chips, organisations, places and stage that the text states."""
    parts = sentences(title, text[:MAX_CHARS])
    named = []
    places: list[str] = []
    for sentence in parts:
        words = tokens(sentence.text)
        found = mentions(sentence, words)
        named.append((sentence, found))
        taken = {i for m in found for i in range(m.first, m.last)}
        places += places_in(sentence, words, taken, {m.first for m in found})
    return Facts(
        power_mw=tuple(power_mw(parts)),
        investment=tuple(Money(amount, currency) for amount, currency in investment(parts)),
        gpus=tuple(gpus(parts)),
        chips=tuple(chips(parts)),
        companies=tuple(companies_in(named)),
        places=tuple(most_specific(distinct(places))),
        status=status(parts),
    )


def article_facts(article: Article) -> Facts:
    """The facts of a stored or parsed article: its title, then its feed summary and text."""
    summary, content = article.summary, article.content
    if summary and content.startswith(summary[:200]):
        summary = ""  # a feed that gives the same text twice: read it once, dateline first
    return extract_facts(article.title, "\n".join(t for t in (summary, content) if t))
