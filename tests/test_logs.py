"""Daemon logging: one line per event, logfmt or JSON, and no secret ever in the output."""

from __future__ import annotations

import io
import json
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.logs import (
    CHATTY,
    REDACTED,
    LineFormatter,
    Redactor,
    event,
    secrets_from,
    setup_logging,
)

# Made-up values in the shapes the redactor must know; none of them is a real credential.
BOT_TOKEN = "xoxb-0000000000-FAKE-not-a-real-token"
WEBHOOK = "https://hooks.slack.com/services/T0000/B0000/FAKEFAKEFAKEFAKE"
LLM_KEY = "sk-test-FAKEFAKEFAKEFAKEFAKE0000"
ODD_TOKEN = "corp:Zq9!odd/shape+token"  # no known shape: only the exact value can catch it
ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_WEBHOOK_URL": WEBHOOK,
       "MONITOR_LLM_API_KEY": ODD_TOKEN, "HOME": "/home/monitor"}
ALL = (BOT_TOKEN, WEBHOOK, LLM_KEY, ODD_TOKEN, "FAKEFAKEFAKEFAKE", "Zq9!odd")


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    """Logging set up on a buffer with the test secrets; the root logger restored after."""
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    stream = io.StringIO()
    setup_logging("kv", "INFO", secrets=secrets_from(ENV), stream=stream)
    yield stream
    root.handlers[:] = before[1]
    root.setLevel(before[0])
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def kv(line: str) -> dict[str, str]:
    """Parse one logfmt line (bare values, or JSON-quoted ones)."""
    pairs = re.findall(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)', line)
    return {k: json.loads(v) if v.startswith('"') else v for k, v in pairs}


def assert_clean(text: str) -> None:
    for secret in ALL:
        assert secret not in text


def test_an_event_is_one_logfmt_line_with_its_fields(out: io.StringIO) -> None:
    log = logging.getLogger("monitor.pipeline")
    event(log, "poll.done", feed="https://example.org/feed.xml", items=40, new=3, ok=True,
          error=None, took=timedelta(milliseconds=1500),
          at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC), path=Path("/data/monitor.db"))
    [line] = lines(out)
    assert re.match(r"ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info "
                    r"logger=monitor\.pipeline event=poll\.done ", line)
    assert line.endswith("feed=https://example.org/feed.xml items=40 new=3 ok=true error=null "
                         "took=1.5 at=2026-11-26T09:00:00Z path=/data/monitor.db")


def test_values_that_need_it_are_quoted_and_stay_on_one_line(out: io.StringIO) -> None:
    tricky = 'He said "hi"\nthen = left\\ ok'
    odd_key: dict[str, Any] = {"bad key": 1}
    event(logging.getLogger("monitor"), "odd", text=tricky, empty="", tabs="a\tb", **odd_key)
    [line] = lines(out)
    fields = kv(line)
    assert fields["text"] == tricky
    assert fields["empty"] == ""
    assert fields["tabs"] == "a\tb"
    assert fields["bad_key"] == "1"


def test_plain_log_records_show_their_message(out: io.StringIO) -> None:
    logging.getLogger("monitor.x").warning("feed %s failed: %d attempts", "HPCwire", 3)
    assert kv(lines(out)[0])["msg"] == "feed HPCwire failed: 3 attempts"


def test_json_format_is_one_object_per_line_and_fields_never_clobber_the_envelope(
        out: io.StringIO) -> None:
    setup_logging("json", "INFO", stream=out)
    event(logging.getLogger("monitor"), "digest.sent", level=logging.WARNING, channel="#ai",
          stories=("a", "b"), msg="mine", level_name={"x": 1})
    record = json.loads(lines(out)[0])
    assert list(record)[:4] == ["ts", "level", "logger", "event"]
    assert record["level"] == "warning"
    assert record["event"] == "digest.sent"
    assert record["stories"] == ["a", "b"]
    assert record["field_msg"] == "mine"
    assert record["level_name"] == {"x": 1}


def test_a_second_setup_replaces_our_handler_and_keeps_others(out: io.StringIO) -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    setup_logging("kv", "INFO", stream=out)
    ours = [h for h in logging.getLogger().handlers if isinstance(h.formatter, LineFormatter)]
    assert len(ours) == 1
    assert other in logging.getLogger().handlers
    logging.getLogger().removeHandler(other)


