"""A loopback fake of Slack's Web API and incoming webhooks that enforces Block Kit limits.

    with SlackServer() as slack:
        WebClient(token=slack.token, base_url=slack.api_url).chat_postMessage(...)
        slack.rate_limit(times=1, retry_after=0)   # script the next message requests to fail
        slack.script(Failure(accept=True, drop=True))   # accept the next one, then hang up
        assert slack.messages[0].channel == "C0AIINFRA"

It plays the methods monitor calls: chat.postMessage (with message metadata),
conversations.history and .replies (`include_all_metadata`, oldest/latest, cursors),
conversations.info and .list, chat.getPermalink and auth.test. Every answer to a token
carries `x-oauth-scopes`; a method whose scope the token lacks answers `missing_scope`
with `needed`, as Slack does. Also a pytest fixture, `slack_server`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.slack_limits import block_errors, slack_len

__all__ = ["ALL_SCOPES", "Failure", "Posted", "SlackServer", "block_errors", "slack_len"]

ALL_SCOPES = frozenset(
    {"chat:write", "channels:read", "groups:read", "channels:history", "groups:history"}
)
Answer = tuple[int, dict[str, Any], dict[str, str]]  # status, JSON body, headers


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
    metadata: dict[str, Any] | None = None
    requested: str = ""  # the channel as the client named it (a name or an id)


@dataclass(frozen=True)
class Failure:
    """A scripted answer for one message request instead of the normal one.

    With `accept`, the message is posted first and only the answer goes wrong: a status
    or error, a dropped connection, or a pause before the (normal) answer.
    """

    status: int = 200
    error: str = ""  # Web API error code, or webhook body
    retry_after: int | None = None
    drop: bool = False  # close the connection without answering
    accept: bool = False
    pause: float = 0.0  # seconds to wait before answering
    channel: str = ""  # only for messages to this channel id; "" for any
    method: str = ""  # a Web API method to fail instead of messages ("conversations.history")
    thread_ts: str = ""  # only for messages posted in the thread of this message

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


@dataclass
class _State:
    token: str
    bot_name: str
    channels: dict[str, str]  # name -> id
    not_member: set[str]
    archived: set[str]
    private: set[str]
    webhook_path: str
    scopes: set[str]
    clock: Callable[[], float] = time.time  # where message ts come from
    revoked: bool = False  # the token was revoked: token_revoked
    delay: float = 0.0  # seconds before answering a message request (a slow Slack)
    messages: list[Posted] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    script: deque[Failure] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)
    last_ts: float = 0.0


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
        private: tuple[str, ...] = ("G0SECRET",),
        scopes: frozenset[str] = ALL_SCOPES,
        clock: Callable[[], float] = time.time,
        webhook_path: str = "/services/T0TEAM/B0HOOK/w3bh00ks3cr3t",
    ) -> None:
        default = {"ai-infra": "C0AIINFRA", "outside": "C0OUTSIDE", "old": "C0ARCHIVE",
                   "compute": "C0COMPUTE", "secret": "G0SECRET"}
        self.state = _State(
            token, bot_name, dict(channels or default), set(not_member), set(archived),
            set(private), webhook_path, set(scopes), clock,
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

    def calls(self, method: str) -> int:
        """How many requests went to one Web API method ("chat.postMessage")."""
        return sum(1 for path in self.requests if path == f"/api/{method}")

    def seed(self, channel: str, ts: str, text: str = "posted earlier",
             thread_ts: str | None = None) -> None:
        """A message already in a channel before the test (posted by an earlier run)."""
        with self.state.lock:
            self.state.messages.append(
                Posted("api", channel, text, [], thread_ts, ts, False, False, None, channel))

    def script(self, failure: Failure, times: int = 1) -> None:
        """Answer the next `times` message requests (to `failure.channel`) with `failure`."""
        with self.state.lock:
            self.state.script.extend([failure] * times)

    def rate_limit(self, times: int = 1, retry_after: int = 0, channel: str = "") -> None:
        self.script(Failure(429, "ratelimited", retry_after=retry_after, channel=channel), times)

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
        self.state.closing.set()  # cuts scripted pauses short
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1"

    @property
    def state(self) -> _State:
        return self.server.state  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `requests` instead."""

    def do_GET(self) -> None:
        # slack_sdk reads (conversations.history, .info, ...) with GET and a query string
        path, _, query = self.path.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        self._route(urlsplit(path).path, params)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/services/"):
            with self.state.lock:
                self.state.requests.append(self.path)
            return self._webhook(body, self._failure(self.path, {}))
        self._route(self.path, self._params(body))

    def _route(self, path: str, params: dict[str, Any]) -> None:
        with self.state.lock:
            self.state.requests.append(path)
        if not path.startswith("/api/"):
            return self._send(404, "text/plain", b"not found")
        failure = self._failure(path, params)
        if path == "/api/chat.postMessage" and self.state.delay:
            time.sleep(self.state.delay)
        if failure and not failure.accept:
            return self._fail(failure)
        status, data, headers = self._api(path.removeprefix("/api/"), params)
        if failure and data.get("ok"):
            return self._fail(failure, (status, data, headers))
        self._json(status, data, headers)

    def _failure(self, path: str, params: dict[str, Any]) -> Failure | None:
        message = path in ("/api/chat.postMessage", self.state.webhook_path)
        target = self._channel_id(str(params.get("channel", ""))) or ""
        with self.state.lock:
            for failure in self.state.script:
                wanted = f"/api/{failure.method}" == path if failure.method else message
                threaded = failure.thread_ts in ("", str(params.get("thread_ts") or ""))
                if wanted and threaded and failure.channel in ("", target):
                    self.state.script.remove(failure)
                    return failure
        return None

    def _fail(self, failure: Failure, accepted: Answer | None = None) -> None:
        if failure.pause:
            self.state.closing.wait(failure.pause)
        if failure.drop:
            self.close_connection = True
            return
        if accepted is not None and not failure.error and failure.status == 200:
            return self._json(*accepted)  # only a pause was scripted
        body = {"ok": False, "error": failure.error}
        self._json(failure.status, body, failure.headers())

    def _params(self, body: bytes) -> dict[str, Any]:
        if self.headers.get_content_type() == "application/json":
            loaded = json.loads(body or b"{}")
            return loaded if isinstance(loaded, dict) else {}
        params: dict[str, Any] = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        for key in ("blocks", "metadata"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    # --- the Web API -----------------------------------------------------------------------

    def _api(self, method: str, params: dict[str, Any]) -> Answer:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token != self.state.token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if self.state.revoked:
            return 200, {"ok": False, "error": "token_revoked"}, {}
        headers = {"x-oauth-scopes": ",".join(sorted(self.state.scopes))}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, headers
        needed = self._needed(method, params)
        if needed and needed not in self.state.scopes:
            body = {"ok": False, "error": "missing_scope", "needed": needed,
                    "provided": headers["x-oauth-scopes"]}
            return 200, body, headers
        status, data = handler(params)
        return status, data, headers

    def _needed(self, method: str, params: dict[str, Any]) -> str:
        private = self._channel_id(str(params.get("channel", ""))) in self.state.private
        kind = "groups" if private else "channels"
        if method == "conversations.list":
            types = str(params.get("types", "public_channel"))
            wanted = ["channels:read"] * ("public_channel" in types)
            wanted += ["groups:read"] * ("private_channel" in types)
            return next((s for s in wanted if s not in self.state.scopes), "")
        return {"chat.postMessage": "chat:write", "conversations.history": f"{kind}:history",
                "conversations.replies": f"{kind}:history",
                "conversations.info": f"{kind}:read"}.get(method, "")

    def _m_auth_test(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        user = {"user": self.state.bot_name, "user_id": "U0BOT", "bot_id": "B0BOT"}
        return 200, {"ok": True, "team": "Test", "team_id": "T0TEAM", **user}

    def _m_chat_postMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        named = str(params.get("channel", ""))
        channel = self._channel_id(named)
        error = block_errors(params.get("blocks"))
        if channel is None:
            error = "channel_not_found"
        elif channel in self.state.archived:
            error = "is_archived"
        elif channel in self.state.not_member:
            error = "not_in_channel"
        elif not params.get("text") and not params.get("blocks"):
            error = "no_text"
        elif params.get("thread_ts") and not self._message(channel, str(params["thread_ts"])):
            error = "thread_not_found"
        if error or channel is None:
            return 200, {"ok": False, "error": error}
        ts = self._record("api", channel, params, named)
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}

    def _m_conversations_history(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._read(params, thread=None)

    def _m_conversations_replies(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._read(params, thread=str(params.get("ts", "")))

    def _read(self, params: dict[str, Any], thread: str | None) -> tuple[int, dict[str, Any]]:
        channel = str(params.get("channel", ""))
        if channel not in self.state.channels.values():
            return 200, {"ok": False, "error": "channel_not_found"}  # ids only, as Slack
        if channel in self.state.not_member:
            return 200, {"ok": False, "error": "not_in_channel"}
        found = [m for m in self._messages() if m.via == "api" and m.channel == channel]
        if thread is None:
            found = sorted((m for m in found if m.thread_ts is None), key=lambda m: -float(m.ts))
        elif not any(m.ts == thread for m in found):
            return 200, {"ok": False, "error": "thread_not_found"}
        else:
            found = [m for m in found if thread in (m.ts, m.thread_ts)]
        found = [m for m in found if self._in_window(m.ts, params)]
        metadata = _flag(params.get("include_all_metadata"))
        return 200, self._page([self._message_json(m, metadata) for m in found], params,
                               "messages")

    @staticmethod
    def _in_window(ts: str, params: dict[str, Any]) -> bool:
        oldest = _number(params.get("oldest"), 0.0)
        latest = _number(params.get("latest"), float("inf"))
        if _flag(params.get("inclusive")):
            return oldest <= float(ts) <= latest
        return oldest < float(ts) < latest

    @staticmethod
    def _message_json(message: Posted, metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": message.ts, "text": message.text,
                               "bot_id": "B0BOT"}
        if message.thread_ts:
            out["thread_ts"] = message.thread_ts
        if metadata and message.metadata:
            out["metadata"] = message.metadata
        return out

    @staticmethod
    def _page(items: list[dict[str, Any]], params: dict[str, Any], key: str) -> dict[str, Any]:
        start = int(_number(params.get("cursor") or 0, 0))
        limit = int(_number(params.get("limit"), 100)) or 100
        page = items[start : start + limit]
        more = start + limit < len(items)
        return {"ok": True, key: page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _channel_json(self, name: str, channel: str) -> dict[str, Any]:
        return {"id": channel, "name": name, "is_channel": True,
                "is_private": channel in self.state.private,
                "is_archived": channel in self.state.archived,
                "is_member": channel not in self.state.not_member}

    def _m_conversations_info(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel = str(params.get("channel", ""))
        names = {v: k for k, v in self.state.channels.items()}
        if channel not in names:
            return 200, {"ok": False, "error": "channel_not_found"}
        return 200, {"ok": True, "channel": self._channel_json(names[channel], channel)}

    def _m_conversations_list(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        types = str(params.get("types", "public_channel"))
        listed = []
        for name, channel in self.state.channels.items():
            kind = "private_channel" if channel in self.state.private else "public_channel"
            archived = channel in self.state.archived
            if kind in types and not (archived and _flag(params.get("exclude_archived"))):
                listed.append(self._channel_json(name, channel))
        return 200, self._page(listed, params, "channels")

    def _m_chat_getPermalink(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel, ts = str(params.get("channel", "")), str(params.get("message_ts", ""))
        if not self._message(channel, ts):
            return 200, {"ok": False, "error": "message_not_found"}
        link = f"https://test.slack.example/archives/{channel}/p{ts.replace('.', '')}"
        return 200, {"ok": True, "channel": channel, "permalink": link}

    def _messages(self) -> list[Posted]:
        with self.state.lock:
            return list(self.state.messages)

    def _message(self, channel: str, ts: str) -> bool:
        return any(m.channel == channel and m.ts == ts for m in self._messages())

    def _channel_id(self, channel: str) -> str | None:
        name = channel.removeprefix("#")
        if name in self.state.channels.values():
            return name
        return self.state.channels.get(name)

    # --- webhooks ----------------------------------------------------------------------------

    def _webhook(self, body: bytes, failure: Failure | None) -> None:
        if self.state.delay:
            time.sleep(self.state.delay)
        if failure and (failure.drop or failure.pause) and not failure.accept:
            self.state.closing.wait(failure.pause)
            self.close_connection = True
            return
        if failure and not failure.accept:
            return self._send(failure.status, "text/plain", failure.error.encode(),
                              failure.headers())
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
        self._record("webhook", "webhook", params, "")
        if failure:
            self.state.closing.wait(failure.pause)
            if failure.drop:
                self.close_connection = True
                return
            if failure.status != 200:
                return self._send(failure.status, "text/plain", failure.error.encode())
        self._send(200, "text/plain", b"ok")

    def _record(self, via: str, channel: str, params: dict[str, Any], requested: str) -> str:
        with self.state.lock:
            stamp = max(self.state.clock(), self.state.last_ts + 0.000001)
            self.state.last_ts = stamp
            ts = f"{stamp:.6f}"
            metadata = params.get("metadata")
            posted = Posted(
                via,
                channel,
                str(params.get("text", "")),
                list(params.get("blocks") or []),
                params.get("thread_ts"),
                ts,
                params.get("unfurl_links"),
                params.get("unfurl_media"),
                metadata if isinstance(metadata, dict) else None,
                requested,
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
