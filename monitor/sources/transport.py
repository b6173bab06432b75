"""httpx's own HTTP/1.1 stack (httpcore and h11) for feeds and pages: pinned, and proxied.

`RoutedTransport` is the one httpx transport of a run. A request goes through the proxy
that `Proxies` names for its URL, or straight to the server over a pool of keep-alive
connections whose network backend connects only to the addresses `resolve` returns (the
address guard's checked addresses). h11 parses every answer: malformed status lines,
chunk sizes and headers, conflicting lengths and oversized heads are errors, and header
values with CR or LF are refused before anything is written. HTTP/2 stays off: a poll
cycle is many small requests to many hosts, where it gains nothing measurable. A GET that
fails on its connection before any answer (a kept-alive connection the server closed just
then) is sent once more, as browsers and urllib3 do.

httpx takes no network backend as an argument yet (encode/httpx#3749), so `_Pool` hands
httpx's transport an httpcore pool built here; everything else (request and response
models, the mapping of httpcore's errors to httpx's) is httpx's own.
"""

from __future__ import annotations

import ssl
from types import TracebackType

import httpcore
import httpx

from monitor.sources.network import AsyncioBackend, PinnedBackend, Resolve
from monitor.sources.proxy import Proxies

KEEPALIVE_SECONDS = 15.0  # idle connections are kept this long (within a cycle, not across)
NO_BODY = (204, 304)
# Failures of a connection before an answer: a kept-alive connection the server closed as
# the request went out ("Server disconnected without sending a response"), or one spoiled
# by bytes sent after a bodiless answer. Timeouts are not among them.
RETRIED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
IDEMPOTENT = frozenset({"GET", "HEAD"})


class _Pool(httpx.AsyncHTTPTransport):
    """httpx's transport over the given httpcore pool."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self._pool = pool  # httpx's own __init__ would only build a pool to replace


class RoutedTransport(httpx.AsyncBaseTransport):
    """Sends each request directly (pinned) or through its proxy."""

    def __init__(self, *, connections: int, resolve: Resolve | None = None,
                 proxies: Proxies | None = None, ssl_context: ssl.SSLContext | None = None
                 ) -> None:
        self._connections = connections
        self._proxies = proxies or Proxies()
        self._ssl = ssl_context or httpx.create_ssl_context()
        backend = PinnedBackend(resolve) if resolve is not None else AsyncioBackend()
        # httpcore's pool does work per request that grows with its connections squared:
        # keeping no more idle connections than requests in flight bounds it.
        self._direct = _Pool(httpcore.AsyncConnectionPool(
            ssl_context=self._ssl, network_backend=backend, max_connections=connections,
            max_keepalive_connections=connections, keepalive_expiry=KEEPALIVE_SECONDS))
        self._via: dict[str, _Pool] = {}

    def _proxied(self, url: str) -> _Pool:
        if url not in self._via:
            proxy = httpx.Proxy(url)
            self._via[url] = _Pool(httpcore.AsyncHTTPProxy(
                proxy_url=httpcore.URL(scheme=proxy.url.raw_scheme, host=proxy.url.raw_host,
                                       port=proxy.url.port, target=proxy.url.raw_path),
                proxy_auth=proxy.raw_auth, proxy_headers=proxy.headers.raw,
                ssl_context=self._ssl, network_backend=AsyncioBackend(),
                max_connections=self._connections, max_keepalive_connections=self._connections,
                keepalive_expiry=KEEPALIVE_SECONDS))
        return self._via[url]

    def route(self, url: str) -> str | None:
        """The proxy a request to `url` goes through, or None."""
        return self._proxies.for_url(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self.route(str(request.url))
        transport = self._direct if proxy is None else self._proxied(proxy)
        try:
            response = await transport.handle_async_request(request)
        except RETRIED:
            if request.method not in IDEMPOTENT:
                raise
            # RFC 9112 9.3.1: a connection may close at any time, and a client may repeat an
            # idempotent request once; the failed connection is gone, so it goes elsewhere.
            response = await transport.handle_async_request(request)
        if response.status_code in NO_BODY and "transfer-encoding" in response.headers:
            # h11 reads these as bodiless, as they must be; the body sent anyway would be
            # read as the next answer on this connection, so it is not used again.
            stream = response.extensions.get("network_stream")
            if isinstance(stream, httpcore.AsyncNetworkStream):
                await stream.aclose()
        return response

    async def aclose(self) -> None:
        for transport in (self._direct, *self._via.values()):
            await transport.aclose()
        self._via.clear()

    async def __aexit__(self, kind: type[BaseException] | None = None,
                        exc: BaseException | None = None,
                        tb: TracebackType | None = None) -> None:
        await self.aclose()


__all__ = ["KEEPALIVE_SECONDS", "RETRIED", "RoutedTransport"]
