from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.sources.parse import ParsedFeed, parse_feed

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def parse(file: str, name: str = "") -> ParsedFeed:
    return parse_feed((FEEDS / file).read_bytes(), url=f"https://feeds.example/{file}",
                      name=name)


def test_rss2_items_become_plain_text_articles() -> None:
    feed = parse("rss2.xml")
    assert feed.title == "Compute Weekly"
    assert feed.ttl_minutes == 60
    first, second, third = feed.articles
    assert first.title == "EU picks sites for five AI gigafactories"
    assert first.url == "https://compute.example/news/eu-gigafactories"
    assert first.uid == "https://feeds.example/rss2.xml#compute-example-1001"
    assert first.summary == "The Commission shortlisted five sites for AI gigafactories."
    assert first.content == ("The Commission shortlisted five sites.\n"
                             "Each will host about 100,000 GPUs to train very large models.")
    assert first.published == datetime(2026, 11, 25, 13, 2, tzinfo=UTC)
    assert first.source == "Compute Weekly"
    assert second.title == "Chipmaker & partners open a fab"
    assert second.summary == "A new fab opens today."
    assert second.uid == second.url == "https://feeds.example/news/fab"
    assert third.url == ""
    assert third.uid.startswith("sha256:")


def test_the_uid_is_stable_across_parses() -> None:
    assert [a.uid for a in parse("rss2.xml").articles] == \
        [a.uid for a in parse("rss2.xml").articles]


def test_atom_entry() -> None:
    feed = parse("atom.xml")
    assert feed.title == "HPC & AI Notes"
    (entry,) = feed.articles
    assert entry.uid == "tag:hpc.example,2026:entry-7"
    assert entry.url == "https://hpc.example/2026/exascale"
    assert entry.summary == "The machine reached one exaflop."
    assert entry.content == "The machine reached one exaflop on the benchmark."
    assert entry.published == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_rdf_item_with_dc_date() -> None:
    (item,) = parse("rdf.xml").articles
    assert item.title == "Grid operator approves data centre connection"
    assert item.published == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def test_declared_encoding_is_honoured() -> None:
    feed = parse("latin1.xml")
    assert feed.title == "Café news"
    assert feed.articles[0].title == "Réseau électrique et centres de données"


def test_the_feed_name_wins_over_its_title() -> None:
    assert parse("atom.xml", name="My HPC").articles[0].source == "My HPC"


def test_a_malformed_feed_with_items_is_used_with_a_warning() -> None:
    feed = parse("bozo.xml")
    assert [a.title for a in feed.articles] == ["First item with an undefined entity",
                                                "Second item"]
    assert feed.warning is not None and "not well-formed" in feed.warning


@pytest.mark.parametrize(("name", "message"), [
    ("empty.xml", "the response body is empty"),
    ("page.html", "HTML page, not a feed"),
    ("invalid.xml", "not a valid feed"),
])
def test_unusable_bodies_raise_one_sentence(name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse(name)
    assert "\n" not in str(caught.value)


def test_wrong_declared_encoding_still_parses() -> None:
    body = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>x</title>" \
           "<item><title>Caf\xe9 GPUs</title><link>https://x.example/1</link></item>" \
           "</channel></rss>"
    feed = parse_feed(body.encode("latin-1"), url="https://x.example/feed")
    assert len(feed.articles) == 1
    assert "GPUs" in feed.articles[0].title


def test_headers_give_the_encoding() -> None:
    body = "<rss version='2.0'><channel><title>x</title><item><title>Caf\xe9</title>" \
           "<link>https://x.example/1</link></item></channel></rss>".encode("latin-1")
    feed = parse_feed(body, url="https://x.example/feed",
                      headers={"content-type": "application/rss+xml; charset=iso-8859-1"})
    assert feed.articles[0].title == "Café"
