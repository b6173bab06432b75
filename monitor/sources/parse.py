"""Feed bytes to Articles. Pure: bytes and headers in, plain-text articles out."""

from __future__ import annotations

import calendar
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import ParseError
from monitor.model import Article
from monitor.sources.publisher import drop_echo, is_aggregator, publisher_of, strip_publisher
from monitor.sources.text import html_to_text
from monitor.sources.urls import canonical_url

# feedparser sanitises HTML and resolves relative links inside it; we only ever turn
# that HTML into text, so both are wasted work (about two thirds of its time on
# large feeds).
_PARSE_OPTIONS = {"sanitize_html": False, "resolve_relative_uris": False}


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its title, items, an optional warning, and its `<ttl>` in minutes."""

    title: str
    articles: tuple[Article, ...]
    warning: str | None = None
    ttl_minutes: int | None = None


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None,
               name: str = "") -> ParsedFeed:
    """Parse a feed body; raises ParseError with one sentence when there is nothing to use."""
    if not body.strip():
        raise ParseError("the response body is empty")
    parsed = feedparser.parse(body, response_headers=dict(headers or {}), **_PARSE_OPTIONS)
    # A truncated document can leave a half-read entry with nothing in it.
    entries = [e for e in parsed.get("entries") or []
               if e.get("title") or e.get("link") or e.get("summary")]
    warning = None
    if parsed.get("bozo"):
        problem = _bozo_reason(parsed.get("bozo_exception"))
        if not entries:
            raise ParseError(_not_a_feed(body, problem))
        warning = f"the feed is not well-formed ({problem}); its {len(entries)} items were used"
    elif not parsed.get("version") and not entries:
        raise ParseError(_not_a_feed(body, "no RSS, Atom or RDF root element"))
    channel = parsed.get("feed") or {}
    title = html_to_text(str(channel.get("title") or ""))
    source = name or title or url
    aggregator = is_aggregator(url)
    articles = tuple(_article(entry, feed_url=url, source=source, aggregator=aggregator)
                     for entry in entries)
    return ParsedFeed(title, articles, warning, _ttl(channel))


def _bozo_reason(exc: object) -> str:
    text = str(exc or "unknown error").strip().rstrip(".")
    return text.splitlines()[0][:160] if text else "unknown error"


def _not_a_feed(body: bytes, problem: str) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return ("the URL returned an HTML page, not a feed; use the site's RSS or Atom link "
                "instead")
    return f"the body is not a valid feed ({problem})"


def _ttl(channel: Mapping[str, Any]) -> int | None:
    try:
        value = int(str(channel.get("ttl", "")).strip())
    except ValueError:
        return None
    return value if value > 0 else None


def _article(entry: Mapping[str, Any], *, feed_url: str, source: str,
             aggregator: bool = False) -> Article:
    """One item as an Article; its source is its publisher when the feed names one."""
    title = html_to_text(str(entry.get("title") or ""))
    origin = entry.get("source") or {}
    published_by = publisher_of(
        link=str(entry.get("link") or ""), title=title, aggregator_feed=aggregator,
        source_title=html_to_text(str(origin.get("title") or "")),
        source_url=str(origin.get("href") or origin.get("link") or ""))
    link = published_by.link
    url = canonical_url(link, base=feed_url) if link else ""
    summary = html_to_text(str(entry.get("summary") or ""))
    if published_by.publisher:
        title = strip_publisher(title, published_by.publisher)
        summary = drop_echo(summary, title, published_by.publisher)
    contents = entry.get("content") or []
    content = "\n".join(html_to_text(str(c.get("value") or "")) for c in contents).strip()
    return Article(
        uid=_uid(entry, url, feed_url, title, summary),
        url=url,
        title=title,
        summary=summary,
        content=content or summary,
        published=_published(entry),
        source=published_by.publisher or source,
        feed_url=feed_url,
    )


def _uid(entry: Mapping[str, Any], url: str, feed_url: str, title: str, summary: str) -> str:
    """The guid when there is one, else the canonical link, else a hash of the text."""
    guid = str(entry.get("id") or "").strip()
    if guid:
        # A guid with a scheme ("https://...", "tag:", "urn:") is global; a bare one
        # ("1234") is only unique within its feed.
        return guid if ":" in guid else f"{feed_url}#{guid}"
    if url:
        return url
    digest = hashlib.sha256(f"{feed_url}\n{title}\n{summary}".encode()).hexdigest()[:32]
    return f"sha256:{digest}"


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None
