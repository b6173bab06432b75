"""The poll benchmark's baseline: a naive poller, as a first version of a feed bot would be.

One feed after another, `feedparser.parse(url)` (its own fetching, its default sanitising
and link resolving); a repeated item (same id or link) is skipped, as any poller's "seen"
set does; then every term of every rule is searched on its own with `re` over every field.
The entry-to-article conversion and the rule semantics are the same as monitor's, so the
two find the same matches and only the way of getting there differs.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import feedparser

from monitor.model import FIELDS, Article, Rule, SignalGroup
from monitor.rules.terms import compile_term
from monitor.sources.text import html_to_text
from monitor.sources.urls import canonical_url

Result = list[tuple[str, float]]  # (rule id, score) of each matched rule
_WORD = re.compile(r"\w+")


def naive_article(entry: Mapping[str, Any], feed_url: str, source: str) -> Article:
    """An entry as plain text, the way monitor's parser builds it."""
    link = str(entry.get("link") or "")
    url = canonical_url(link, base=feed_url) if link else ""
    title = html_to_text(str(entry.get("title") or ""))
    summary = html_to_text(str(entry.get("summary") or ""))
    content = "\n".join(html_to_text(str(c.get("value") or ""))
                        for c in entry.get("content") or []).strip()
    guid = str(entry.get("id") or "").strip()
    if guid:
        uid = guid if ":" in guid else f"{feed_url}#{guid}"
    elif url:
        uid = url
    else:
        uid = "sha256:" + hashlib.sha256(f"{feed_url}\n{title}\n{summary}".encode()
                                         ).hexdigest()[:32]
    return Article(uid, url, title, summary, content or summary, None, source, feed_url)


def naive_poll(urls: Sequence[str], rules: Sequence[Rule]
               ) -> tuple[dict[str, Result], int, float]:
    """Poll `urls` one by one: matched uids with their results, articles, seconds matching."""
    matcher = NaiveMatcher(rules)
    seen_uids: set[str] = set()
    seen_urls: set[str] = set()
    found: dict[str, Result] = {}
    matching = 0.0
    for url in urls:
        parsed = feedparser.parse(url)
        entries = [e for e in parsed.get("entries") or []
                   if e.get("title") or e.get("link") or e.get("summary")]
        source = html_to_text(str((parsed.get("feed") or {}).get("title") or "")) or url
        for entry in entries:
            article = naive_article(entry, url, source)
            if article.uid in seen_uids or (article.url and article.url in seen_urls):
                continue
            seen_uids.add(article.uid)
            seen_urls.add(article.url)
            start = time.perf_counter()
            result = matcher.match(article)
            matching += time.perf_counter() - start
            if result:
                found[article.uid] = result
    return found, len(seen_uids), matching


class NaiveMatcher:
    """Every term of every rule searched on its own with `re`, over every field."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.patterns = {t: compile_term(t).pattern for r in rules for t in _rule_terms(r)}

    def match(self, article: Article) -> Result:
        texts: dict[str, str] = {name: article.text(name) for name in FIELDS}
        out = []
        for rule in self.rules:
            score = round(sum(self._points(rule, g, texts) for g in rule.signals), 6)
            if score >= rule.threshold and self._required(rule, texts) \
                    and not self._any(rule.exclude, texts):
                out.append((rule.id, score))
        return sorted(out)

    def _points(self, rule: Rule, group: SignalGroup, texts: dict[str, str]) -> float:
        weights = rule.field_weights()
        order = sorted(FIELDS, key=lambda name: -weights.get(name, 0.0))
        for name in order:
            if self._group_hits(group, texts[name]):
                return group.weight * weights.get(name, 0.0)
        return 0.0

    def _group_hits(self, group: SignalGroup, text: str) -> bool:
        spans = [m.span() for t in group.terms for m in self.patterns[t].finditer(text)]
        if not group.near or not spans:
            return bool(spans)
        anchors = [m.span() for t in group.near for m in self.patterns[t].finditer(text)]
        return any(_near(s, a, text, group.within) for s in spans for a in anchors if s != a)

    def _required(self, rule: Rule, texts: dict[str, str]) -> bool:
        return all(self._any(alternatives, texts) for alternatives in rule.require)

    def _any(self, terms: Sequence[str], texts: dict[str, str]) -> bool:
        return any(self.patterns[t].search(texts[f]) for t in terms for f in FIELDS)


def _near(a: tuple[int, int], b: tuple[int, int], text: str, within: int) -> bool:
    """Spans overlap, or fewer than `within` words lie between them."""
    first, second = sorted([a, b])
    if first[1] > second[0]:
        return True
    return len(_WORD.findall(text, first[1], second[0])) < within


def _rule_terms(rule: Rule) -> list[str]:
    terms = [t for g in rule.signals for t in (*g.terms, *g.near)]
    return terms + [t for alts in rule.require for t in alts] + list(rule.exclude)
