"""A loopback fake of Slack's Web API and incoming webhooks that enforces Block Kit limits.

    with SlackServer() as slack:
        WebClient(token=slack.token, base_url=slack.api_url).chat_postMessage(...)
        slack.rate_limit(times=1, retry_after=0)   # script the next calls to fail
        assert slack.messages[0].channel == "C0AIINFRA"

Also a pytest fixture, `slack_server`, for conftest files (`pytest_plugins`) or direct import.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

# Slack's documented Block Kit limits, in UTF-16 code units (Slack's own unit is unknown;
# this one is never smaller than a count of code points).
MAX_BLOCKS = 50
MAX_MESSAGE_TEXT = 12_000
MAX_HEADER = 150
MAX_TEXT = 3_000
MAX_CONTEXT_ELEMENTS = 10
MAX_ELEMENT = 2_000
MAX_URL = 3_000
_LINK = re.compile(r"<([^|>]*)(?:\|[^>]*)?>")


def slack_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _text_errors(obj: Any, limit: int, plain_only: bool = False) -> tuple[str | None, int]:
    """(error, length) of one text object."""
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return "invalid_blocks", 0
    if plain_only and obj["type"] != "plain_text":
        return "invalid_blocks", 0
    text = obj.get("text")
    if not isinstance(text, str) or not text or slack_len(text) > limit:
        return "invalid_blocks", 0
    if any(slack_len(url) > MAX_URL for url in _LINK.findall(text)):
        return "invalid_blocks", 0
    return None, slack_len(text)


def _block_errors(block: Any) -> tuple[str | None, int]:
    if not isinstance(block, dict):
        return "invalid_blocks", 0
    kind = block.get("type")
    if kind == "divider":
        return None, 0
    if kind == "header":
        return _text_errors(block.get("text"), MAX_HEADER, plain_only=True)
    if kind == "section":
        return _text_errors(block.get("text"), MAX_TEXT)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            return "invalid_blocks", 0
        results = [_text_errors(e, MAX_ELEMENT) for e in elements]
        error = next((e for e, _ in results if e), None)
        return error, sum(n for _, n in results)
    return "invalid_blocks", 0


def block_errors(blocks: Any) -> str | None:
    """Slack's error code for these blocks (`invalid_blocks`, `msg_blocks_too_long`), or None."""
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    total = 0
    for block in blocks:
        error, size = _block_errors(block)
        if error:
            return error
        total += size
    return "msg_blocks_too_long" if total > MAX_MESSAGE_TEXT else None


@dataclass(frozen=True)
class Posted:
    """One message the fake accepted."""

    via: str  # "api" or "webhook"
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None
    ts: str
    unfurl_links: Any
    unfurl_media: Any


