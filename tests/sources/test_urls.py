from __future__ import annotations

import pytest

from monitor.sources.urls import canonical_url, is_tracking

BASE = "https://example.org/news/ai-gigafactories"


@pytest.mark.parametrize("url", [
    BASE,
    BASE + "?utm_source=rss&utm_medium=feed&utm_campaign=x",
    BASE + "?fbclid=abc123",
    BASE + "?gclid=1&utm_term=gpu#comments",
    "HTTPS://EXAMPLE.ORG:443/news/ai-gigafactories?mc_cid=1&mc_eid=2",
    "  https://Example.Org/news/ai-gigafactories#top  ",
])
def test_tracking_links_of_one_article_are_one_url(url: str) -> None:
    assert canonical_url(url) == BASE


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org", "https://example.org/"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("http://example.org:8080/a", "http://example.org:8080/a"),
    ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
    ("https://example.org/a?id=7&utm_source=x", "https://example.org/a?id=7"),
    ("https://example.org/a?q=data%20centre", "https://example.org/a?q=data%20centre"),
    ("https://example.org/Case/Path", "https://example.org/Case/Path"),
    ("mailto:someone@example.org", "mailto:someone@example.org"),
    ("not a url", "not a url"),
    ("https://[::1]:8443/x", "https://[::1]:8443/x"),
])
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_relative_links_resolve_against_the_feed() -> None:
    assert canonical_url("/news/1?utm_source=x", base="https://example.org/feed.xml") == \
        "https://example.org/news/1"


@pytest.mark.parametrize(("name", "tracking"), [
    ("utm_source", True), ("UTM_Medium", True), ("fbclid", True), ("gclid", True),
    ("id", False), ("page", False), ("p", False),
])
def test_is_tracking(name: str, tracking: bool) -> None:
    assert is_tracking(name) is tracking


def test_a_broken_port_does_not_raise() -> None:
    assert canonical_url("http://example.org:99999999/x") == "http://example.org:99999999/x"
