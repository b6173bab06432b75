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
    assert again.stdout == "No new feeds in list.opml (2 already configured); monitor.toml is unchanged.\n"
    exported = invoke("feeds", "export").stdout
    (env / "out.opml").write_text(exported, encoding="utf-8")
    assert [f.url for f in read_opml(env / "out.opml")] == urls


def test_importing_a_feed_already_shipped_adds_nothing(env: Path) -> None:
    (env / "one.opml").write_text(
        '<opml version="2.0"><body><outline text="HPCwire" xmlUrl="https://www.hpcwire.com/feed/"/>'
        "</body></opml>", encoding="utf-8")
    result = invoke("feeds", "import", "one.opml")
    assert result.exit_code == 0
    assert result.stdout == ("No new feeds in one.opml (1 already configured); monitor.toml is "
                             "unchanged.\n")
    assert not (env / "monitor.toml").exists()


def test_import_warns_about_entries_that_are_not_urls_and_counts_honestly(env: Path) -> None:
    (env / "mixed.opml").write_text(
        '<opml version="2.0"><body>'
        '<outline text="Bare" xmlUrl="www.example.com/rss"/>'
        '<outline text="FTP" xmlUrl="ftp://files.example/feed"/>'
        '<outline text="New" xmlUrl="https://new.example/feed"/>'
        '<outline text="HPCwire" xmlUrl="https://www.hpcwire.com/feed/"/>'
        "</body></opml>", encoding="utf-8")
    result = invoke("feeds", "import", "mixed.opml")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: mixed.opml: skipped www.example.com/rss: not an http(s) URL, and no such file; "
        "did you mean https://www.example.com/rss?",
        "warning: mixed.opml: skipped ftp://files.example/feed: ftp:// is not supported; feeds "
        "are read over http(s) or from local files"]
    assert result.stdout == ("Added 1 new feed to monitor.toml (1 already configured); the 16 "
                             "shipped feeds were written first, so they stay polled.\n")
    text = (env / "monitor.toml").read_text(encoding="utf-8")
    assert "www.example.com/rss" not in text and "ftp://" not in text
    assert invoke("config", "check").exit_code == 0


def test_piped_lists_are_tab_separated_and_never_clipped(env: Path) -> None:
    long_url = "https://www.datacenterdynamics.example/en/rss/" + "section/" * 12
    (env / "monitor.toml").write_text(f'[[feeds]]\nurl = "{long_url}"\nname = "DCD"\n',
                                      encoding="utf-8")
    result = invoke("feeds", "list")
    assert result.stdout.splitlines() == ["name\turl\tevery\tlast status\terrors",
                                          f"DCD\t{long_url}\t30m\tnever polled\t-"]


def test_check_refuses_a_feed_without_a_scheme(env: Path) -> None:
    result = invoke("feeds", "check", "--feed", "www.hpcwire.com/feed")
    assert result.exit_code == 2
    assert "did you mean https://www.hpcwire.com/feed?" in result.stderr