@dataclass(frozen=True)
class Failure:
    """A scripted answer for one message request instead of the normal one."""

    status: int = 200
    error: str = ""  # Web API error code, or webhook body
    retry_after: int | None = None
    drop: bool = False  # close the connection without answering

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class _State:
    token: str
    bot_name: str
    channels: dict[str, str]  # name -> id
    not_member: set[str]
    archived: set[str]
    webhook_path: str
    delay: float = 0.0  # seconds before answering a message request (a slow Slack)
    messages: list[Posted] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    script: deque[Failure] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SlackServer:
    """A threading HTTP server on 127.0.0.1 (port 0) that plays Slack."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test-token",
        bot_name: str = "monitor-bot",
        channels: Mapping[str, str] | None = None,
        not_member: tuple[str, ...] = ("C0OUTSIDE",),
        archived: tuple[str, ...] = ("C0ARCHIVE",),
        webhook_path: str = "/services/T0TEAM/B0HOOK/w3bh00ks3cr3t",
    ) -> None:
        default = {"ai-infra": "C0AIINFRA", "outside": "C0OUTSIDE", "old": "C0ARCHIVE"}
        self.state = _State(
            token, bot_name, dict(channels or default), set(not_member), set(archived), webhook_path
        )
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.state = self.state  # type: ignore[attr-defined]
        # a short poll interval makes shutdown quick: a test waits for it on exit
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        return self.url + self.state.webhook_path

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def messages(self) -> list[Posted]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def requests(self) -> list[str]:
        """The path of every request received, accepted or not."""
        with self.state.lock:
            return list(self.state.requests)

    def script(self, failure: Failure, times: int = 1) -> None:
        """Answer the next `times` message requests with `failure`."""
        with self.state.lock:
            self.state.script.extend([failure] * times)

    def rate_limit(self, times: int = 1, retry_after: int = 0) -> None:
        self.script(Failure(429, "ratelimited", retry_after=retry_after), times)

    def server_error(self, times: int = 1, status: int = 500) -> None:
        self.script(Failure(status, "internal_error"), times)

    def drop_connection(self, times: int = 1) -> None:
        self.script(Failure(drop=True), times)

    def api_error(self, code: str, times: int = 1) -> None:
        self.script(Failure(200, code), times)

    def webhook_error(self, status: int, body: str, times: int = 1) -> None:
        self.script(Failure(status, body), times)

    def __enter__(self) -> SlackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1"

    @property
    def state(self) -> _State:
        return self.server.state  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `requests` instead."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.state.lock:
            self.state.requests.append(self.path)
            is_message = self.path in ("/api/chat.postMessage", self.state.webhook_path)
            failure = self.state.script.popleft() if is_message and self.state.script else None
        if is_message and self.state.delay:
            time.sleep(self.state.delay)
        if failure and failure.drop:
            self.close_connection = True
            return
        if self.path.startswith("/api/"):
            self._api(self.path.removeprefix("/api/"), self._params(body), failure)
        elif self.path.startswith("/services/"):
            self._webhook(body, failure)
        else:
            self._send(404, "text/plain", b"not found")

    def _params(self, body: bytes) -> dict[str, Any]:
        if self.headers.get_content_type() == "application/json":
            loaded = json.loads(body or b"{}")
            return loaded if isinstance(loaded, dict) else {}
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if isinstance(params.get("blocks"), str):
            params["blocks"] = json.loads(params["blocks"])
        return params

    def _api(self, method: str, params: dict[str, Any], failure: Failure | None) -> None:
        if failure:
            body = {"ok": False, "error": failure.error}
            return self._json(failure.status, body, failure.headers())
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        if not token:
            return self._json(200, {"ok": False, "error": "not_authed"})
        if token != self.state.token:
            return self._json(200, {"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            user = {"user": self.state.bot_name, "user_id": "U0BOT", "bot_id": "B0BOT"}
            return self._json(200, {"ok": True, "team": "Test", "team_id": "T0TEAM", **user})
        if method == "chat.postMessage":
            return self._post_message(params)
        return self._json(200, {"ok": False, "error": "unknown_method"})

    def _post_message(self, params: dict[str, Any]) -> None:
        channel = self._channel_id(str(params.get("channel", "")))
        error = block_errors(params.get("blocks"))
        if channel is None:
            error = "channel_not_found"
        elif channel in self.state.archived:
            error = "is_archived"
        elif channel in self.state.not_member:
            error = "not_in_channel"
        elif not params.get("text") and not params.get("blocks"):
            error = "no_text"
        if error or channel is None:
            return self._json(200, {"ok": False, "error": error})
        ts = self._record("api", channel, params)
        self._json(200, {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}})

    def _channel_id(self, channel: str) -> str | None:
        name = channel.removeprefix("#")
        if name in self.state.channels.values():
            return name
        return self.state.channels.get(name)

    def _webhook(self, body: bytes, failure: Failure | None) -> None:
        if failure:
            body = failure.error.encode()
            return self._send(failure.status, "text/plain", body, failure.headers())
        if self.path != self.state.webhook_path:
            return self._send(404, "text/plain", b"no_service")
        try:
            params = json.loads(body)
        except ValueError:
            return self._send(400, "text/plain", b"invalid_payload")
        error = block_errors(params.get("blocks"))
        if error:
            return self._send(400, "text/plain", error.encode())
        if not params.get("text") and not params.get("blocks"):
            return self._send(400, "text/plain", b"no_text")
        self._record("webhook", "webhook", params)
        self._send(200, "text/plain", b"ok")

    def _record(self, via: str, channel: str, params: dict[str, Any]) -> str:
        with self.state.lock:
            ts = f"1764147600.{len(self.state.messages) + 1:06d}"
            posted = Posted(
                via,
                channel,
                str(params.get("text", "")),
                list(params.get("blocks") or []),
                params.get("thread_ts"),
                ts,
                params.get("unfurl_links"),
                params.get("unfurl_media"),
            )
            self.state.messages.append(posted)
        return ts

    def _json(
        self, status: int, data: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        body = json.dumps(data).encode()
        self._send(status, "application/json; charset=utf-8", body, headers)

    def _send(
        self, status: int, kind: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def slack_server() -> Iterator[SlackServer]:
    """A running fake Slack, stopped after the test."""
    with SlackServer() as server:
        yield server
