"""Configuration: monitor.toml plus the environment, with working defaults and no file at all.

The file is found by --config, then $MONITOR_CONFIG, then ./monitor.toml. The rules are
the `rules` setting, else a `rules` directory beside the file (or in the working folder
when there is no file), else the rules the package ships. Every command reads the config
through `load_config`, which checks all of it at once (`monitor/config_check.py` holds
the schema) and reports every problem as `file:line: message`. Secrets come only from
the environment and never appear in a repr, a message or a log line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor.config_check import (
    Locator,
    Problem,
    check_data,
    parse_duration,
    parse_weekday,
)
from monitor.errors import ConfigError
from monitor.model import Feed
from monitor.rules.load import declared_ids
from monitor.shipped import RULES as SHIPPED_RULES
from monitor.sources.catalog import DEFAULT_FEEDS
from monitor.sources.location import local_path, location_problem
from monitor.sources.opml import read_opml

if TYPE_CHECKING:
    from monitor.sources.fetch import FetchSettings

__all__ = ["Channel", "Config", "FullText", "database_url", "load_config", "parse_duration",
           "read_config"]


@dataclass(frozen=True, slots=True)
class Channel:
    """A digest destination."""

    name: str
    slack_channel: str = ""
    webhook: bool = False
    rules: tuple[str, ...] = ()  # empty: every rule
    schedule: str = "0 9 * * mon-fri"
    max_stories: int = 15
    per_source: int = 3
    post_empty: bool = False
    sections: str = "rule"
    tracker: str = ""  # "mon".."sun": that day's first digest ends with the week in figures


@dataclass(frozen=True, slots=True)
class FullText:
    """When to fetch an article's page: its feed text is short and it is a near-candidate."""

    enabled: bool = True
    short_chars: int = 600       # feed text shorter than this is "short"
    candidate_share: float = 0.3  # title/summary already reach this share of a threshold
    max_pages: int = 40          # per run


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    base: Path
    database: str
    rules: Path
    timezone: str = "UTC"
    feeds: tuple[Feed, ...] = DEFAULT_FEEDS
    channels: tuple[Channel, ...] = ()
    fetch_options: Mapping[str, Any] = field(default_factory=dict)  # [fetch] as written
    full_text: FullText = field(default_factory=FullText)
    summary_sentences: int = 3
    summary_chars: int = 600
    feed_health_after: timedelta | None = timedelta(hours=24)
    retention: timedelta | None = timedelta(days=180)  # None ("off"): keep everything
    shipped_rules: bool = False  # `rules` is the package's own copy
    shipped_feeds: bool = True   # no feeds configured: the shipped list
    slack_api_url: str = ""
    llm_url: str = ""
    llm_model: str = ""
    slack_bot_token: str = field(default="", repr=False)
    slack_webhook_url: str = field(default="", repr=False)
    llm_api_key: str = field(default="", repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def fetch(self) -> FetchSettings:
        """The request limits. Built when asked for, so a command that fetches nothing
        never imports the HTTP stack."""
        from monitor.sources.fetch import FetchSettings

        return FetchSettings(**self.fetch_options)


def database_url(value: str, base: Path | None = None) -> str:
    """A SQLAlchemy URL from a URL or a file path (relative to `base`)."""
    if "://" in value:
        return normalise_url(value)
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` (no driver named) mean psycopg 3."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() in ("postgresql", "postgres"):
        return f"postgresql+psycopg{sep}{rest}"
    return url


def find_config(explicit: str | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read, or None for built-in defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: the config file does not exist; check --config")
        return path
    if environ.get("MONITOR_CONFIG"):
        path = Path(environ["MONITOR_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"{path}: the file named by MONITOR_CONFIG does not exist")
        return path
    local = Path("monitor.toml")
    return local if local.is_file() else None


def load_config(explicit: str | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """The config, checked whole; raises ConfigError listing every problem."""
    config, problems = read_config(explicit, environ)
    if problems:
        more = f" (and {len(problems) - 1} more; `monitor config check` lists them)" \
            if len(problems) > 1 else ""
        raise ConfigError(f"{problems[0]}{more}", problems=[str(p) for p in problems])
    return config


def read_config(explicit: str | None = None, environ: Mapping[str, str] | None = None
                ) -> tuple[Config, list[Problem]]:
    """The config (defaults where a value is bad) and every problem found in it.

    Raises ConfigError only when the file named by --config or $MONITOR_CONFIG is missing.
    """
    env = os.environ if environ is None else environ
    path = find_config(explicit, env)
    data: dict[str, Any] = {}
    text = ""
    problems: list[Problem] = []
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(Locator(path, text).toml_error(exc))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), 0, f"cannot read the config file: {exc}"))
    where = Locator(path, text)
    clean, found = check_data(data, where)
    problems += found
    config = _build(clean, path, env, problems)
    problems += _cross_checks(config, clean, where)
    return config, sorted(problems, key=lambda p: (p.path != where.path, p.path, p.line))


def _build(data: Mapping[str, Any], path: Path | None, env: Mapping[str, str],
           problems: list[Problem]) -> Config:
    """A Config from checked data; bad values were left out, so defaults fill them."""
    base = path.parent if path is not None else Path.cwd()
    rules, shipped = _rules_dir(data, base)
    feeds = _feeds(data, base, problems)
    summary = data.get("summary", {})
    return Config(
        path=path, base=base,
        database=database_url(env.get("MONITOR_DB") or data.get("database", "monitor.db"), base),
        rules=rules, shipped_rules=shipped,
        timezone=data.get("timezone", "UTC"),
        feeds=feeds or DEFAULT_FEEDS, shipped_feeds=not feeds,
        channels=tuple(_channel(c) for c in data.get("channels", [])),
        fetch_options=dict(data.get("fetch", {})),
        full_text=FullText(**data.get("full_text", {})),
        summary_sentences=summary.get("sentences", 3), summary_chars=summary.get("chars", 600),
        retention=None if data.get("retention") == "off"
        else parse_duration(data.get("retention", "180d")),
        slack_api_url=env.get("SLACK_API_URL", ""),
        llm_url=env.get("MONITOR_LLM_URL", ""), llm_model=env.get("MONITOR_LLM_MODEL", ""),
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        slack_webhook_url=env.get("SLACK_WEBHOOK_URL", ""),
        llm_api_key=env.get("MONITOR_LLM_API_KEY", ""),
    )


def _rules_dir(data: Mapping[str, Any], base: Path) -> tuple[Path, bool]:
    if "rules" in data:
        return base / data["rules"], False
    beside = base / "rules"
    return (beside, False) if beside.is_dir() else (SHIPPED_RULES, True)


def _feeds(data: Mapping[str, Any], base: Path, problems: list[Problem]) -> tuple[Feed, ...]:
    out = [Feed(_feed_url(item["url"].strip(), base), item.get("name", ""),
                parse_duration(item.get("interval", "30m")))
           for item in data.get("feeds", [])]
    if "feeds_opml" in data:
        opml = base / data["feeds_opml"]
        try:
            listed = read_opml(opml)
        except ConfigError as exc:  # "path: message" or "path:line: message"
            listed = []
            found = re.match(rf"{re.escape(str(opml))}(?::(\d+))?: (.*)", str(exc), re.DOTALL)
            problems.append(Problem(str(opml), int(found[1] or 0), found[2]) if found
                            else Problem(str(opml), 0, str(exc)))
        for feed in listed:
            message = location_problem(feed.url, opml.parent)
            if message:
                problems.append(Problem(str(opml), 0, message))
            else:
                out.append(Feed(_feed_url(feed.url, opml.parent), feed.name))
    unique: dict[str, Feed] = {}
    for feed in out:
        unique.setdefault(feed.url, feed)
    return tuple(unique.values())


def _feed_url(url: str, base: Path) -> str:
    """A relative file path is taken from the config file's folder, like `rules`."""
    if "://" in url or Path(url).expanduser().is_absolute():
        return url
    return str(local_path(url, base))


def _channel(item: Mapping[str, Any]) -> Channel:
    values = dict(item)
    if "rules" in values:
        values["rules"] = tuple(values["rules"])
    if "tracker" in values:
        values["tracker"] = parse_weekday(values["tracker"])
    return Channel(**values)


def _cross_checks(config: Config, data: Mapping[str, Any], where: Locator) -> list[Problem]:
    """What needs more than one value, the file system or the rules to tell."""
    problems = [where.problem(message, "url", "feeds", index)
                for index, item in enumerate(data.get("feeds", []))
                if (message := location_problem(item["url"].strip(), config.base))]
    if not config.shipped_rules and not config.rules.is_dir():
        problems.append(where.problem(f"the rules directory {config.rules} does not exist; "
                                      "fix `rules`, or remove it to use the shipped rules",
                                      "rules"))
    return problems + _channel_checks(config, where)


def _channel_checks(config: Config, where: Locator) -> list[Problem]:
    problems = []
    ids = declared_ids(config.rules) if config.rules.is_dir() else None
    seen: set[str] = set()
    for index, channel in enumerate(config.channels):
        def problem(message: str, key: str, index: int = index) -> None:
            problems.append(where.problem(message, key, "channels", index))

        if channel.name in seen:
            problem(f"two [[channels]] are named {channel.name!r}; names must differ", "name")
        seen.add(channel.name)
        unknown = [r for r in channel.rules if ids is not None and r not in ids]
        if unknown:
            problem(f"channel {channel.name!r} names rules that do not exist: "
                    f"{', '.join(unknown)}; the rules are: "
                    f"{', '.join(sorted(ids or ())) or 'none'} (in {config.rules}/)", "rules")
        message = _schedule_problem(channel, config.zone)
        if message:
            problem(message, "schedule")
        elif channel.tracker and not _runs_on(channel, config.zone):
            problem(f"channel {channel.name!r}: tracker {channel.tracker!r} is a day its schedule "
                    f"{channel.schedule!r} never runs on, so the week in figures would never "
                    "be posted; pick a day the schedule runs", "tracker")
    return problems


def _runs_on(channel: Channel, zone: ZoneInfo) -> bool:
    """Whether the channel's schedule fires on its tracker's weekday (over five weeks)."""
    from datetime import datetime

    from monitor.config_check import WEEKDAYS
    from monitor.schedule import digest_trigger, next_fire

    trigger = digest_trigger(channel, zone)
    day = WEEKDAYS.index(channel.tracker)
    start = datetime(2027, 1, 4, tzinfo=zone) + timedelta(days=day)  # a Monday, then that day
    for week in range(5):
        midnight = start + timedelta(weeks=week)
        fire = next_fire(trigger, midnight - timedelta(microseconds=1))
        if fire is not None and fire.date() == midnight.date():
            return True
    return False


def _schedule_problem(channel: Channel, zone: ZoneInfo) -> str | None:
    # The scheduler's own parser, so what passes here is what `monitor run` accepts.
    from monitor.schedule import digest_trigger

    try:
        digest_trigger(channel, zone)
    except ConfigError as exc:
        return str(exc)
    return None
