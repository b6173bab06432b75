from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route, rss

RELEVANT = {"title": "EU picks sites for AI gigafactories",
            "link": "https://news.example/eu-ai-gigafactories?utm_source=rss",
            "guid": "https://news.example/eu-ai-gigafactories",
            "description": "<p>Each site will host 100,000 <b>GPUs</b> to train AI models.</p>",
            "pubDate": "Wed, 25 Nov 2026 14:00:00 GMT"}
OTHER = {"title": "Tesla opens a battery gigafactory", "link": "https://news.example/tesla",
         "description": "Cells for electric cars."}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def serve_two(server: FeedServer) -> list[str]:
    server.routes["/a.xml"] = Route(rss([RELEVANT, OTHER], title="Feed A"), etag='"a1"')
    server.routes["/broken.xml"] = Route(b"<html><body>not a feed</body></html>",
                                         content_type="text/html")
    return ["--feed", server.url("/a.xml"), "--feed", server.url("/broken.xml")]


def test_json_output_follows_the_contract(env: Path, feed_server: FeedServer,
                                          rules_dir: Path) -> None:
    code, out, _ = invoke("scan", *serve_two(feed_server), "--rules", str(rules_dir),
                          "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"generated_at", "feeds", "matches"}
    assert ISO.match(doc["generated_at"])
    ok, broken = doc["feeds"]
    assert set(ok) == {"url", "status", "items", "new", "error", "elapsed_ms"}
    assert (ok["status"], ok["items"], ok["new"], ok["error"]) == ("ok", 2, 2, None)
    assert broken["status"] == "error" and "HTML page" in broken["error"]
    (match,) = doc["matches"]
    assert set(match) == {"uid", "url", "title", "source", "published", "rules", "summary",
                          "story", "facts"}
    assert match["facts"] == {"power_mw": [], "investment": [], "gpus": [100000], "chips": [],
                              "companies": ["EU"], "places": [], "status": "announced"}
    assert match["url"] == "https://news.example/eu-ai-gigafactories"
    assert match["published"] == "2026-11-25T14:00:00Z"
    assert match["source"] == "Feed A"
    (rule,) = match["rules"]
    assert rule["id"] == "compute" and rule["score"] >= 4
    assert {"term": "AI gigafactor*", "field": "title", "text": "AI gigafactories"} in rule["hits"]
    assert all(set(h) == {"term", "field", "text"} for h in rule["hits"])


def test_text_output_lists_matches_and_a_footer(env: Path, feed_server: FeedServer,
                                                rules_dir: Path) -> None:
    code, out, _ = invoke("scan", *serve_two(feed_server), "--rules", str(rules_dir))
    assert code == 0
    assert "EU picks sites for AI gigafactories" in out
    assert "Tesla" not in out
    assert "1 matching article · 2 feeds: 1 ok, 1 failed" in out
    assert "failed: " + feed_server.url("/broken.xml") in out
    assert "\x1b[" not in out  # no colour codes when piped


def test_markdown_output(env: Path, feed_server: FeedServer, rules_dir: Path) -> None:
    code, out, _ = invoke("scan", *serve_two(feed_server), "--rules", str(rules_dir),
                          "--format", "markdown")
    assert code == 0
    assert "**[EU picks sites for AI gigafactories](https://news.example/eu-ai-gigafactories)**" \
        in out
    assert "## Feed problems" in out


def test_the_store_makes_the_second_scan_conditional(env: Path, feed_server: FeedServer,
                                                     rules_dir: Path) -> None:
    args = ["scan", "--feed", "", "--rules", str(rules_dir), "--format", "json"]
    feed_server.routes["/a.xml"] = Route(rss([RELEVANT]), etag='"a1"')
    args[2] = feed_server.url("/a.xml")
    first = json.loads(invoke(*args)[1])
    second = json.loads(invoke(*args)[1])
    assert (env / "monitor.db").exists()
    assert first["feeds"][0]["status"] == "ok" and first["feeds"][0]["new"] == 1
    assert second["feeds"][0]["status"] == "not_modified" and second["feeds"][0]["new"] == 0
    assert second["matches"] == first["matches"]
    third = json.loads(invoke(*args, "--no-store")[1])
    assert third["feeds"][0]["status"] == "ok"


def test_a_local_file_feed(env: Path, rules_dir: Path) -> None:
    path = env / "feed.xml"
    path.write_bytes(rss([RELEVANT]))
    code, out, _ = invoke("scan", "--feed", str(path), "--rules", str(rules_dir), "--format",
                          "json", "--no-store")
    assert code == 0 and len(json.loads(out)["matches"]) == 1


def test_the_shipped_rule_finds_an_obvious_story(env: Path, feed_server: FeedServer) -> None:
    shipped = Path(__file__).parents[2] / "rules"
    feed_server.routes["/a.xml"] = Route(rss([RELEVANT, OTHER]))
    code, out, _ = invoke("scan", "--feed", feed_server.url("/a.xml"), "--rules", str(shipped),
                          "--format", "json", "--no-store")
    assert code == 0
    assert [m["title"] for m in json.loads(out)["matches"]] == [RELEVANT["title"]]


def test_a_bad_rule_file_is_one_line_and_exit_1(env: Path) -> None:
    rules = env / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("id: bad\nthreshold: 2\nsignals:\n  - terms: ['/(/']\n"
                                    "    weight: 3\n", encoding="utf-8")
    (env / "x.xml").write_bytes(rss([RELEVANT]))
    code, out, err = invoke("scan", "--rules", str(rules), "--feed", "x.xml")
    assert code == 1 and out == ""
    assert err.startswith(f"error: {rules / 'bad.yaml'}:4: term '/(/'")
    assert err.count("\n") == 1


def test_a_bad_config_is_one_line_and_exit_1(env: Path) -> None:
    (env / "monitor.toml").write_text("[[feeds]]\nurl = 3\n", encoding="utf-8")
    code, _, err = invoke("scan")
    assert code == 1
    assert err == f"error: {Path('monitor.toml')}:2: 'url' in [[feeds]] entry 1 must be a string, not 3\n"


def test_usage_errors_exit_2(env: Path) -> None:
    assert invoke("scan", "--since", "soon")[0] == 2
    assert invoke("scan", "--format", "pdf")[0] == 2


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_from_an_empty_folder_the_shipped_rules_apply(env: Path) -> None:
    feed = Path(__file__).parents[1] / "data" / "docker" / "feed.xml"
    code, out, err = invoke("scan", "--feed", str(feed), "--no-store", "--format", "json")
    assert code == 0, err
    assert [m["rules"][0]["id"] for m in json.loads(out)["matches"]] == ["ai-infrastructure"]
    assert list(env.iterdir()) == []


@pytest.mark.parametrize(("feed", "sentence"), [
    ("www.hpcwire.com/feed", "www.hpcwire.com/feed: not an http(s) URL, and no such file; did "
                             "you mean https://www.hpcwire.com/feed?"),
    ("ftp://x.example/feed", "ftp://x.example/feed: ftp:// is not supported; feeds are read "
                             "over http(s) or from local files"),
])
def test_a_feed_that_is_neither_a_url_nor_a_file_is_a_usage_error(env: Path, feed: str,
                                                                  sentence: str) -> None:
    code, out, err = invoke("scan", "--feed", feed, "--no-store")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == f"error: Invalid value for '--feed': {sentence}"


def test_feeds_failing_the_same_way_are_one_line_and_a_hint(env: Path, feed_server: FeedServer,
                                                            rules_dir: Path) -> None:
    feed_server.routes["/a.xml"] = Route(rss([RELEVANT]))
    port = closed_port()
    dead = [f"http://127.0.0.1:{port}/feed{k}" for k in range(4)]
    args = [a for url in dead for a in ("--feed", url)]
    code, out, _ = invoke("scan", *args, "--feed", feed_server.url("/a.xml"), "--rules",
                          str(rules_dir), "--no-store", "--no-full-text")
    assert code == 0
    footer = out[out.index("1 matching article"):].splitlines()
    assert footer == [
        "1 matching article · 5 feeds: 1 ok, 4 failed",
        "  failed: 4 of 5 feeds failed the same way: connections fail",
        "  What to check first: that this machine is online, then its firewall and proxy "
        "settings.",
        "  `monitor feeds check` lists each feed with its error."]


def test_usage_errors_are_spelled_like_every_error(env: Path) -> None:
    code, _, err = invoke("scan", "--since", "soon")
    assert code == 2
    assert err.splitlines()[-1].startswith("error: Invalid value for --since: 'soon'")
    assert "Error:" not in err
