"""The article in a web page: title, publication time, site name and main text.

trafilatura does the work, tuned for precision (no comments, no tables, no navigation).
When it finds nothing, a page's own JSON-LD `articleBody` (what script-rendered news
sites publish for search engines) and then the largest cluster of prose blocks stand in;
when those find nothing either, the page has no article and `Page.error` says so.
`extract_page` is pure and never raises; `fetch_page` adds the network at the edge.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import lxml.html
import trafilatura
from trafilatura.metadata import examine_title_element
from trafilatura.utils import load_html

from monitor.errors import BlockedURLError
from monitor.model import Page
from monitor.sources.charset import charset_param, decode_html
from monitor.sources.fetch import Fetched, Fetcher, Guard
from monitor.sources.text import normalise
from monitor.sources.urls import is_http_url

_LOG = logging.getLogger(__name__)
NO_ARTICLE = ("the page has no article text (a section front, a paywall, or a page that "
              "needs JavaScript)")
ACCEPT = "text/html,application/xhtml+xml;q=0.9"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MIN_ARTICLE = 120   # characters; less than this is a caption or a teaser, not an article
MIN_BLOCK = 40      # characters of prose for a block to count in the fallback
# htmldate needs a ceiling; the caller, who knows the clock, judges dates in the future.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2100-01-01"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_PUBLISHED_XPATH = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @property='og:published_time' or @itemprop='datePublished'"
    " or @name='parsely-pub-date' or @name='dc.date.issued' or @name='DC.date.issued']/@content"
    " | //*[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime"
)
_BOILERPLATE_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer",
                     "aside", "form", "button", "iframe", "svg", "select", "textarea", "figure")
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:comments?|cookies?|consent|gdpr|banner|newsletter|subscribe|share|sharing"
    r"|social|related|promo|ads?|advert\w*|sidebar|menu|nav\w*|breadcrumbs?|footer|popup|modal"
    r"|disqus|teasers?|complementary)(?:$|[\s_-])", re.I)
_INLINE = frozenset({"a", "abbr", "b", "bdi", "cite", "code", "em", "font", "i", "mark", "q",
                     "s", "small", "span", "strong", "sub", "sup", "time", "u", "br"})
_GONE, _LOCKED = "the page is gone or was never at this URL", "the site refuses access (a login?)"
_STATUS_HINTS = {404: _GONE, 410: _GONE, 401: _LOCKED, 402: _LOCKED, 403: _LOCKED,
                 429: "the site is rate-limiting us; try again later"}
_SENTENCE_END = re.compile(r"[.!?…。][\"'”’)]?(?:\s|$)")


def extract_page(html: bytes | str, *, url: str, charset: str | None = None) -> Page:
    """The article in an HTML page; `charset` is the HTTP header's, if any. Never raises."""
    try:
        return _extract(decode_html(html, charset) if isinstance(html, bytes) else html, url)
    except Exception as exc:  # a library bug on hostile markup must not stop a run
        return Page(url, "", "", None, _host(url),
                    f"the page could not be read ({type(exc).__name__}); it is skipped")


async def fetch_page(fetcher: Fetcher, url: str, *, guard: Guard | None) -> Page:
    """Fetch a page within the fetcher's limits and extract it; failures become `Page.error`.

    Pass the address guard for links that come from feeds. With `guard=None` the URL is
    trusted, and a local path or `file:` URL is read like the fetcher reads feed files.
    Never raises: whatever goes wrong is this page's error, not the run's.
    """
    try:
        return await _fetch_page(fetcher, url, guard)
    except Exception as exc:
        _LOG.warning("page %s failed: %s: %s", url[:200], type(exc).__name__, exc)
        return _failed(url, f"the page could not be fetched ({type(exc).__name__}); "
                            "it is skipped")


