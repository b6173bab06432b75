from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError
from monitor.shipped import RULES as SHIPPED_RULES
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
    assert config.rules == SHIPPED_RULES and config.shipped_rules
    assert config.channels == ()


def test_a_rules_directory_in_the_working_folder_wins(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    config = load_config(None, environ={})
    assert config.rules == tmp_path / "rules" and not config.shipped_rules


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
    (tmp_path / "my-rules").mkdir()
    (tmp_path / "my-rules" / "infra.yaml").write_text("id: ai-infrastructure\n", encoding="utf-8")
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
    ("databse = 'x'", "monitor.toml:1: unknown key 'databse'; the keys are: channels, database,"),
    ("timezone = 'Mars/Olympus'", "monitor.toml:1: unknown timezone"),
    ("[[feeds]]\nname = 'x'", "monitor.toml:1: [[feeds]] 'x' needs 'url'"),
    ("[[feeds]]\nurl = 'https://a.example/'\n\n[[feeds]]\nurl = 'https://b.example/'\n"
     "interval = 'often'", "monitor.toml:6: 'often' is not a duration"),
    ("[[feeds]]\nurl = 'https://a.example/'\ncolour = 'red'",
     "monitor.toml:3: unknown key 'colour' in [[feeds]] entry 1; the keys are: interval, name, url"),
    ("[[channels]]\nname = 'c'\nmax_stories = 'many'",
     "monitor.toml:3: 'max_stories' in [[channels]] 'c' must be a whole number, not 'many'"),
    ("[fetch]\ntimeout = 'soon'", "monitor.toml:2: 'timeout' in [fetch] must be a number, not 'soon'"),
    ("this is not toml", "monitor.toml:1: invalid TOML"),
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


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
timezone = "UTC"

[[channels]]
name = "ai-infra"
rules = ["ai-infrastructure", "no-such-rule"]
schedule = "0 25 * * mon"
sections = "bogus"

[[feeds]]
url = "www.hpcwire.com/feed"
""")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [
        f"{path}:5", f"{path}:6", f"{path}:7", f"{path}:10"]
    rules, schedule, sections, feed = caught.value.problems
    assert "channel 'ai-infra' names rules that do not exist: no-such-rule; the rules are: " \
        "ai-infrastructure" in rules  # the shipped rules, as no rules/ is beside the file
    assert "schedule '0 25 * * mon' is not a cron expression" in schedule
    assert "must be 'rule', 'group' or 'none', not 'bogus'" in sections
    assert "did you mean https://www.hpcwire.com/feed?" in feed
    assert str(caught.value).endswith("(and 3 more; `monitor config check` lists them)")


def test_sections_per_group_and_a_summary_table_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, '[summary]\nsentences = 2\nchars = 300\n\n[[channels]]\n'
                           'name = "c"\nsections = "group"\n')
    config = load_config(path, environ={})
    assert config.channels[0].sections == "group"
    assert (config.summary_sentences, config.summary_chars) == (2, 300)


def test_a_channel_s_tracker_day_is_a_weekday_in_any_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, '[[channels]]\nname = "a"\ntracker = "Monday"\n\n'
                           '[[channels]]\nname = "b"\ntracker = "FRI"\n\n[[channels]]\nname = "c"\n')
    config = load_config(path, environ={})
    assert [c.tracker for c in config.channels] == ["mon", "fri", ""]


def test_the_fetch_table_knows_every_fetch_setting() -> None:
    from dataclasses import fields

    from monitor.config_check import TABLES
    from monitor.sources.fetch import FetchSettings

    assert set(TABLES["fetch"]) == {f.name for f in fields(FetchSettings)}


def test_a_relative_feed_file_is_read_from_the_config_folder(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "local.xml").write_text("<rss/>", encoding="utf-8")
    path = write(tmp_path, '[[feeds]]\nurl = "feeds/local.xml"\n')
    monkeypatch.chdir(tmp_path / "feeds")  # anywhere else
    assert load_config(path, environ={}).feeds[0].url == str(tmp_path / "feeds" / "local.xml")


def test_bad_opml_entries_and_a_missing_rules_directory(tmp_path: Path) -> None:
    (tmp_path / "list.opml").write_text(
        '<opml version="2.0"><body><outline xmlUrl="https://ok.example/rss"/>'
        '<outline xmlUrl="ok.example/other"/></body></opml>', encoding="utf-8")
    path = write(tmp_path, 'feeds_opml = "list.opml"\nrules = "my-rules"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.problems == (
        f"{path}:2: the rules directory {tmp_path / 'my-rules'} does not exist; fix `rules`, or "
        "remove it to use the shipped rules",
        f"{tmp_path / 'list.opml'}: ok.example/other: not an http(s) URL, and no such file; did "
        "you mean https://ok.example/other?")


def test_two_channels_with_one_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[[channels]]\nname = "c"\n\n[[channels]]\nname = "c"\n')
    with pytest.raises(ConfigError, match=r"monitor.toml:5: two \[\[channels\]\] are named 'c'"):
        load_config(path, environ={})


def test_a_broken_opml_file_is_a_problem_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "list.opml").write_text("<opml>\n<body>\n</opml>", encoding="utf-8")
    path = write(tmp_path, 'feeds_opml = "list.opml"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value).startswith(f"{tmp_path / 'list.opml'}:3: not valid OPML")


def test_a_tracker_day_the_schedule_never_runs_on_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, '[[channels]]\nname = "a"\nschedule = "0 9 * * mon-fri"\n'
                           'tracker = "sun"\n\n[[channels]]\nname = "b"\nschedule = "30 7 * * *"\n'
                           'tracker = "sun"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (problem,) = caught.value.problems
    assert problem.endswith(":4: channel 'a': tracker 'sun' is a day its schedule '0 9 * * "
                            "mon-fri' never runs on, so the week in figures would never be "
                            "posted; pick a day the schedule runs")