def test_levels_and_chatty_libraries(out: io.StringIO) -> None:
    event(logging.getLogger("monitor"), "hidden", level=logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: GET https://example.org/ 200")
    logging.getLogger("httpx").warning("shown")
    assert [kv(line).get("msg") for line in lines(out)] == ["shown"]
    setup_logging("kv", "debug", stream=out)
    logging.getLogger("httpx").info("now shown")
    event(logging.getLogger("monitor"), "shown.too", level=logging.DEBUG)
    assert lines(out)[-2:][0].endswith('msg="now shown"')
    assert "event=shown.too" in lines(out)[-1]


def test_bad_format_or_level_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown log format"):
        LineFormatter("xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        setup_logging("kv", "loud", stream=io.StringIO())


def test_warnings_are_logged_too(out: io.StringIO) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated call with {BOT_TOKEN}", DeprecationWarning, stacklevel=1)
    [line] = lines(out)
    assert "logger=py.warnings" in line
    assert_clean(line)


# Redaction


@pytest.mark.parametrize(("text", "kept"), [
    (f"token {BOT_TOKEN} used", "token xoxb-[REDACTED] used"),
    ("xoxp-1-2-abc and xoxe.xoxp-1-ZZZ and xapp-1-A0-77", "xoxp-[REDACTED] and "
     "xoxe.xoxp-[REDACTED] and xapp-[REDACTED]"),
    (f"POST {WEBHOOK} failed", "POST https://hooks.slack.com/[REDACTED] failed"),
    ("Authorization: Bearer abc.DEF-123_456~xyz=", "Authorization: Bearer [REDACTED]"),
    (f"key {LLM_KEY}!", "key sk-[REDACTED]!"),
    ("postgresql+psycopg://monitor:s3cr3t@db:5432/monitor", "postgresql+psycopg://monitor:"
     "[REDACTED]@db:5432/monitor"),
    ("https://feeds.example.org/rss?api_key=abc123&lang=en", "https://feeds.example.org/rss?"
     "api_key=[REDACTED]&lang=en"),
    ("bearer bonds and desk-top sk-short", "bearer bonds and desk-top sk-short"),
])
def test_known_secret_shapes_are_redacted(text: str, kept: str) -> None:
    assert Redactor()(text) == kept


def test_exact_secret_values_are_redacted_even_in_an_unknown_shape() -> None:
    redact = Redactor(secrets_from(ENV))
    assert redact(f"auth={ODD_TOKEN};") == f"auth={REDACTED};"
    assert redact("q=corp%3AZq9%21odd%2Fshape%2Btoken") == f"q={REDACTED}"


def test_short_secrets_are_not_redacted_to_keep_the_log_readable() -> None:
    assert Redactor(["abc", "  "])("abc is fine") == "abc is fine"


def test_secrets_from_reads_only_the_secret_variables() -> None:
    assert secrets_from(ENV) == (BOT_TOKEN, WEBHOOK, ODD_TOKEN)
    assert secrets_from({"SLACK_BOT_TOKEN": ""}) == ()


@pytest.mark.parametrize("fmt", ["kv", "json"])
def test_secrets_are_redacted_in_messages_args_and_fields(out: io.StringIO, fmt: str) -> None:
    setup_logging(fmt, "INFO", secrets=secrets_from(ENV), stream=out)  # type: ignore[arg-type]
    log = logging.getLogger("monitor.deliver")
    log.info("posting with %s to %s", BOT_TOKEN, WEBHOOK)
    log.info(f"llm key {LLM_KEY} and {ODD_TOKEN}")
    secret_key: dict[str, Any] = {ODD_TOKEN: 1}
    event(log, "slack.post", token=BOT_TOKEN, nested={"auth": [f"Bearer {ODD_TOKEN}"]},
          **secret_key)
    text = out.getvalue()
    assert len(lines(out)) == 3
    assert_clean(text)
    assert text.count(REDACTED) >= 6
    if fmt == "json":
        for line in lines(out):
            json.loads(line)


@pytest.mark.parametrize("fmt", ["kv", "json"])
def test_a_traceback_with_a_token_is_redacted_and_stays_one_line(out: io.StringIO,
                                                                 fmt: str) -> None:
    setup_logging(fmt, "INFO", secrets=secrets_from(ENV), stream=out)  # type: ignore[arg-type]
    log = logging.getLogger("monitor.deliver")
    try:
        raise RuntimeError(f"Slack said invalid_auth for {BOT_TOKEN} / {ODD_TOKEN}")
    except RuntimeError:
        log.exception("delivery failed")
    try:
        raise ValueError(WEBHOOK)
    except ValueError:
        event(log, "slack.error", level=logging.ERROR, exc_info=True, channel="#ai")
    [first, second] = lines(out)
    exc = json.loads(first)["exc"] if fmt == "json" else kv(first)["exc"]
    assert exc.startswith("Traceback (most recent call last):")
    assert "RuntimeError: Slack said invalid_auth for [REDACTED] / [REDACTED]" in exc
    assert "ValueError: [REDACTED]" in second
    assert_clean(out.getvalue())


@given(before=st.text(max_size=40), after=st.text(max_size=40),
       secret=st.sampled_from([BOT_TOKEN, WEBHOOK, ODD_TOKEN]),
       fmt=st.sampled_from(["kv", "json"]))
def test_any_text_around_a_secret_gives_one_clean_line(before: str, after: str, secret: str,
                                                       fmt: str) -> None:
    formatter = LineFormatter(fmt, Redactor(secrets_from(ENV)))  # type: ignore[arg-type]
    record = logging.LogRecord("monitor", logging.INFO, __file__, 1, before + secret + after,
                               None, None)
    line = formatter.format(record)
    assert secret not in line
    assert "\n" not in line and "\r" not in line
