from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError
from monitor.sources.catalog import DEFAULT_FEEDS


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_no_file_gives_working_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={})
    assert config.path is None
    assert config.feeds == DEFAULT_FEEDS
    assert config.database == f"sqlite:///{tmp_path / 'monitor.db'}"
    assert config.rules == tmp_path / "rules"
    assert config.channels == ()


def test_the_environment_supplies_secrets_and_the_database(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"MONITOR_DB": "sqlite:///:memory:", "SLACK_BOT_TOKEN": "xoxb-secret",
           "SLACK_WEBHOOK_URL": "https://hooks.example/T/B/secret", "SLACK_API_URL": "http://127.0.0.1:1/api/",
           "MONITOR_LLM_API_KEY": "sk-secret"}
    config = load_config(None, environ=env)
    assert config.database == "sqlite:///:memory:"
    assert config.slack_bot_token == "xoxb-secret"
    assert config.slack_api_url == "http://127.0.0.1:1/api/"
    assert "secret" not in repr(config)


def test_a_full_file(tmp_path: Path) -> None:
    (tmp_path / "more.opml").write_text(
        '<opml version="2.0"><body><outline text="Extra" xmlUrl="https://extra.example/rss"/>'
        "</body></opml>", encoding="utf-8")
    path = write(tmp_path, """
database = "state/monitor.db"
rules = "my-rules"
timezone = "Europe/Brussels"
feeds_opml = "more.opml"

[[feeds]]
url = "https://example.org/feed.xml"
name = "Example"
interval = "15m"

[[channels]]
name = "ai-infra"
slack_channel = "#ai-infra"
rules = ["ai-infrastructure"]
schedule = "0 9 * * mon-fri"
max_stories = 10

[fetch]
timeout = 5
per_host = 1
""")
    config = load_config(path, environ={})
    assert config.database == f"sqlite:///{tmp_path / 'state' / 'monitor.db'}"
    assert config.rules == tmp_path / "my-rules"
    assert [f.url for f in config.feeds] == ["https://example.org/feed.xml",
                                              "https://extra.example/rss"]
    assert config.feeds[0].interval == timedelta(minutes=15)
    (channel,) = config.channels
    assert (channel.name, channel.rules, channel.max_stories) == ("ai-infra",
                                                                  ("ai-infrastructure",), 10)
    assert config.fetch.timeout == 5.0 and config.fetch.per_host == 1


@pytest.mark.parametrize(("text", "message"), [
    ("databse = 'x'", "monitor.toml:1: unknown setting 'databse'"),
    ("timezone = 'Mars/Olympus'", "monitor.toml:1: unknown timezone"),
    ("[[feeds]]\nname = 'x'", "monitor.toml:1: every [[feeds]] entry needs a url"),
    ("[[feeds]]\nurl = 'x'\n\n[[feeds]]\nurl = 'y'\ninterval = 'often'",
     "monitor.toml:6: 'often' is not a duration"),
    ("[[feeds]]\nurl = 'x'\ncolour = 'red'", "monitor.toml:3: unknown key 'colour'"),
    ("[[channels]]\nname = 'c'\nmax_stories = 'many'", "bad value in [[channels]]"),
    ("[fetch]\ntimeout = 'soon'", "bad value in [fetch]"),
    ("this is not toml", "invalid TOML"),
])
def test_bad_config_is_one_sentence_with_file_and_line(tmp_path: Path, text: str,
                                                        message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "timezone = 'Europe/Brussels'")
    assert load_config(None, environ={"MONITOR_CONFIG": path}).timezone == "Europe/Brussels"
    with pytest.raises(ConfigError, match="MONITOR_CONFIG"):
        load_config(None, environ={"MONITOR_CONFIG": str(tmp_path / "none.toml")})


@pytest.mark.parametrize(("text", "value"), [
    ("90s", timedelta(seconds=90)), ("30m", timedelta(minutes=30)), ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2)), ("1.5h", timedelta(minutes=90)),
])
def test_durations(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["", "7", "d7", "7 days", "-1h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
