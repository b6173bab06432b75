"""Full text only where it can change the outcome, each page fetched once.

An article gets its page fetched when its feed text is short and its title and summary
already reach part of some rule's threshold; the page's text becomes the article's
content. Pages are cached by canonical URL (errors too, so a broken page is not asked
for again on every poll).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.config import FullText
from monitor.model import Article, Feed, Page
from monitor.rules.match import Matcher
from monitor.sources.extract import fetch_page
from monitor.sources.fetch import Fetcher, Guard
from monitor.sources.guard import Origin, origin, shown_url
from monitor.sources.urls import is_http_url


class PageCache(Protocol):
    def pages(self, urls: Sequence[str]) -> Mapping[str, Page]: ...
    def save_pages(self, pages: Mapping[str, Page]) -> None: ...


@dataclass(frozen=True, slots=True)
class Enriched:
    articles: tuple[Article, ...]
    notes: tuple[str, ...]  # one line per page that was refused or failed
    fetched: int


def feed_origins(feeds: Sequence[Feed]) -> set[Origin]:
    """The configured feeds' own origins (scheme, host, port): the guard lets them through."""
    return {o for f in feeds if is_http_url(f.url) for o in [origin(f.url)] if o is not None}


def wants_full_text(article: Article, matcher: Matcher, settings: FullText) -> bool:
    """Short feed text, and the title and summary already reach part of a threshold."""
    if not settings.enabled or not is_http_url(article.url):
        return False
    if len(article.content or article.summary) >= settings.short_chars:
        return False
    teaser = dataclasses.replace(article, content="")
    return any(e.score >= settings.candidate_share * e.rule.threshold and not e.excluded
               for e in matcher.evaluate(teaser))


async def enrich(articles: Sequence[Article], *, matcher: Matcher, settings: FullText,
                 fetcher: Fetcher, guard: Guard | None, cache: PageCache | None) -> Enriched:
    """Articles with the text of their pages where that can change the outcome."""
    wanted = [a for a in articles if wants_full_text(a, matcher, settings)]
    wanted = list({a.url: a for a in wanted}.values())
    cached = dict(cache.pages([a.url for a in wanted])) if cache is not None else {}
    missing = [a.url for a in wanted if a.url not in cached][: settings.max_pages]
    got = await asyncio.gather(*(fetch_page(fetcher, url, guard=guard) for url in missing))
    fresh = dict(zip(missing, got, strict=True))
    if cache is not None and fresh:
        cache.save_pages(fresh)
    pages = {**cached, **fresh}
    notes = tuple(page_note(url, p.error) for url, p in fresh.items() if p.error)
    out = tuple(_with_page(a, pages.get(a.url)) for a in articles)
    return Enriched(out, notes, len(fresh))


def page_note(url: str, error: str) -> str:
    """'full text of URL: what went wrong', with the URL once though the fetcher's or the
    guard's sentence names it too (in full, or shortened)."""
    for shown in (url, shown_url(url)):
        error = error.removeprefix(f"{shown}: ").replace(f" {shown}:", ":")
    return f"full text of {url}: {error}"


def _with_page(article: Article, page: Page | None) -> Article:
    if page is None or page.error or len(page.text) <= len(article.content):
        return article
    return dataclasses.replace(article, content=page.text,
                               published=article.published or page.published)
