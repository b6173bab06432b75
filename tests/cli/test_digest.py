"""`monitor digest` and `scan --post` end to end: loopback feeds, a loopback Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route, rss
from tests.slack_server import SlackServer

ITEMS = [
    {"title": "Nvidia and Oracle open a 300 MW AI data centre in Texas",
     "link": "https://a.example/nvidia-oracle-texas", "pubDate": "Wed, 25 Nov 2026 10:00:00 GMT",
     "description": "Nvidia and Oracle opened a 300 MW data centre campus in Abilene, Texas, "
                    "for AI training. The site holds 50,000 GPUs. More halls follow in 2027."},
    {"title": "EuroHPC picks Finland and Spain for AI gigafactories",
     "link": "https://b.example/eurohpc-gigafactories", "pubDate": "Wed, 25 Nov 2026 11:00:00 GMT",
     "description": "EuroHPC selected sites in Finland and Spain for two AI gigafactories. "
                    "Each will train very large models."},
    {"title": "Tesla opens a battery gigafactory", "link": "https://c.example/tesla",
     "description": "Cells for electric cars."},
]


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer,
        slack: SlackServer, database: str) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MONITOR_DB", database)
    monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    feed_server.routes["/feed"] = Route(rss(ITEMS, title="Test News"))
    rules = Path(__file__).parents[1] / "data" / "rules"
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{rules}"
[[feeds]]
url = "{feed_server.url('/feed')}"
name = "Test News"

[[channels]]
name = "ai-infra"
slack_channel = "ai-infra"
""", encoding="utf-8")
    return tmp_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_scan_then_digest_posts_once(env: Path, slack: SlackServer) -> None:
    assert invoke("scan", "--no-full-text").exit_code == 0
    dry = invoke("digest", "--dry-run")
    assert dry.exit_code == 0
    parts = json.loads(dry.stdout)
    assert len(parts) == 1 and parts[0]["blocks"][0]["type"] == "header"
    assert slack.messages == []  # a dry run sends nothing ...
    posted = invoke("digest")
    assert posted.exit_code == 0, posted.output
    assert "ai-infra: posted digest 1 (1 messages)." in posted.stdout  # ... and stores nothing
    (message,) = slack.messages
    assert message.channel == "C0AIINFRA"
    assert "Nvidia and Oracle open a 300 MW AI data centre in Texas" in message.text
    assert "battery" not in message.text.lower()
    again = invoke("digest")
    assert again.exit_code == 0 and "nothing new" in again.stdout
    assert len(slack.messages) == 1


def test_digest_formats(env: Path) -> None:
    invoke("scan", "--no-full-text")
    doc = json.loads(invoke("digest", "--dry-run", "--format", "json").stdout)
    stories = [s for section in doc["sections"] for s in section["stories"]]
    assert {s["title"] for s in stories} == {ITEMS[0]["title"], ITEMS[1]["title"]}
    assert all(s["summary"] for s in stories)
    markdown = invoke("digest", "--dry-run", "--format", "markdown").stdout
    assert markdown.startswith("# AI infrastructure digest")
    assert f"[{ITEMS[0]['title']}]({ITEMS[0]['link']})" in markdown


def test_scan_post_sends_the_matches_as_one_digest(env: Path, slack: SlackServer) -> None:
    result = invoke("scan", "--no-full-text", "--post")
    assert result.exit_code == 0, result.output
    assert len(slack.messages) == 1
    assert invoke("scan", "--no-full-text", "--post").exit_code == 0
    assert len(slack.messages) == 1  # the same stories are never posted twice


def test_a_slack_failure_keeps_the_digest_and_exits_1(env: Path, slack: SlackServer) -> None:
    invoke("scan", "--no-full-text")
    slack.api_error("not_in_channel", times=10)
    failed = invoke("digest")
    assert failed.exit_code == 1
    assert "invite it with /invite @monitor-bot" in failed.stderr
    assert "will be retried" in failed.stderr


def test_bad_token_is_one_sentence(env: Path, slack: SlackServer,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong")
    invoke("scan", "--no-full-text")
    failed = invoke("digest")
    assert failed.exit_code == 1
    assert "SLACK_BOT_TOKEN" in failed.stderr and "xoxb-wrong" not in failed.stderr


def test_console_delivery_without_slack(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config.split("[[channels]]")[0], encoding="utf-8")
    invoke("scan", "--no-full-text")
    printed = invoke("digest")
    assert printed.exit_code == 0
    assert printed.stdout.startswith("AI infrastructure digest")
    assert ITEMS[1]["title"] in printed.stdout
    assert "Nothing new." in invoke("digest").stdout


def test_post_without_slack_is_a_config_error(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config.split("[[channels]]")[0], encoding="utf-8")
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    result = invoke("scan", "--no-full-text", "--post")
    assert result.exit_code == 1
    assert "--post needs Slack" in result.stderr
