"""Who published a feed item: the outlet an aggregator names, not the aggregator's feed.

An aggregator's feed (Google News, Bing News, Yahoo News, Google Alerts, a Feedly or
Inoreader share, an industry newsletter) carries items from many outlets. The publisher is,
in order: the item's own RSS `<source>` or Atom `source` title; the host of that element's
URL; and, for the known aggregators below only, the host of the item's link once a redirect
wrapper is taken off, else the " - Publisher" that Google News appends to its titles. Any
other feed's items have no publisher of their own and keep the feed's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# host (or parent domain) -> (aggregator, path prefix its feeds and links live under)
AGGREGATORS: dict[str, tuple[str, str]] = {
    "news.google.com": ("Google News", "/"),
    "google.com": ("Google Alerts", "/alerts/feeds"),
    "bing.com": ("Bing News", "/news"),
    "news.yahoo.com": ("Yahoo News", "/"),
    "feedly.com": ("Feedly", "/"),
    "inoreader.com": ("Inoreader", "/"),
}
# Click-through wrappers whose query parameter holds the article's own URL.
_REDIRECTS: dict[str, tuple[str, str]] = {
    "bing.com": ("/news/apiclick", "url"),
    "google.com": ("/url", "url"),
    "news.google.com": ("/news/url", "url"),
}
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ")


@dataclass(frozen=True, slots=True)
class Published:
    """An item's publisher ("" when the feed does not say) and its link without a wrapper."""

    publisher: str
    link: str


def publisher_of(*, link: str, title: str, source_title: str = "", source_url: str = "",
                 aggregator_feed: bool = False) -> Published:
    """The publisher of one item, from what its feed says about it.

    `aggregator_feed`: whether the item's feed is a known aggregator's (`is_aggregator`).
    """
    aggregated = aggregator_feed or is_aggregator(link)
    own = unwrap(link) if aggregated else link
    named = " ".join(source_title.split())
    if named:
        return Published(named, own)
    if source_url and (host := site_name(source_url)):
        return Published(host, own)
    if not aggregated:
        return Published("", link)
    if own != link or not is_aggregator(own):
        return Published(site_name(own), own)
    return Published(_title_suffix(title), own)


def strip_publisher(title: str, publisher: str) -> str:
    """The title without a trailing " - Publisher" (how aggregators label their items)."""
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and tail.strip().casefold() == publisher.casefold():
            return head.strip()
    return title


def drop_echo(summary: str, title: str, publisher: str) -> str:
    """"" for a summary that only repeats the title and publisher (as Google News's do)."""
    rest = summary.strip()
    if title and rest.startswith(title):
        rest = rest[len(title):].strip(" -|·\u00a0")
        if not rest or rest.casefold() == publisher.casefold():
            return ""
    return summary


def is_aggregator(url: str) -> bool:
    """Whether a feed or link URL belongs to one of the known aggregators."""
    if not any(domain in url for domain in AGGREGATORS):  # most links: no parse needed
        return False
    host, path = _host_and_path(url)
    return any(_under(host, domain) and path.startswith(prefix)
               for domain, (_, prefix) in AGGREGATORS.items())


def unwrap(link: str) -> str:
    """The article URL inside a known click-through wrapper, or the link itself."""
    host, path = _host_and_path(link)
    for domain, (prefix, param) in _REDIRECTS.items():
        if _under(host, domain) and path.startswith(prefix):
            target = dict(parse_qsl(urlsplit(link).query)).get(param, "")
            if target.startswith(("http://", "https://")):
                return target
    return link


def site_name(url: str) -> str:
    """A site's name as its host shows it: "reuters.com" for https://www.reuters.com/x."""
    host, _ = _host_and_path(url)
    return host.removeprefix("www.")


def _title_suffix(title: str) -> str:
    _, found, tail = title.rpartition(" - ")
    return tail.strip() if found and 0 < len(tail.strip()) <= 60 else ""


def _host_and_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url.strip())
        return (parts.hostname or "").lower(), parts.path or "/"
    except ValueError:
        return "", "/"


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)
