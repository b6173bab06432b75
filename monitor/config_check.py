"""What monitor.toml may say, and every way it can be wrong, found in one pass.

The schema is a table of keys per section: `TOP` for top-level settings, `TABLES` for
`[section]` tables and `ARRAYS` for `[[section]]` entries. Checking walks the parsed TOML
once, collects a `Problem` (file, line, one sentence) for every unknown key, wrong type
and bad value, and hands back the data with the bad values left out, so the config can
still be built from defaults and checked further (schedules, rule names, paths).

To add a setting: add a `Key` to its section here (a new section is a new entry in
`TABLES` or `ARRAYS`), then read it where the config is built (`monitor/config.py`). The
keys of `[fetch]` go to `FetchSettings` as they are, so a new one needs only its field
there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.model import SECTION_MODES

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TOML_LINE = re.compile(r"at line (\d+)")


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '24h', '7d', '2w' -> timedelta; raises ValueError otherwise."""
    found = _DURATION.match(str(text))
    if not found:
        raise ValueError(f"{text!r} is not a duration like 30m, 24h or 7d")
    return timedelta(seconds=float(found[1]) * _UNITS[found[2]])


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the config: where, and one sentence."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else \
            f"{self.path}: {self.message}"


Check = Callable[[Any], str | None]  # a value of the right type -> a problem, or None


@dataclass(frozen=True, slots=True)
class Kind:
    """A TOML type as the user reads it ("a string", "a whole number")."""

    name: str
    accepts: Callable[[Any], bool]


STRING = Kind("a string", lambda v: isinstance(v, str))
INTEGER = Kind("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUMBER = Kind("a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool))
BOOLEAN = Kind("true or false", lambda v: isinstance(v, bool))
STRINGS = Kind("a list of strings",
               lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v))


@dataclass(frozen=True, slots=True)
class Key:
    kind: Kind
    check: Check | None = None
    required: bool = False


def _at_least(low: float) -> Check:
    return lambda v: None if v >= low else f"must be {low:g} or more, not {v!r}"


def _between(low: float, high: float) -> Check:
    return lambda v: None if low <= v <= high else f"must be between {low:g} and {high:g}, " \
        f"not {v!r}"


def _not_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _duration(value: str) -> str | None:
    try:
        parse_duration(value)
    except ValueError as exc:
        return f"{exc} (s, m, h, d or w)"
    return None


def _retention(value: str) -> str | None:
    """A duration of at least 7d (digests look a week back for stories already posted), or off."""
    if value == "off":
        return None
    problem = _duration(value)
    if problem is None and parse_duration(value) < timedelta(days=7):
        problem = f"{value!r} is under 7d, the week digests look back on"
    return f"retention {problem}; use 7d or more, or \"off\"" if problem else None


def _proxy(value: str) -> str | None:
    from monitor.sources.proxy import Proxies  # only when a proxy is configured

    try:
        Proxies.from_settings(value, {})
    except ValueError as exc:  # ConfigError, one sentence naming [fetch] proxy
        return str(exc)
    return None


def _zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown timezone {value!r}; use an IANA name such as Europe/Brussels"
    return None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(text: str) -> str:
    """'mon', 'Monday', 'MON' -> 'mon'; raises ValueError otherwise."""
    word = text.strip().lower()
    for short, full in zip(WEEKDAYS, _DAY_NAMES, strict=True):
        if word in (short, full):
            return short
    raise ValueError(f"{text!r} is not a weekday; write one of {', '.join(WEEKDAYS)}")


def _weekday(value: str) -> str | None:
    try:
        parse_weekday(value)
    except ValueError:
        return f"must be a weekday ({', '.join(WEEKDAYS[:-1])} or {WEEKDAYS[-1]}), not {value!r}"
    return None


def _section_mode(value: str) -> str | None:
    if value in SECTION_MODES:
        return None
    *first, last = (repr(m) for m in SECTION_MODES)
    return f"must be {', '.join(first)} or {last}, not {value!r}"


TOP: dict[str, Key] = {
    "database": Key(STRING, _not_empty),
    "rules": Key(STRING, _not_empty),
    "timezone": Key(STRING, _zone),
    "retention": Key(STRING, _retention),
    "feeds_opml": Key(STRING, _not_empty),
}
TABLES: dict[str, dict[str, Key]] = {
    "fetch": {
        "timeout": Key(NUMBER, _at_least(0.1)),
        "connect_timeout": Key(NUMBER, _at_least(0.1)),
        "max_bytes": Key(INTEGER, _at_least(1024)),
        "max_redirects": Key(INTEGER, _at_least(0)),
        "concurrency": Key(INTEGER, _at_least(1)),
        "per_host": Key(INTEGER, _at_least(1)),
        "user_agent": Key(STRING, _not_empty),
        "read_timeout": Key(NUMBER, _at_least(0.1)),
        "proxy": Key(STRING, _proxy),
    },
    "full_text": {
        "enabled": Key(BOOLEAN),
        "short_chars": Key(INTEGER, _at_least(0)),
        "candidate_share": Key(NUMBER, _between(0, 1)),
        "max_pages": Key(INTEGER, _at_least(0)),
    },
    "summary": {
        "sentences": Key(INTEGER, _between(1, 20)),
        "chars": Key(INTEGER, _between(40, 10_000)),
    },
}
ARRAYS: dict[str, dict[str, Key]] = {
    "feeds": {
        "url": Key(STRING, _not_empty, required=True),
        "name": Key(STRING),
        "interval": Key(STRING, _duration),
    },
    "channels": {
        "name": Key(STRING, _not_empty, required=True),
        "slack_channel": Key(STRING),
        "webhook": Key(BOOLEAN),
        "rules": Key(STRINGS),
        "schedule": Key(STRING, _not_empty),
        "max_stories": Key(INTEGER, _at_least(0)),
        "per_source": Key(INTEGER, _at_least(0)),
        "post_empty": Key(BOOLEAN),
        "sections": Key(STRING, _section_mode),
        "tracker": Key(STRING, _weekday),
    },
}


