from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.model import Feed
from monitor.sources.opml import read_opml, write_opml
from tests.conftest import NOW


def test_round_trip(tmp_path: Path) -> None:
    feeds = [Feed("https://a.example/rss", "A & B <news>"), Feed("https://b.example/atom", "")]
    path = tmp_path / "feeds.opml"
    path.write_text(write_opml(feeds, title="t", now=NOW), encoding="utf-8")
    assert read_opml(path) == [Feed("https://a.example/rss", "A & B <news>"),
                               Feed("https://b.example/atom", "https://b.example/atom")]


def test_nested_folders_and_outlines_without_feeds(tmp_path: Path) -> None:
    path = tmp_path / "in.opml"
    path.write_text("""<?xml version="1.0"?>
<opml version="1.0"><head><title>x</title></head><body>
  <outline text="Hardware">
    <outline text="STH" type="rss" xmlUrl="https://www.servethehome.com/feed/"/>
    <outline text="Folder"><outline title="Deep" xmlUrl="https://deep.example/rss"/></outline>
  </outline>
  <outline text="A link" htmlUrl="https://no-feed.example/"/>
</body></opml>""", encoding="utf-8")
    assert read_opml(path) == [Feed("https://www.servethehome.com/feed/", "STH"),
                               Feed("https://deep.example/rss", "Deep")]


@pytest.mark.parametrize(("text", "message"), [
    ("<opml><body><outline", "not valid OPML"),
    ("<rss version='2.0'/>", "not an OPML file"),
])
def test_bad_opml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.opml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_opml(path)
