"""A loopback HTTP server for tests: routes that serve feeds, pages and misbehaviour.

Each route is a `Route`: a body with headers, optional ETag/Last-Modified support
(answering 304 to a matching conditional request), a status, a redirect, a delay, a
gzip encoding, or a dropped connection. Every request is recorded for assertions.
"""

from __future__ import annotations

import gzip
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    redirect: str | None = None          # Location for a 3xx status
    delay: float = 0.0                   # seconds before answering
    gzip: bool = False                   # send the body gzip-encoded
    drop: bool = False                   # close the connection without an answer
    trickle: float = 0.0                 # seconds between 1-byte chunks of the body


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Routes by path; start with `serve()`."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.host = host
        self.port = 0
        self.tls = tls  # serve https with this server-side context

    def url(self, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    @contextmanager
    def serve(self) -> Iterator[FeedServer]:
        server = _QuietServer((self.host, 0), _handler(self))
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out or hang up early are what several tests are about


def _handler(owner: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            owner.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = owner.routes.get(self.path)
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if route.redirect is not None:
                self._send(route.status, {"Location": route.redirect, **route.headers}, b"")
                return
            if self._not_modified(route):
                self._send(304, self._validators(route), b"")
                return
            self._body(route)

        def _validators(self, route: Route) -> dict[str, str]:
            out = {}
            if route.etag:
                out["ETag"] = route.etag
            if route.last_modified:
                out["Last-Modified"] = route.last_modified
            return out

        def _not_modified(self, route: Route) -> bool:
            tag = self.headers.get("If-None-Match")
            since = self.headers.get("If-Modified-Since")
            if route.etag and tag:
                return tag == route.etag
            return bool(route.last_modified and since == route.last_modified)

        def _body(self, route: Route) -> None:
            body = gzip.compress(route.body) if route.gzip else route.body
            headers = {"Content-Type": route.content_type, **self._validators(route),
                       **route.headers}
            if route.gzip:
                headers["Content-Encoding"] = "gzip"
            if route.trickle:
                self._trickle(route.status, headers, body, route.trickle)
                return
            self._send(route.status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _trickle(self, status: int, headers: dict[str, str], body: bytes,
                     pause: float) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for index in range(len(body)):
                    self.wfile.write(body[index:index + 1])
                    self.wfile.flush()
                    time.sleep(pause)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def rss(items: list[dict[str, str]], title: str = "Test feed", ttl: int | None = None) -> bytes:
    """A small RSS 2.0 document; each item dict may hold title, link, guid, description,
    content, pubDate."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
             f"<channel><title>{title}</title><link>http://example.org/</link>"
             "<description>test</description>"]
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate"):
            if key in item:
                parts.append(f"<{key}>{item[key]}</{key}>")
        if "description" in item:
            parts.append(f"<description><![CDATA[{item['description']}]]></description>")
        if "content" in item:
            parts.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")
