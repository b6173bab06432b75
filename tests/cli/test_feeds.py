from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import load_config
from monitor.sources.catalog import DEFAULT_FEEDS
from monitor.sources.opml import read_opml
from tests.feedserver import FeedServer, Route, rss

OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>list</title></head><body>
<outline text="Extra HPC" xmlUrl="https://extra.example/hpc.xml"/>
<outline text="DCD again" xmlUrl="https://www.datacenterdynamics.com/en/rss/"/>
</body></opml>"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.delenv("MONITOR_DB", raising=False)
    return tmp_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_list_shows_the_shipped_feeds(env: Path) -> None:
    result = invoke("feeds", "list")
    assert result.exit_code == 0
    for feed in DEFAULT_FEEDS:
        assert feed.name in result.stdout


def test_check_polls_each_feed_once(env: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/ok"] = Route(rss([{"title": "t", "link": "https://x.example/1"}]))
    feed_server.routes["/gone"] = Route(b"", status=410)
    result = invoke("feeds", "check", "--feed", feed_server.url("/ok"), "--feed",
                    feed_server.url("/gone"))
    assert result.exit_code == 1
    assert "2 feeds: 1 ok, 1 failed" in result.stdout
    assert "removed this feed" in result.stdout
    assert not (env / "monitor.db").exists()


def test_check_exits_0_when_all_feeds_work(env: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/ok"] = Route(rss([{"title": "t", "link": "https://x.example/1"}]))
    assert invoke("feeds", "check", "--feed", feed_server.url("/ok")).exit_code == 0


def test_import_then_export_round_trips(env: Path) -> None:
    (env / "list.opml").write_text(OPML, encoding="utf-8")
    result = invoke("feeds", "import", "list.opml")
    assert result.exit_code == 0, result.output
    config = load_config(None, environ={})
    urls = [f.url for f in config.feeds]
    assert urls[: len(DEFAULT_FEEDS)] == [f.url for f in DEFAULT_FEEDS]
    assert urls[-1] == "https://extra.example/hpc.xml"
    assert len(urls) == len(DEFAULT_FEEDS) + 1
    again = invoke("feeds", "import", "list.opml")
    assert "Added 0 feeds" in again.stdout
    exported = invoke("feeds", "export").stdout
    (env / "out.opml").write_text(exported, encoding="utf-8")
    assert [f.url for f in read_opml(env / "out.opml")] == urls