async def _fetch_page(fetcher: Fetcher, url: str, guard: Guard | None) -> Page:
    if guard is not None and not is_http_url(url):
        try:
            await guard(url)  # the fetcher reads non-http URLs as files, without its guard
        except BlockedURLError as exc:
            return _failed(url, str(exc))
    fetched = await fetcher.fetch(url, guard=guard, accept=ACCEPT)
    if fetched.status != "ok":
        return _failed(url, _fetch_error(fetched))
    content_type = fetched.headers.get("content-type", "")
    mime = content_type.partition(";")[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        return _failed(url, f"the link leads to {mime[:60]}, not a web page; only HTML is read")
    # A multi-megabyte page takes a second or two to parse; off the loop, other fetches
    # keep their deadlines.
    return await asyncio.to_thread(extract_page, fetched.body, url=fetched.final_url or url,
                                   charset=charset_param(content_type))


def _extract(markup: str, url: str) -> Page:
    markup = _XML_DECLARATION.sub("", _CONTROL.sub("", markup), count=1)
    tree = load_html(markup) if markup.strip() else None
    if tree is None:
        return Page(url, "", "", None, _host(url), NO_ARTICLE)
    meta = trafilatura.extract_metadata(tree, default_url=url or None,
                                        date_config=dict(DATE_PARAMS))
    title, source = _title_and_site(tree, _one_line(meta.title), _one_line(meta.sitename))
    published = _published(tree) or _parse_date(meta.date or "")
    source = source or _host(url)
    text = _drop_title(_article_text(tree, url), title)
    if len(text) < MIN_ARTICLE:
        return Page(url, title, "", published, source, NO_ARTICLE)
    return Page(url, title, text, published, source)


def _article_text(tree: lxml.html.HtmlElement, url: str) -> str:
    """trafilatura first, then the page's JSON-LD body, then the largest prose cluster."""
    document = trafilatura.bare_extraction(
        tree, url=url or None, favor_precision=True, include_comments=False,
        include_tables=False, include_images=False, deduplicate=False)
    text = normalise(getattr(document, "text", None) or "")
    if len(text) >= MIN_ARTICLE:
        return text
    bodies = [normalise(str(node["articleBody"])) for node in _json_ld(tree)
              if isinstance(node.get("articleBody"), str)]
    body = max(bodies, key=len, default="")
    return body if len(body) >= MIN_ARTICLE else _prose_cluster(tree)


def _title_and_site(tree: lxml.html.HtmlElement, title: str, site: str) -> tuple[str, str]:
    """Undo trafilatura's guess when it split <title> into headline and site name.

    It takes the part with a full stop for the site ("example.com"), so a headline with
    "€1.2 billion" in it becomes the site name; the longer part is the better headline.
    """
    _, first, second = examine_title_element(tree)
    parts = {_one_line(first), _one_line(second)}
    if title != site and title in parts and site in parts:
        return max(parts, key=len), min(parts, key=len)
    return title, site


def _one_line(value: str | None) -> str:
    return normalise(value or "").replace("\n", " ")


def _drop_title(text: str, title: str) -> str:
    """The headline often opens the text too; it is already the title."""
    first, _, rest = text.partition("\n")
    return rest if title and first.strip().casefold() == title.casefold() else text


def _published(tree: lxml.html.HtmlElement) -> datetime | None:
    """The publication time the page declares, to the second (htmldate keeps only the day)."""
    declared = [str(value) for value in tree.xpath(_PUBLISHED_XPATH)]
    declared += [str(node["datePublished"]) for node in _json_ld(tree) if "datePublished" in node]
    for value in declared:
        parsed = _parse_date(value)
        if parsed is not None:
            return parsed
    return None


def _parse_date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1995 <= parsed.year <= 2100:
        return None
    # A time without a zone is taken as UTC: the best guess that needs no clock or locale.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _json_ld(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every object in the page's JSON-LD scripts, nested ones and @graph members included."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _objects(data)


def _objects(data: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    if depth < 8:  # real JSON-LD is shallow; hostile nesting is not worth following
        for child in children:
            yield from _objects(child, depth + 1)


def _prose_cluster(tree: lxml.html.HtmlElement) -> str:
    """The parent whose child blocks hold the most prose, as text; empty when none is prose."""
    body = tree.find("body")
    root = body if body is not None else tree
    for element in list(root.iter()):
        if isinstance(element.tag, str) and _is_boilerplate(element):
            element.drop_tree()
    blocks: list[tuple[Any, str]] = []
    _collect_blocks(root, blocks)
    scores: dict[Any, int] = {}
    for element, text in blocks:
        parent = element.getparent()
        scores[parent] = scores.get(parent, 0) + len(text)
    if not scores:
        return ""
    best = max(scores, key=lambda parent: scores[parent])
    text = "\n".join(text for element, text in blocks if element.getparent() is best)
    return text if _SENTENCE_END.search(text) else ""


def _is_boilerplate(element: lxml.html.HtmlElement) -> bool:
    if element.tag in _BOILERPLATE_TAGS or element.get("hidden") is not None:
        return True
    if element.tag in ("body", "main", "article"):
        return False  # their classes describe the page ("has-sidebar"), not the element
    marks = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
    return bool(_BOILERPLATE.search(marks))


def _collect_blocks(element: lxml.html.HtmlElement, out: list[tuple[Any, str]]) -> None:
    """Blocks with enough prose of their own (inline children included), links discounted."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag not in _INLINE:
            own, linked = _own_text(child)
            text = normalise(own)
            if len(text) >= MIN_BLOCK and linked * 2 < len(text):
                out.append((child, text))
        _collect_blocks(child, out)


def _own_text(element: lxml.html.HtmlElement) -> tuple[str, int]:
    """The text of an element outside its block children, and how much of it is link text."""
    parts, linked = [element.text or ""], 0
    for child in element:
        if isinstance(child.tag, str) and child.tag in _INLINE:
            inner, inner_linked = _own_text(child)
            parts.append("\n" if child.tag == "br" else inner)
            linked += len(inner.strip()) if child.tag == "a" else inner_linked
        parts.append(child.tail or "")
    return "".join(parts), linked


def _fetch_error(fetched: Fetched) -> str:
    """One sentence about a page (the fetcher's status sentences speak of feeds)."""
    code = fetched.code
    if code is None or code < 400:
        return fetched.error or "the page could not be fetched"
    default = "the site failed; try again later" if code >= 500 else "the site refused the request"
    hint = _STATUS_HINTS.get(code, default)
    return f"HTTP {code} {httpx.codes.get_reason_phrase(code) or 'error'}: {hint}"


def _failed(url: str, error: str) -> Page:
    return Page(url, "", "", None, _host(url), error)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


__all__ = ["NO_ARTICLE", "Page", "extract_page", "fetch_page"]
