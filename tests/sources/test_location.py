"""Where a feed can be read from: one clear sentence for anything that is neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.sources.location import location_problem


@pytest.mark.parametrize("value", ["https://www.hpcwire.com/feed/", "http://127.0.0.1:8080/x",
                                   "HTTPS://Example.org/rss"])
def test_http_urls_are_fine(value: str) -> None:
    assert location_problem(value) is None


def test_files_are_fine_relative_to_a_base(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    assert location_problem(str(tmp_path / "feed.xml")) is None
    assert location_problem(f"file://{tmp_path / 'feed.xml'}") is None
    assert location_problem("feed.xml", base=tmp_path) is None


@pytest.mark.parametrize(("value", "sentence"), [
    ("www.hpcwire.com/feed", "www.hpcwire.com/feed: not an http(s) URL, and no such file; "
                             "did you mean https://www.hpcwire.com/feed?"),
    ("hpcwire.com", "hpcwire.com: not an http(s) URL, and no such file; did you mean "
                    "https://hpcwire.com?"),
    ("ftp://x.example/feed", "ftp://x.example/feed: ftp:// is not supported; feeds are read "
                             "over http(s) or from local files"),
    ("feed://x.example/rss", "feed://x.example/rss: feed:// is not supported"),
    ("https:///feed", "https:///feed: the URL has no host name"),
    ("news/missing.xml", "news/missing.xml: the file does not exist; check the path"),
])
def test_anything_else_gets_one_sentence(tmp_path: Path, value: str, sentence: str) -> None:
    problem = location_problem(value, base=tmp_path)
    assert problem is not None and problem.startswith(sentence)
