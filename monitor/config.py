"""Configuration: monitor.toml plus the environment, with working defaults and no file at all.

The file is found by --config, then $MONITOR_CONFIG, then ./monitor.toml. Secrets come
only from the environment and never appear in a repr, a message or a log line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import ConfigError
from monitor.model import Feed
from monitor.sources.catalog import DEFAULT_FEEDS
from monitor.sources.fetch import FetchSettings
from monitor.sources.opml import read_opml
from monitor.store import database_url

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
TOP_KEYS = {"database", "rules", "timezone", "feeds_opml", "feeds", "channels", "fetch",
            "full_text", "summary", "digest", "schedule", "retention"}
FEED_KEYS = {"url", "name", "interval"}
CHANNEL_KEYS = {"name", "slack_channel", "webhook", "rules", "schedule", "max_stories",
                "per_source", "post_empty", "sections"}
FETCH_KEYS = {"timeout", "connect_timeout", "max_bytes", "max_redirects", "concurrency",
              "per_host", "user_agent"}


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '24h', '7d', '2w' -> timedelta; raises ValueError otherwise."""
    found = _DURATION.match(str(text))
    if not found:
        raise ValueError(f"{text!r} is not a duration like 30m, 24h or 7d")
    return timedelta(seconds=float(found[1]) * _UNITS[found[2]])


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
    fetch: FetchSettings = field(default_factory=FetchSettings)
    full_text: FullText = field(default_factory=FullText)
    summary_sentences: int = 3
    summary_chars: int = 600
    feed_health_after: timedelta | None = timedelta(hours=24)
    retention: timedelta | None = timedelta(days=180)  # None: keep everything
    slack_api_url: str = ""
    llm_url: str = ""
    llm_model: str = ""
    slack_bot_token: str = field(default="", repr=False)
    slack_webhook_url: str = field(default="", repr=False)
    llm_api_key: str = field(default="", repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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
    """Read the config file (if any) and the environment; raises ConfigError."""
    env = os.environ if environ is None else environ
    path = find_config(explicit, env)
    data: dict[str, Any] = {}
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    return _build(data, path, _Where(path, text), env)


class _Where:
    """Finds the line of a key in the config text, for error messages."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = str(path) if path else "(defaults)"
        self.lines = text.splitlines()

    def line(self, key: str, table: str = "", index: int = 0) -> int:
        start = 0
        if table:
            seen = -1
            for number, line in enumerate(self.lines):
                if line.strip() in (f"[[{table}]]", f"[{table}]"):
                    seen += 1
                    if seen == index:
                        start = number
                        break
        for number in range(start, len(self.lines)):
            if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[number]):
                return number + 1
        return start + 1 if table else 0

    def error(self, message: str, key: str, table: str = "", index: int = 0) -> ConfigError:
        line = self.line(key, table, index)
        return ConfigError(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")


def _build(data: dict[str, Any], path: Path | None, where: _Where,
           env: Mapping[str, str]) -> Config:
    for key in data:
        if key not in TOP_KEYS:
            raise where.error(f"unknown setting {key!r}; expected one of "
                              f"{', '.join(sorted(TOP_KEYS))}", key)
    base = path.parent if path is not None else Path.cwd()
    database = env.get("MONITOR_DB") or _str(data, "database", where) or "monitor.db"
    timezone = _str(data, "timezone", where) or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.error(f"unknown timezone {timezone!r}; use an IANA name such as "
                          "Europe/Brussels", "timezone") from None
    feeds = _feeds(data, base, where)
    return Config(
        path=path, base=base, database=database_url(database, base),
        rules=base / (_str(data, "rules", where) or "rules"),
        timezone=timezone, feeds=feeds or DEFAULT_FEEDS,
        channels=tuple(_channel(c, i, where) for i, c in enumerate(data.get("channels", []))),
        fetch=_fetch(data.get("fetch", {}), where),
        full_text=_full_text(data.get("full_text", {}), where),
        retention=_retention(data.get("retention", "180d"), where),
        slack_api_url=env.get("SLACK_API_URL", ""),
        llm_url=env.get("MONITOR_LLM_URL", ""), llm_model=env.get("MONITOR_LLM_MODEL", ""),
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        slack_webhook_url=env.get("SLACK_WEBHOOK_URL", ""),
        llm_api_key=env.get("MONITOR_LLM_API_KEY", ""),
    )


def _str(data: Mapping[str, Any], key: str, where: _Where, table: str = "",
         index: int = 0) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise where.error(f"{key!r} must be a string", key, table, index)
    return value


def _feeds(data: Mapping[str, Any], base: Path, where: _Where) -> tuple[Feed, ...]:
    items = data.get("feeds", [])
    if not isinstance(items, list):
        raise where.error("'feeds' must be an array of tables ([[feeds]])", "feeds")
    out: list[Feed] = []
    for index, item in enumerate(items):
        for key in item:
            if key not in FEED_KEYS:
                raise where.error(f"unknown key {key!r} in [[feeds]]", key, "feeds", index)
        url = _str(item, "url", where, "feeds", index).strip()
        if not url:
            raise where.error("every [[feeds]] entry needs a url", "url", "feeds", index)
        try:
            interval = parse_duration(item.get("interval", "30m"))
        except ValueError as exc:
            raise where.error(str(exc), "interval", "feeds", index) from None
        out.append(Feed(url, _str(item, "name", where, "feeds", index), interval))
    opml = _str(data, "feeds_opml", where)
    if opml:
        out.extend(read_opml(base / opml))
    unique: dict[str, Feed] = {}
    for feed in out:
        unique.setdefault(feed.url, feed)
    return tuple(unique.values())


def _channel(item: Mapping[str, Any], index: int, where: _Where) -> Channel:
    for key in item:
        if key not in CHANNEL_KEYS:
            raise where.error(f"unknown key {key!r} in [[channels]]", key, "channels", index)
    name = _str(item, "name", where, "channels", index)
    if not name:
        raise where.error("every [[channels]] entry needs a name", "name", "channels", index)
    default = Channel(name)
    try:
        return Channel(
            name=name, slack_channel=_str(item, "slack_channel", where, "channels", index),
            webhook=bool(item.get("webhook", False)),
            rules=tuple(str(r) for r in item.get("rules", [])),
            schedule=str(item.get("schedule", default.schedule)),
            max_stories=int(item.get("max_stories", default.max_stories)),
            per_source=int(item.get("per_source", default.per_source)),
            post_empty=bool(item.get("post_empty", False)),
            sections=str(item.get("sections", default.sections)),
        )
    except (TypeError, ValueError) as exc:
        raise where.error(f"bad value in [[channels]] {name!r}: {exc}", "name", "channels",
                          index) from None


def _fetch(item: Mapping[str, Any], where: _Where) -> FetchSettings:
    for key in item:
        if key not in FETCH_KEYS:
            raise where.error(f"unknown key {key!r} in [fetch]", key, "fetch")
    try:
        default = FetchSettings()
        return FetchSettings(**{k: type(getattr(default, k))(v) for k, v in item.items()})
    except (TypeError, ValueError) as exc:
        raise where.error(f"bad value in [fetch]: {exc}", next(iter(item), ""), "fetch") from None


def _retention(value: Any, where: _Where) -> timedelta | None:
    """How long articles are kept: a duration of at least 7d, or "off"."""
    if value == "off":
        return None
    try:
        kept = parse_duration(value)
    except ValueError as exc:
        raise where.error(f"retention: {exc}, or \"off\"", "retention") from None
    if kept < timedelta(days=7):  # "already posted" looks a week back
        raise where.error(f"retention {value!r} is under 7d, the week digests look back on; "
                          "use 7d or more, or \"off\"", "retention")
    return kept


def _full_text(item: Mapping[str, Any], where: _Where) -> FullText:
    try:
        return FullText(**item)
    except TypeError as exc:
        raise where.error(f"bad [full_text] setting: {exc}", next(iter(item), ""),
                          "full_text") from None
