"""Fetch feeds and pages politely: one connection pool per run, limits, caps, conditional GET.

Requests and responses are httpx's; they go to the run's transport (transport.py:
httpcore and h11, pinned to the guard's checked addresses, proxied where the settings or
the environment say). httpx's client layer is left out: the fetcher follows redirects
itself so that every hop passes the guard, it keeps no cookies (a feed reader should
not), and it reads proxies as curl does; the layer would add about 0.2 ms per request
and none of what it does would be used.

Bodies are streamed and the cap applies to the decompressed bytes (body.py), so a gzip
bomb stops at the cap. A whole request, redirects and body included, has one deadline;
connect, read, write and pool waits have their own timeouts within it, and a request cut
at its deadline closes its connection. `fetch` never raises: whatever goes wrong, a
protocol error, a refusal or a bug, becomes the `Fetched` error sentence.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import ssl
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
from monitor.sources.body import read_capped, too_big
from monitor.sources.failures import describe_http_error, describe_status
from monitor.sources.guard import AddressGuard, shown_url
from monitor.sources.proxy import Proxies
from monitor.sources.transport import RoutedTransport
from monitor.sources.urls import is_http_url

USER_AGENT = f"monitor/{__version__} (news monitor for AI infrastructure; feed reader)"
Guard = Callable[[str], Awaitable[None]]  # raises BlockedURLError to refuse a URL
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits for every request of a run."""

    timeout: float = 20.0          # the whole request: connect, redirects and body
    connect_timeout: float = 10.0
    read_timeout: float = 10.0     # the longest silence while an answer is due
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 16
    per_host: int = 2
    user_agent: str = USER_AGENT
    proxy: str = ""                # "": HTTPS_PROXY, http_proxy, ALL_PROXY, NO_PROXY


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
    """One transport (connection pool) for a run, with a global and a per-host limit.

    With an AddressGuard, every hop of every fetch is checked and direct connections go
    only to the addresses it checked. `proxies` default to `settings.proxy`, else the
    environment's (raises ConfigError for an unusable one).
    """

    def __init__(self, settings: FetchSettings = FetchSettings(),
                 transport: httpx.AsyncBaseTransport | None = None, *,
                 guard: Guard | None = None, proxies: Proxies | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.guard = guard
        self.proxies = proxies if proxies is not None else Proxies.from_settings(settings.proxy)
        self._given, self._ssl = transport, ssl_context
        self._transport: httpx.AsyncBaseTransport | None = None
        self._headers = {"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        self._timeouts = {"connect": settings.connect_timeout, "read": settings.read_timeout,
                          "write": settings.read_timeout, "pool": settings.timeout}
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        pinned = self.guard.addresses if isinstance(self.guard, AddressGuard) else None
        self._transport = self._given or RoutedTransport(
            connections=self.settings.concurrency, resolve=pinned, proxies=self.proxies,
            ssl_context=self._ssl)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    guard: Guard | None = None, accept: str = "") -> Fetched:
        """Fetch one URL or local file; never raises (but for cancellation)."""
        started = time.monotonic()
        if not is_http_url(url):
            return _read_file(url, self.settings.max_bytes, started)
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with self._slots, slot:
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._fetch(url, etag, last_modified, guard or self.guard,
                                             accept, started)
            except TimeoutError:
                return _failed(url, f"no complete answer within {self.settings.timeout:g} s "
                               "(request timeout); the server is slow or unreachable", started)
            except FetchError as exc:
                return _failed(url, str(exc), started)
            except httpx.HTTPError as exc:
                return _failed(url, describe_http_error(exc), started)
            except Exception as exc:  # a bug, or something no one foresaw: still one feed
                _LOG.warning("fetching %s failed: %s: %s", shown_url(url),
                             type(exc).__name__, exc)
                return _failed(url, f"the request failed unexpectedly ({type(exc).__name__}); "
                               "it will be retried", started)

    async def fetch_all(self, requests: Sequence[tuple[str, str | None, str | None]]
                        ) -> list[Fetched]:
        """Fetch (url, etag, last_modified) requests concurrently, in order."""
        return list(await asyncio.gather(
            *(self.fetch(url, etag=etag, last_modified=lm) for url, etag, lm in requests)))

    async def _check(self, guard: Guard | None, url: str) -> None:
        if isinstance(guard, AddressGuard):
            await guard(url, proxied=self.proxies.for_url(url) is not None)
        elif guard is not None:
            await guard(url)

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None,
                     guard: Guard | None, accept: str, started: float) -> Fetched:
        assert self._transport is not None, "use Fetcher as an async context manager"
        headers = {**self._headers, **_conditional(etag, last_modified)}
        if accept:
            headers["Accept"] = accept
        current, permanent = url, True
        for _ in range(self.settings.max_redirects + 1):
            await self._check(guard, current)
            request = httpx.Request("GET", current, headers=headers,
                                    extensions={"timeout": self._timeouts})
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    permanent = permanent and response.status_code in PERMANENT
                    current = _redirect(current, response.headers["location"])
                    continue
                return await self._finish(url, current, response, permanent, started)
            finally:
                await response.aclose()
        raise FetchError(f"more than {self.settings.max_redirects} redirects (a redirect loop?); "
                         "check the URL in a browser and use the final address")

    async def _finish(self, url: str, final: str, response: httpx.Response, permanent: bool,
                      started: float) -> Fetched:
        code = response.status_code
        if not 100 <= code <= 599:
            raise FetchError(f"the server answered with status {code}, which HTTP does not "
                             "have; it will be retried")
        moved = final if final != url and permanent else None
        headers = {k.lower(): v for k, v in response.headers.items()}
        if code == 304:
            # Reading the (empty) body hands the connection back to the pool; an unread
            # response is closed with its connection.
            await response.aread()
            return Fetched(url, "not_modified", final, code, headers=headers,
                           elapsed_ms=_ms(started), moved_to=moved)
        if code >= 400 or code == 204:
            error = describe_status(code, headers) if code != 204 else \
                "HTTP 204 No Content: the server sent nothing; check the URL"
            return Fetched(url, "error", final, code, headers=headers, error=error,
                           elapsed_ms=_ms(started), moved_to=moved)
        body = await read_capped(response, self.settings.max_bytes)
        return Fetched(url, "ok", final, code, body, headers, elapsed_ms=_ms(started),
                       moved_to=moved)


def _redirect(current: str, location: str) -> str:
    try:
        target = urljoin(current, location)
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL):
        raise FetchError(f"the server redirected to an address that is not a valid URL "
                         f"({shown_url(location, 60)}); it will be retried") from None
    return target


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The validators to send back; one that is not a valid header value is dropped (the
    feed is then fetched in full and its new validators stored)."""
    headers = {}
    if etag and sendable(etag):
        headers["If-None-Match"] = etag
    if last_modified and sendable(last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def sendable(value: str) -> bool:
    """Whether a header value can go on the wire as it is: printable ASCII, no CR or LF."""
    return value.isascii() and value.isprintable() and len(value) <= 1024


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
        return _failed(path, too_big(cap), started)
    return Fetched(path, "ok", str(local), None, body, {}, elapsed_ms=_ms(started))


def _failed(url: str, error: str, started: float) -> Fetched:
    return Fetched(url, "error", url, None, error=error, elapsed_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


__all__ = ["USER_AGENT", "BlockedURLError", "FetchSettings", "Fetched", "Fetcher", "Guard"]
