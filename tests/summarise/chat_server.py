"""A loopback fake of an OpenAI-compatible chat-completions endpoint.

    with ChatServer() as chat:
        chat.answer("Northwind will spend $4.5 billion on a data centre.")
        chat.fail(500)                      # the call after that answers HTTP 500
        chat.stall(seconds=2.0)             # ... and the one after that is slow
        summariser = LLMSummariser(chat.url, "test-model", "sk-test", ...)
        assert chat.requests[0].headers["authorization"] == "Bearer sk-test"

Scripted replies are used in order; once they run out, every call gets `default`.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the server sends for one request."""

    status: int = 200
    content: str | None = "A short summary."
    body: bytes | None = None  # raw body, instead of a completion carrying `content`
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    """What the server received."""

    path: str
    headers: dict[str, str]
    json: Any


@dataclass
class ChatServer:
    """A chat-completions server on 127.0.0.1 at a free port, serving from a thread."""

    default: Reply = field(default_factory=Reply)
    requests: list[Request] = field(default_factory=list)
    _replies: deque[Reply] = field(default_factory=deque)
    _stop: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL, as users configure it (ending in /v1)."""
        assert self._server is not None, "use the server in a with block"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def answer(self, content: str) -> None:
        """Queue a 200 completion whose message content is `content`."""
        self._replies.append(Reply(content=content))

    def fail(self, status: int, body: bytes = b'{"error": {"message": "nope"}}') -> None:
        """Queue an HTTP error."""
        self._replies.append(Reply(status=status, body=body))

    def send_raw(self, body: bytes) -> None:
        """Queue a 200 whose body is exactly `body` (for malformed answers)."""
        self._replies.append(Reply(body=body))

    def stall(self, seconds: float, content: str = "Too late.") -> None:
        """Queue an answer that waits `seconds` before sending anything."""
        self._replies.append(Reply(content=content, delay=seconds))

    def next_reply(self) -> Reply:
        return self._replies.popleft() if self._replies else self.default

    def __enter__(self) -> ChatServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (and so each test's teardown) quick.
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()  # wakes any stalled handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def completion(content: str | None, model: str = "test-model") -> bytes:
    """A chat-completions response body as OpenAI-compatible servers send it."""
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    ).encode()


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append(Request(self.path, headers, json.loads(raw or b"null")))
            reply = server.next_reply()
            if reply.delay and server._stop.wait(reply.delay):
                return
            body = reply.body if reply.body is not None else completion(reply.content)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (a timeout test); nothing to report

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler
