"""The poll benchmark's baseline: a naive poller, as a first version of a feed bot would be.

One feed after another, `feedparser.parse(url)` (its own fetching, its default sanitising
and link resolving); a repeated item (same id or link) is skipped, as any poller's "seen"
set does; then every term of every rule is searched on its own with `re` over every field.
The entry-to-article conversion and the rule semantics are the same as monitor's, so the
two find the same matches and only the way of getting there differs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from typing import Any

import feedparser
from match import Baseline, Result  # bench/match.py: the same naive matcher

from monitor.model import Article, Rule
from monitor.sources.text import html_to_text
from monitor.sources.urls import canonical_url


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
    matcher = Baseline(rules)
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
