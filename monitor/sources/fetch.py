"""Fetch feeds and pages politely: one connection pool per run, limits, caps, conditional GET.

Requests and responses are httpx's (so are the gzip and deflate decoders); they go
straight to the run's transport, by default the lean keep-alive one in transport.py.
httpx's client layer (auth, cookies, redirects, event hooks) is left out: a poller uses
none of it, and on a 304 it cost as much as everything else together. Cookies are
therefore neither sent nor kept, which is also what a feed reader should do.

Each fetch follows redirects itself (at most `max_redirects`), so every hop can be
checked by a guard and the final URL and any permanent move are recorded. Bodies are
streamed and the cap applies to the decompressed bytes, so a gzip bomb stops at the
cap. A whole request, redirects and body included, has one deadline.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import __version__
from monitor.errors import BlockedURLError, FetchError
from monitor.sources.transport import LeanTransport
from monitor.sources.urls import is_http_url

USER_AGENT = f"monitor/{__version__} (news monitor for AI infrastructure; feed reader)"
Guard = Callable[[str], Awaitable[None]]  # raises BlockedURLError to refuse a URL
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits for every request of a run."""

    timeout: float = 20.0          # the whole request: connect, redirects and body
    connect_timeout: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 16
    per_host: int = 2
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of one fetch. `error` is one sentence when `status` is "error"."""

    url: str
    status: Literal["ok", "not_modified", "error"]
    final_url: str = ""
    code: int | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    elapsed_ms: int = 0
    moved_to: str | None = None  # set when every redirect on the way was permanent


class Fetcher:
    """One transport (connection pool) for a run, with a global and a per-host limit."""

    def __init__(self, settings: FetchSettings = FetchSettings(),
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._given = transport
        self._transport: httpx.AsyncBaseTransport | None = None
        self._headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        self._transport = self._given or LeanTransport(
            connect_timeout=self.settings.connect_timeout)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    guard: Guard | None = None, accept: str = "") -> Fetched:
        """Fetch one URL or local file; never raises for a network or HTTP problem."""
        started = time.monotonic()
        if not is_http_url(url):
            return _read_file(url, self.settings.max_bytes, started)
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with self._slots, slot:
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._fetch(url, etag, last_modified, guard, accept, started)
            except TimeoutError:
                return _failed(url, f"no complete answer within {self.settings.timeout:g} s "
                               "(request timeout); the server is slow or unreachable", started)
            except FetchError as exc:
                return _failed(url, str(exc), started)
            except httpx.HTTPError as exc:
                return _failed(url, describe_http_error(exc), started)

    async def fetch_all(self, requests: Sequence[tuple[str, str | None, str | None]]
                        ) -> list[Fetched]:
        """Fetch (url, etag, last_modified) requests concurrently, in order."""
        return list(await asyncio.gather(
            *(self.fetch(url, etag=etag, last_modified=lm) for url, etag, lm in requests)))

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None,
                     guard: Guard | None, accept: str, started: float) -> Fetched:
        assert self._transport is not None, "use Fetcher as an async context manager"
        headers = {**self._headers, **_conditional(etag, last_modified)}
        if accept:
            headers["Accept"] = accept
        current, permanent = url, True
        for _ in range(self.settings.max_redirects + 1):
            if guard is not None:
                await guard(current)
            request = httpx.Request("GET", current, headers=headers)
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    permanent = permanent and response.status_code in PERMANENT
                    current = urljoin(current, response.headers["location"])
                    continue
                return await self._finish(url, current, response, permanent, started)
            finally:
                await response.aclose()
        raise FetchError(f"more than {self.settings.max_redirects} redirects (a redirect loop?); "
                         "check the URL in a browser and use the final address")

    async def _finish(self, url: str, final: str, response: httpx.Response, permanent: bool,
                      started: float) -> Fetched:
        code = response.status_code
        moved = final if final != url and permanent else None
        headers = {k.lower(): v for k, v in response.headers.items()}
        if code == 304:
            # Reading the empty body hands the connection back to the pool; an unread
            # response is closed with its connection, so a cycle of 304s from one host
            # would open a new connection (and TLS session) per feed.
            await response.aread()
            return Fetched(url, "not_modified", final, code, headers=headers,
                           elapsed_ms=_ms(started), moved_to=moved)
        if code >= 400:
            return Fetched(url, "error", final, code, headers=headers,
                           error=describe_status(code, headers), elapsed_ms=_ms(started),
                           moved_to=moved)
        body = await _read_capped(response, self.settings.max_bytes)
        return Fetched(url, "ok", final, code, body, headers, elapsed_ms=_ms(started),
                       moved_to=moved)


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap and "content-encoding" not in response.headers:
        raise FetchError(_too_big(cap))
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise FetchError(_too_big(cap))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(cap: int) -> str:
    return (f"the body is larger than the {cap / 1048576:g} MB cap; raise fetch.max_bytes if "
            "this feed is really that large")


def describe_status(code: int, headers: Mapping[str, str]) -> str:
    """One sentence for an HTTP error status, with what to do about it."""
    reason = httpx.codes.get_reason_phrase(code) or "error"
    if code == 429:
        wait = headers.get("retry-after", "")
        later = f" after {wait} s" if wait.isdigit() else " later"
        return f"HTTP 429 {reason}: the server is rate-limiting us; it will be retried{later}"
    if code == 404:
        return f"HTTP 404 {reason}: the feed is not at this URL; check it or find its new address"
    if code == 410:
        return f"HTTP 410 {reason}: the publisher removed this feed; remove it from the config"
    if code in (401, 403):
        return f"HTTP {code} {reason}: the server refuses access; the feed may need a login"
    if code >= 500:
        return f"HTTP {code} {reason}: the server failed; it will be retried"
    return f"HTTP {code} {reason}: the server refused the request"


def describe_http_error(exc: httpx.HTTPError) -> str:
    """One sentence for a transport-level failure."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "the connection timed out; the host is slow or unreachable"
    if isinstance(exc, httpx.TimeoutException):
        return "the server stopped answering (read timeout); it will be retried"
    if isinstance(exc, httpx.ConnectError):
        detail = str(exc) or "connection refused"
        if "Name or service not known" in detail or "nodename nor servname" in detail or \
                "getaddrinfo" in detail:
            return "the host name does not resolve (a typo in the URL, or no network)"
        return f"could not connect ({detail}); check the URL and that the site is up"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection or broke the HTTP protocol; it will be retried"
    if isinstance(exc, httpx.DecodingError):
        return "the response could not be decompressed (corrupt gzip or deflate data)"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"the URL is not a valid http(s) address ({exc})"
    return f"the request failed ({type(exc).__name__}: {exc})"


def _read_file(path: str, cap: int, started: float) -> Fetched:
    """A local file as a feed; `file:` URLs and `.gz` files work too."""
    local = Path(path[len("file://"):] if path.startswith("file://") else path).expanduser()
    opener = gzip.open if local.suffix == ".gz" else open
    try:
        with opener(local, "rb") as handle:
            # Reading one byte past the cap tells "too big" apart without reading it all.
            body = handle.read(cap + 1)
    except FileNotFoundError:
        return _failed(path, "the file does not exist; check the path", started)
    except (OSError, EOFError) as exc:
        return _failed(path, f"the file cannot be read ({exc})", started)
    if len(body) > cap:
        return _failed(path, _too_big(cap), started)
    return Fetched(path, "ok", str(local), None, body, {}, elapsed_ms=_ms(started))


def _failed(url: str, error: str, started: float) -> Fetched:
    return Fetched(url, "error", url, None, error=error, elapsed_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


__all__ = ["USER_AGENT", "BlockedURLError", "FetchSettings", "Fetched", "Fetcher", "Guard"]
