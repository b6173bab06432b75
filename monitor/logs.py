"""Logging for the daemon: one line per event on stderr, logfmt or JSON, secrets redacted.

Redaction happens in the formatter, on every field before it is encoded and once more on the
finished line, because that is the only place that sees everything a record becomes: the
message with its arguments, the event fields, and the traceback text of an exception. It
catches Slack tokens, Slack webhook URLs, `Bearer` credentials, `sk-` API keys, passwords in
URLs, key-like query parameters, and the exact values of the secrets handed to
`setup_logging` (so a token of an unusual shape is caught too).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePath
from typing import Any, Literal, TextIO
from urllib.parse import quote

LogFormat = Literal["kv", "json"]
SECRET_ENV_VARS = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "MONITOR_LLM_API_KEY")
REDACTED = "[REDACTED]"
MIN_SECRET = 8  # redacting every "abc" would wreck the log and protect nothing real
# Libraries that log every request or job run at INFO; at INFO we want our events, not theirs.
CHATTY = ("httpx", "httpcore", "apscheduler", "hpack", "alembic")

# The known shapes, each with the lowercase substrings without which it cannot match: a
# substring test is far cheaper than a regex scan, and most log text holds no trigger at all.
# Group 1 is kept (it shows what kind of secret was there); the rest becomes REDACTED.
_SHAPES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("xox", "xapp"), re.compile(r"\b((?:xox[abposr]|xoxe(?:\.xox[bp])?|xapp)-)[A-Za-z0-9-]+")),
    (("hooks.slack",), re.compile(r"(https?://hooks\.slack(?:-gov)?\.com/)[^\s\"'<>\\]+")),
    (("bearer",), re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")),
    (("sk-",), re.compile(r"\b(sk-)[A-Za-z0-9_-]{16,}")),
    (("://",), re.compile(r"(://[^/\s:@\"'<>\\]+:)[^/\s@\"'<>\\]+(?=@)")),
    (("=",), re.compile(r"(?i)([?&](?:api[_-]?key|apikey|key|token|access[_-]?token|secret|"
                        r"password|sig|signature)=)[^&#\s\"'<>\\]+")),
)
_MARK = "_monitor_handler"  # set on our handler so a second setup replaces it, not doubles it
_EVENT = "monitor_event"
_FIELDS = "monitor_fields"
_RESERVED = {"ts", "level", "logger", "event", "msg", "exc", "stack"}


def secrets_from(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the secret environment variables that are set."""
    return tuple(environ[name] for name in SECRET_ENV_VARS if environ.get(name))


class Redactor:
    """Replaces secrets in text: the known shapes, and the exact values given."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {s.strip() for s in secrets if len(s.strip()) >= MIN_SECRET}
        # A secret can also show up percent-encoded, in a logged URL's query string.
        values |= {quote(v, safe="") for v in values}
        ordered = sorted(values, key=len, reverse=True)
        self._exact = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if len(text) < MIN_SECRET:
            return text  # shorter than any secret we know (and most field values): skip
        if self._exact is not None:
            text = self._exact.sub(REDACTED, text)
        lowered = text.lower()
        for triggers, pattern in _SHAPES:
            if any(t in lowered for t in triggers):
                text = pattern.sub(_keep_prefix, text)
        return text


def _keep_prefix(found: re.Match[str]) -> str:
    return found.group(1) + REDACTED


class LineFormatter(logging.Formatter):
    """One record -> one line: logfmt (`kv`) or a JSON object, redacted."""

    def __init__(self, fmt: LogFormat = "kv", redactor: Redactor | None = None) -> None:
        super().__init__()
        if fmt not in ("kv", "json"):
            raise ValueError(f"unknown log format {fmt!r}; use kv or json")
        self.fmt = fmt
        self.redact = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        fields = {self.redact(k): _scrub(v, self.redact) for k, v in self.fields(record).items()}
        line = json.dumps(fields, ensure_ascii=False, default=str) if self.fmt == "json" \
            else " ".join(f"{_key(k)}={_kv_value(v)}" for k, v in fields.items())
        return self.redact(line)

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        """The record as ordered fields: ts, level, logger, event or msg, the rest, exc."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        event = getattr(record, _EVENT, None)
        if event is not None:
            out["event"] = event
            for key, value in getattr(record, _FIELDS, {}).items():
                out[f"field_{key}" if key in _RESERVED else key] = value
        else:
            out["msg"] = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return out


def _scrub(value: Any, redact: Redactor) -> Any:
    """Plain JSON-able values with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {redact(str(k)): _scrub(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v, redact) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return redact(str(value))


_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_BARE = re.compile(r"[^\s=\"\\\x00-\x1f\x7f]+")


def _key(key: str) -> str:
    return _KEY_UNSAFE.sub("_", key) or "_"


def _kv_value(value: Any) -> str:
    """logfmt: bare when safe, else a double-quoted string with JSON escapes (one line)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def setup_logging(fmt: LogFormat = "kv", level: int | str = "INFO", *,
                  secrets: Iterable[str] = (), stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to stderr (or `stream`) as one redacted line; returns the handler.

    Call it again to change the format or level: it replaces its own handler, not others'.
    """
    numeric = _level(level)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(LineFormatter(fmt, Redactor(secrets)))
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if numeric <= logging.DEBUG
                                         else max(numeric, logging.WARNING))
    logging.captureWarnings(True)
    return handler


def _level(level: int | str) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r}; use debug, info, warning or error")
    return value


def event(logger: logging.Logger, name: str, /, level: int = logging.INFO,
          exc_info: bool = False, **fields: Any) -> None:
    """Log one event: `event(log, "poll.done", feed=url, items=3)` -> `event=poll.done ...`."""
    if logger.isEnabledFor(level):
        logger.log(level, name, exc_info=exc_info, stacklevel=2,
                   extra={_EVENT: name, _FIELDS: fields})
