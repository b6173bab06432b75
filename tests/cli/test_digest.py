"""`monitor digest` and `scan --post` end to end: loopback feeds, a loopback Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import monitor.cli.digest as digest_command
import monitor.cli.scan as scan_command
from monitor.cli import cli
from tests.feedserver import FeedServer, Route, rss
from tests.slack_server import Failure, SlackServer

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
    assert "ai-infra: posted digest 1 (1 message)." in posted.stdout  # ... and stores nothing
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
    assert "The bot is not a member of ai-infra (not_in_channel): invite it with /invite @" \
        in failed.stderr
    assert "digest 1 waits until this is fixed" in failed.stderr


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


def without_slack(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config.split("[[channels]]")[0], encoding="utf-8")


def test_a_slack_preview_without_slack_shows_a_default_channels_messages(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    without_slack(env, monkeypatch)
    invoke("scan", "--no-full-text")
    preview = invoke("digest", "--dry-run", "--format", "slack")
    assert preview.exit_code == 0
    (message,) = json.loads(preview.stdout)
    assert message["channel"] == "console" and message["thread"] is False
    assert message["blocks"][0]["type"] == "header"
    assert ITEMS[0]["title"] in json.dumps(message["blocks"], ensure_ascii=False)
    assert "Nothing new" not in invoke("digest", "--dry-run").stdout  # a preview stores nothing


def test_a_digest_says_what_the_per_source_cap_left_out(
        env: Path, monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer) -> None:
    without_slack(env, monkeypatch)
    places = ["Texas", "Ohio", "Oslo", "Lyon", "Milan"]
    builders = ["Nvidia", "Oracle", "Equinix", "Nebius", "Fluidstack"]
    feed_server.routes["/feed"] = Route(rss([
        {"title": f"{who} opens a {100 + 50 * k} MW AI data centre in {where}",
         "link": f"https://a.example/{k}", "pubDate": f"Wed, 25 Nov 2026 1{k}:00:00 GMT",
         "description": f"{who} opened a data centre campus in {where} for AI training."}
        for k, (who, where) in enumerate(zip(builders, places, strict=True))], title="Test News"))
    invoke("scan", "--no-full-text")
    for fmt, line in [("text", "! 2 more stories not shown: per-source cap 3"),
                      ("markdown", "> 2 more stories not shown: per-source cap 3")]:
        shown = invoke("digest", "--dry-run", "--format", fmt).stdout
        assert "3 stories · " in shown and line in shown.splitlines()
    doc = json.loads(invoke("digest", "--dry-run", "--format", "json").stdout)
    assert doc["not_shown"] == {"per_source": 2, "max_stories": 0}
    slack = invoke("digest", "--dry-run", "--format", "slack").stdout
    assert "2 more stories not shown: per-source cap 3" in slack


def test_digest_sends_what_is_pending_even_with_nothing_new(
        env: Path, slack: SlackServer) -> None:
    from datetime import UTC, datetime

    from monitor.config import load_config
    from monitor.outbox import Outbox
    from monitor.schema import digests
    from monitor.store import Store

    assert invoke("scan", "--no-full-text").exit_code == 0
    slack.script(Failure(accept=True, drop=True))  # part 1 posted, its answer lost
    slack.script(Failure(429, "ratelimited", retry_after=600, method="conversations.history"))
    failed = invoke("digest")
    assert failed.exit_code == 1 and "will be retried" in failed.stderr
    store = Store(load_config(None).database)
    (pending,) = Outbox(store).pending()
    store.close()
    assert pending.parts_sent == 0 and len(slack.messages) == 1
    # nothing new since, and the retry time has not come: only the stored digest is pending
    again = invoke("digest")
    assert "nothing new since the last digest" in again.stdout
    assert "digest 1 is pending and will be retried at " in again.stderr
    assert again.exit_code == 0 and len(slack.messages) == 1
    store = Store(load_config(None).database)
    with store.begin() as c:  # its retry time comes
        c.execute(digests.update().values(next_attempt=datetime.now(UTC)))
    store.close()
    done = invoke("digest")
    assert done.exit_code == 0, done.output
    assert "posted digest 1 (1 message; 1 found already in the channel)." in done.stdout
    assert len(slack.messages) == 1


def test_post_to_an_unreachable_webhook_is_one_sentence(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config.split("[[channels]]")[0], encoding="utf-8")
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{port}/services/T/B/s3cr3t")
    result = invoke("scan", "--no-full-text", "--post")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith(
        f"Could not reach the Slack incoming webhook at 127.0.0.1:{port} (Connection refused): "
        "check the network, the proxy settings or SLACK_WEBHOOK_URL; the digest will be sent "
        "on a later run.")
    assert "urlopen" not in result.output and "SLACK_API_URL" not in result.output
    assert "s3cr3t" not in result.output


def test_a_permanent_error_waits_for_a_human_and_slack_check_lets_it_go(
        env: Path, slack: SlackServer) -> None:
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config.replace('slack_channel = "ai-infra"',
                                                     'slack_channel = "#outside"'),
                                      encoding="utf-8")
    invoke("scan", "--no-full-text")
    failed = invoke("digest")
    assert failed.exit_code == 1
    assert ("ai-infra: digest 1 waits until this is fixed: The bot is not a member of #outside "
            "(not_in_channel)") in failed.stderr
    calls = len(slack.requests)
    status = invoke("status", "--format", "json")
    doc = json.loads(status.stdout)
    assert status.exit_code == 1
    assert any(p.startswith("ai-infra: The bot is not a member of #outside (not_in_channel)")
               and "The digest waits" in p for p in doc["problems"])
    assert doc["channels"][0]["waiting_for_fix"].startswith("The bot is not a member")
    assert invoke("digest").exit_code == 1
    once = invoke("run", "--once", "--log-format", "json")
    assert once.exit_code == 1
    assert len(slack.requests) == calls  # within the day, waiting costs Slack nothing
    slack.state.not_member.discard("C0OUTSIDE")  # someone types /invite @monitor-bot
    check = invoke("slack", "check")
    assert check.exit_code == 0, check.output
    assert "ok: channel ai-infra: fixed; its waiting digests go out on the next run" \
        in check.stdout
    posted = invoke("digest")
    assert posted.exit_code == 0 and "posted digest 1 (1 message)." in posted.stdout
    assert [m.channel for m in slack.messages] == ["C0OUTSIDE"]
    assert invoke("status").exit_code == 0


def test_scan_post_does_not_move_the_digest_window(
        env: Path, slack: SlackServer, feed_server: FeedServer) -> None:
    assert invoke("scan", "--no-full-text").exit_code == 0  # stored: first seen now
    feed_server.routes["/other"] = Route(rss([{
        "title": "Microsoft opens a 500 MW AI data centre in Wisconsin",
        "link": "https://d.example/microsoft-wisconsin",
        "description": "Microsoft opened a 500 MW data centre for AI training with GPUs."}]))
    posted = invoke("scan", "--no-full-text", "--post", "--feed", feed_server.url("/other"))
    assert posted.exit_code == 0 and len(slack.messages) == 1
    assert "Microsoft" in slack.messages[0].text
    digest = invoke("digest")  # the matches first seen before that scan are still due
    assert digest.exit_code == 0, digest.output
    (_, message) = slack.messages
    assert ITEMS[0]["title"] in message.text and ITEMS[1]["title"] in message.text
    assert "Microsoft" not in message.text  # and what the scan posted is not posted again


def _tracker_at(env: Path, monkeypatch: pytest.MonkeyPatch, day: str, when: datetime) -> None:
    """`tracker = day` in the config, and `scan` and `digest` run at `when`."""
    for module in (scan_command, digest_command):
        monkeypatch.setattr(module, "now", lambda: when)
    config = (env / "monitor.toml").read_text(encoding="utf-8")
    (env / "monitor.toml").write_text(config + f'tracker = "{day}"\n', encoding="utf-8")


def test_the_tracker_day_s_first_digest_ends_with_the_week_in_figures(
        env: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    _tracker_at(env, monkeypatch, "Thursday", thursday)
    assert invoke("scan", "--no-full-text").exit_code == 0
    markdown = invoke("digest", "--dry-run", "--format", "markdown").stdout
    assert "  *300 MW · 50,000 GPUs · Texas, Abilene · operational*\n" in markdown
    # EuroHPC's story names places and a stage but no figure: not a project of the week
    assert "## This week in figures · Thu 19 Nov – Thu 26 Nov\n\n" \
        "- operational: 1 project, 1 site · 300 MW · 50,000 GPUs\n\n" in markdown
    assert invoke("digest").exit_code == 0
    (message,) = slack.messages
    assert message.blocks[-1]["elements"][0]["text"].startswith("1 project from 2 stories")
    assert "*operational*: 1 project, 1 site · 300 MW · 50,000 GPUs" in \
        json.dumps(message.blocks, ensure_ascii=False)
    # the day's next digest does not repeat it (and has nothing else to say)
    monkeypatch.setattr(digest_command, "now", lambda: thursday + timedelta(hours=3))
    again = invoke("digest")
    assert again.exit_code == 0 and "nothing new" in again.stdout
    assert len(slack.messages) == 1


def test_the_week_in_figures_is_posted_on_its_day_even_with_nothing_new(
        env: Path, slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    _tracker_at(env, monkeypatch, "thu", wednesday)
    invoke("scan", "--no-full-text")
    assert invoke("digest").exit_code == 0
    assert "This week in figures" not in json.dumps(slack.messages[0].blocks)
    monkeypatch.setattr(digest_command, "now", lambda: wednesday + timedelta(hours=18))
    assert invoke("digest").exit_code == 0
    _, week = slack.messages
    assert week.blocks[0]["text"]["text"].endswith("nothing new (Wed 25 Nov 15:00 – Thu 26 Nov "
                                                   "09:00 UTC)")
    assert "*Largest*" in json.dumps(week.blocks)
