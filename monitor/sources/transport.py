"""A lean HTTP/1.1 transport for httpx: keep-alive connections on asyncio streams.

A poll cycle is mostly small conditional GETs answered 304. httpcore spends 1 to 2 ms
of CPU on each (pool bookkeeping that grows with the pool); this transport spends a
few hundredths of that, which is what lets a cycle of a thousand unchanged feeds cost
almost nothing. httpx still builds the requests, decodes gzip and deflate, and gives
the Fetcher its streaming, capped body; this only moves bytes.

It speaks what feed and page servers need: HTTP/1.1 (and 1.0) over TCP or TLS,
Content-Length, chunked and read-until-close bodies, keep-alive with a retry when an
idle connection turns out to be closed. No proxies, no HTTP/2. With `resolve`, every
connection goes only to the addresses that function returns (the address guard's
checked addresses), so a DNS answer cannot change between the check and the connect.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

Resolve = Callable[[str], Awaitable[list[str]]]
Key = tuple[str, str, int]
_NO_BODY = {204, 304}
_HEAD_LIMIT = 64 * 1024
_CHUNK = 64 * 1024
_MAX_IDLE = 32  # idle connections kept per host


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 keep-alive connections, pooled per (scheme, host, port)."""

    def __init__(self, *, connect_timeout: float = 10.0, resolve: Resolve | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._timeout = connect_timeout
        self._resolve = resolve
        self._ssl = ssl_context
        self._idle: dict[Key, list[_Connection]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        head = _request_head(request)
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        for attempt in (1, 2):
            connection, reused = await self._acquire(key)
            try:
                connection.writer.write(head + body)
                await connection.writer.drain()
                status, version, headers = await _read_head(connection.reader)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ValueError) as exc:
                connection.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle connection; try a fresh one
                raise httpx.RemoteProtocolError(_describe(exc)) from None
            stream = _Body(self, key, connection, status, version, headers,
                           request.method == "HEAD")
            return httpx.Response(status, headers=headers, stream=stream,
                                  extensions={"http_version": version})
        raise AssertionError("unreachable")

    async def _acquire(self, key: Key) -> tuple[_Connection, bool]:
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if not connection.reader.at_eof() and not connection.writer.is_closing():
                return connection, True
            connection.close()
        return await self._connect(key), False

    async def _connect(self, key: Key) -> _Connection:
        scheme, host, port = key
        addresses = await self._resolve(host) if self._resolve is not None else [host]
        tls = self._context() if scheme == "https" else None
        error: Exception | None = None
        for address in addresses:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(
                    address, port, ssl=tls, server_hostname=host if tls else None,
                    limit=_HEAD_LIMIT), self._timeout)
                return _Connection(reader, writer)
            except TimeoutError:
                error = httpx.ConnectTimeout(f"connecting to {host}:{port} timed out")
            except (OSError, ssl.SSLError) as exc:
                error = httpx.ConnectError(str(exc) or type(exc).__name__)
        raise error or httpx.ConnectError(f"no address to connect to for {host}")

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def release(self, key: Key, connection: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < _MAX_IDLE:
            idle.append(connection)
        else:
            connection.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _request_head(request: httpx.Request) -> bytes:
    target = request.url.raw_path or b"/"
    lines = [request.method.encode() + b" " + target + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    while True:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw[:-4].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ValueError(f"not an HTTP/1.x status line: {lines[0][:60]!r}")
        status = int(parts[1])
        if 100 <= status < 200:
            continue  # an interim answer; the real one follows
        headers = []
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if colon:
                headers.append((name.strip(), value.strip()))
        return status, parts[0], headers


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError):
        return "the server closed the connection before answering"
    return str(exc) or type(exc).__name__


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives; the connection goes back to the pool when read."""

    def __init__(self, transport: LeanTransport, key: Key, connection: _Connection,
                 status: int, version: bytes, headers: list[tuple[bytes, bytes]],
                 head_only: bool) -> None:
        self._transport, self._key, self._connection = transport, key, connection
        fields = {name.lower(): value.lower() for name, value in headers}
        self._chunked = b"chunked" in fields.get(b"transfer-encoding", b"")
        length = fields.get(b"content-length", b"")
        self._length: int | None = int(length) if length.isdigit() else None
        if head_only or status in _NO_BODY or 100 <= status < 200:
            self._length = 0
        closing = fields.get(b"connection", b"")
        self._reusable = (b"close" not in closing and (version == b"HTTP/1.1"
                                                        or b"keep-alive" in closing)
                          and (self._chunked or self._length is not None))
        self._done = self._length == 0 and not self._chunked

    async def __aiter__(self) -> AsyncIterator[bytes]:
        reader = self._connection.reader
        try:
            if self._chunked:
                async for chunk in _chunks(reader):
                    yield chunk
            elif self._length is not None:
                left = self._length
                while left:
                    chunk = await reader.read(min(left, _CHUNK))
                    if not chunk:
                        raise httpx.RemoteProtocolError(
                            "the server closed the connection in the middle of the body")
                    left -= len(chunk)
                    yield chunk
            else:
                while chunk := await reader.read(_CHUNK):
                    yield chunk
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise httpx.ReadError(_describe(exc)) from None
        self._done = True

    async def aclose(self) -> None:
        if self._done and self._reusable:
            self._transport.release(self._key, self._connection)
        else:
            self._connection.close()  # a body left unread would garble the next answer


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return
        left = size
        while left:
            chunk = await reader.read(min(left, _CHUNK))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(chunk)
            yield chunk
        await reader.readexactly(2)