class Locator:
    """Finds the line of a key in the config text, for `file:line` messages."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = str(path) if path else "(built-in defaults)"
        self.lines = text.splitlines()

    def _header(self, table: str, index: int) -> int:
        """The 0-based line of `[table]`, or of the index-th `[[table]]`; -1 if absent."""
        seen = -1
        for number, line in enumerate(self.lines):
            if line.strip().split("#")[0].strip() in (f"[[{table}]]", f"[{table}]"):
                seen += 1
                if seen == index:
                    return number
        return -1

    def line(self, key: str = "", table: str = "", index: int = 0) -> int:
        """1-based; the table's header when the key is not written there, 0 if unknown."""
        start = self._header(table, index) if table else -1
        if table and start < 0:
            return 0
        for number in range(start + 1, len(self.lines)):
            text = self.lines[number].strip()
            if text.startswith("["):
                break
            if key and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", text):
                return number + 1
        return start + 1 if table else 0

    def problem(self, message: str, key: str = "", table: str = "", index: int = 0) -> Problem:
        return Problem(self.path, self.line(key, table, index), message)

    def toml_error(self, error: Exception) -> Problem:
        found = _TOML_LINE.search(str(error))
        return Problem(self.path, int(found[1]) if found else 0, f"invalid TOML: {error}")


def check_data(data: Mapping[str, Any], where: Locator) -> tuple[dict[str, Any], list[Problem]]:
    """Every unknown key, wrong type and bad value; and the data without them."""
    problems: list[Problem] = []
    known = set(TOP) | set(TABLES) | set(ARRAYS)
    clean = _section(data, TOP, "", "", 0, where, problems, allowed=known)
    for name, keys in TABLES.items():
        if name in data:
            value = data[name]
            if not isinstance(value, dict):
                problems.append(where.problem(f"{name!r} must be a table ([{name}])", name))
                continue
            clean[name] = _section(value, keys, name, f"[{name}]", 0, where, problems)
    for name, keys in ARRAYS.items():
        if name in data:
            clean[name] = _entries(data[name], name, keys, where, problems)
    return clean, problems


def _entries(value: Any, name: str, keys: Mapping[str, Key], where: Locator,
             problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(where.problem(f"{name!r} must be an array of tables ([[{name}]])", name))
        return []
    entries = []
    for index, entry in enumerate(value):
        label = f"[[{name}]] {entry['name']!r}" if isinstance(entry.get("name"), str) \
            else f"[[{name}]] entry {index + 1}"
        clean = _section(entry, keys, name, label, index, where, problems)
        for key in (k for k, spec in keys.items() if spec.required and k not in entry):
            problems.append(where.problem(f"{label} needs {key!r}", "", name, index))
        if all(k in clean for k, spec in keys.items() if spec.required):
            entries.append(clean)
    return entries


def _section(values: Mapping[str, Any], keys: Mapping[str, Key], table: str, label: str,
             index: int, where: Locator, problems: list[Problem],
             allowed: set[str] | None = None) -> dict[str, Any]:
    """The valid keys of one table; a problem for each of the others."""
    clean: dict[str, Any] = {}
    for name, value in values.items():
        key = keys.get(name)
        if key is None:
            if allowed is None or name not in allowed:
                problems.append(where.problem(_unknown(name, label, keys, allowed), name, table,
                                              index))
            continue
        where_ = f"{name!r} in {label}" if label else repr(name)
        if not key.kind.accepts(value):
            problems.append(where.problem(f"{where_} must be {key.kind.name}, not {value!r}",
                                          name, table, index))
            continue
        message = key.check(value) if key.check else None
        if message:
            problems.append(where.problem(f"{where_} {message}" if message.startswith("must")
                                          else message, name, table, index))
            continue
        clean[name] = value
    return clean


def _unknown(name: str, label: str, keys: Mapping[str, Key], allowed: set[str] | None) -> str:
    choices = sorted(allowed if allowed is not None else keys)
    where = f" in {label}" if label else ""
    return f"unknown key {name!r}{where}; the keys are: {', '.join(choices)}"
