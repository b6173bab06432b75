"""Publishers, not feeds: aggregator feeds give each item the outlet that published it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.digest import build_digest, rank_stories
from monitor.model import Item, Story
from monitor.sources.parse import ParsedFeed, parse_feed
from monitor.sources.publisher import is_aggregator, publisher_of, strip_publisher, unwrap

FEEDS = Path(__file__).parent.parent / "data" / "feeds"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def parse(file: str, url: str, name: str = "") -> ParsedFeed:
    return parse_feed((FEEDS / file).read_bytes(), url=url, name=name)


def test_rss_source_names_the_publisher_and_leaves_the_title_clean() -> None:
    feed = parse("aggregator-rss-source.xml",
                 "https://news.google.com/rss/search?q=%22AI+data+center%22", name="Google AI")
    assert [a.source for a in feed.articles] == ["Reuters", "CNBC", "Data Center Dynamics",
                                                 "Reuters"]
    assert feed.articles[0].title == "Nvidia to build AI supercomputers in the US for the first time"
    # only a trailing " - Publisher" goes; the name elsewhere in a title stays
    assert feed.articles[3].title == "Reuters explainer: what the chip export rules mean"
    # Google's description only repeats the title and the publisher: it is no summary
    assert (feed.articles[0].summary, feed.articles[0].content) == ("", "")
    assert feed.articles[2].summary == "A utility agreed to supply a planned campus."
    assert feed.articles[0].feed_url.startswith("https://news.google.com/")


def test_atom_source_title_then_its_link_then_the_feed_name() -> None:
    feed = parse("aggregator-atom-source.xml", "https://computebrief.example/atom.xml")
    assert [a.source for a in feed.articles] == ["Grid News Daily", "hpcwire.example",
                                                 "Compute Brief"]
    assert feed.articles[0].url == "https://gridnews.example/2026/11/25/connection"


def test_bing_news_links_are_unwrapped_to_the_article_and_its_site() -> None:
    feed = parse("aggregator-bing-news.xml",
                 "https://www.bing.com/news/search?q=AI+gigafactory&format=rss")
    first, second = feed.articles
    assert first.url == "https://www.euronews.com/next/2026/11/20/eu-shortlists-ai-gigafactories"
    assert (first.source, second.source) == ("euronews.com", "sciencebusiness.net")
    assert first.uid == first.url  # no guid: the article's own URL identifies it


def test_google_news_without_source_falls_back_to_the_title_suffix() -> None:
    feed = parse("aggregator-no-source.xml", "https://news.google.com/rss/search?q=stargate",
                 name="Stargate news")
    named, bare = feed.articles
    assert named.source == "Financial Times"
    assert named.title == "OpenAI names Norway site for its first European data centre"
    assert bare.source == "Stargate news"  # nothing names a publisher: the feed's name stays
    assert bare.title == "A headline with no publisher after it"


def test_an_ordinary_feed_keeps_its_name_even_with_links_elsewhere() -> None:
    feed = parse("rss2.xml", "https://feeds.example/rss2.xml", name="Compute Weekly")
    assert {a.source for a in feed.articles} == {"Compute Weekly"}


@pytest.mark.parametrize(("url", "expected"), [
    ("https://news.google.com/rss/search?q=x", True),
    ("https://www.google.com/alerts/feeds/0123/4567", True),
    ("https://www.google.com/search?q=x", False),
    ("https://www.bing.com/news/search?q=x&format=rss", True),
    ("https://www.bing.com/search?q=x", False),
    ("https://feedly.com/f/abc.xml", True),
    ("https://www.inoreader.com/stream/user/1/tag/ai", True),
    ("https://notgoogle.com/news", False),
    ("http://[::1", False),
])
def test_known_aggregators(url: str, expected: bool) -> None:
    assert is_aggregator(url) is expected


def test_unwrap_leaves_other_links_and_bad_targets_alone() -> None:
    alert = "https://www.google.com/url?rct=j&sa=t&url=https://www.ft.com/content/abc&ct=ga"
    assert unwrap(alert) == "https://www.ft.com/content/abc"
    assert unwrap("https://www.google.com/url?url=javascript:alert(1)") == \
        "https://www.google.com/url?url=javascript:alert(1)"
    assert unwrap("https://example.org/a?url=https://b.example/") == \
        "https://example.org/a?url=https://b.example/"


def test_a_feedly_share_names_the_site_the_item_links_to() -> None:
    found = publisher_of(link="https://www.theregister.com/2026/11/25/gpu_cluster/",
                         title="GPU cluster story", aggregator_feed=True)
    assert found.publisher == "theregister.com"


@pytest.mark.parametrize(("title", "publisher", "expected"), [
    ("Chip deal signed - Reuters", "Reuters", "Chip deal signed"),
    ("Chip deal signed | The Register", "the register", "Chip deal signed"),
    ("Reuters", "Reuters", "Reuters"),
    ("Chip deal signed - Reuters analysis", "Reuters", "Chip deal signed - Reuters analysis"),
])
def test_strip_publisher(title: str, publisher: str, expected: str) -> None:
    assert strip_publisher(title, publisher) == expected


def test_per_source_caps_publishers_and_also_covered_names_outlets() -> None:
    feed = parse("aggregator-rss-source.xml",
                 "https://news.google.com/rss/search?q=%22AI+data+center%22")
    items = [Item(article, ()) for article in feed.articles]
    stories = [Story(f"s{k}", item) for k, item in enumerate(items)]
    kept = rank_stories(stories, now=NOW, max_stories=10, per_source=1)
    # one story per publisher (Reuters twice, so one of its two goes), not one for the feed
    assert sorted(s.lead.article.source for s in kept) == ["CNBC", "Data Center Dynamics",
                                                          "Reuters"]
    digest = build_digest("c", items[:2], now=NOW, since=None, until=NOW, per_source=0)
    (story,) = digest.stories  # Reuters and CNBC report one event
    assert set(story.sources) == {"Reuters", "CNBC"}
