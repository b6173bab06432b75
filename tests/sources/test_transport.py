"""The lean transport against a loopback server that answers with scripted raw bytes."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from monitor.sources.transport import LeanTransport


class RawServer:
    """Answers each request on a connection with the next scripted bytes."""

    def __init__(self, answers: list[bytes], close_after: int | None = None) -> None:
        self.answers = answers
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                writer.write(self.answers.pop(0))
                await writer.drain()
                served += 1
                if self.close_after is not None and served >= self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@contextlib.asynccontextmanager
async def serving(answers: list[bytes], close_after: int | None = None
                  ) -> AsyncIterator[RawServer]:
    raw = RawServer(answers, close_after)
    server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
    raw.port = server.sockets[0].getsockname()[1]
    try:
        yield raw
    finally:
        server.close()


async def get(transport: LeanTransport, raw: RawServer, path: str = "/feed",
              method: str = "GET") -> tuple[httpx.Response, bytes]:
    request = httpx.Request(method, f"http://127.0.0.1:{raw.port}{path}",
                            headers={"Accept-Encoding": "gzip"})
    response = await transport.handle_async_request(request)
    body = b"".join([chunk async for chunk in response.aiter_bytes()])
    await response.aclose()
    return response, body


def ok(body: bytes, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return (f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode() + body


async def test_content_length_bodies_reuse_one_connection() -> None:
    async with serving([ok(b"one"), ok(b"two"), ok(b"three")]) as raw:
        transport = LeanTransport()
        bodies = [(await get(transport, raw))[1] for _ in range(3)]
        await transport.aclose()
        assert bodies == [b"one", b"two", b"three"]
        assert raw.connections == 1
        assert raw.requests[0].startswith(b"GET /feed HTTP/1.1\r\n")
        assert b"host: 127.0.0.1:" in raw.requests[0].lower()


async def test_chunked_and_gzip_bodies() -> None:
    packed = gzip.compress(b"<rss>hello chunks</rss>")
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
               + f"{len(packed[:10]):x}\r\n".encode() + packed[:10] + b"\r\n"
               + f"{len(packed[10:]):x};ext=1\r\n".encode() + packed[10:] + b"\r\n"
               + b"0\r\nX-Trailer: yes\r\n\r\n")
    async with serving([chunked, ok(b"after")]) as raw:
        transport = LeanTransport()
        response, body = await get(transport, raw)
        _, after = await get(transport, raw)
        await transport.aclose()
        assert response.status_code == 200 and body == b"<rss>hello chunks</rss>"
        assert after == b"after" and raw.connections == 1


async def test_a_body_until_close_and_http_1_0() -> None:
    old = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<rss/>"
    async with serving([old], close_after=1) as raw:
        transport = LeanTransport()
        response, body = await get(transport, raw)
        await transport.aclose()
        assert body == b"<rss/>" and response.extensions["http_version"] == b"HTTP/1.0"


async def test_304_and_interim_answers_have_no_body() -> None:
    interim = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\n"
               b"ETag: \"v1\"\r\n\r\n")
    async with serving([interim, ok(b"next")]) as raw:
        transport = LeanTransport()
        response, body = await get(transport, raw)
        _, after = await get(transport, raw)
        await transport.aclose()
    assert response.status_code == 304 and body == b"" and response.headers["etag"] == '"v1"'
    assert after == b"next" and raw.connections == 1


async def test_a_stale_idle_connection_is_retried_on_a_fresh_one() -> None:
    async with serving([ok(b"first"), ok(b"second")], close_after=1) as raw:
        transport = LeanTransport()
        await get(transport, raw)
        await asyncio.sleep(0.05)  # the server has closed the kept-alive connection
        _, body = await get(transport, raw)
        await transport.aclose()
        assert body == b"second" and raw.connections == 2


async def test_connection_close_is_honoured() -> None:
    async with serving([ok(b"a", "Connection: close"), ok(b"b")], close_after=1) as raw:
        transport = LeanTransport()
        await get(transport, raw)
        _, body = await get(transport, raw)
        await transport.aclose()
        assert body == b"b" and raw.connections == 2


@pytest.mark.parametrize(("answer", "error"), [
    (b"SPDY/3 200 OK\r\n\r\n", httpx.RemoteProtocolError),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", httpx.RemoteProtocolError),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", httpx.ReadError),
])
async def test_broken_answers_raise_httpx_errors(answer: bytes,
                                                 error: type[Exception]) -> None:
    async with serving([answer], close_after=1) as raw:
        transport = LeanTransport()
        with pytest.raises(error):
            await get(transport, raw)
        await transport.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    transport = LeanTransport(connect_timeout=1)
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(httpx.Request("GET", f"http://127.0.0.1:{port}/"))


async def test_connections_go_to_the_resolved_addresses() -> None:
    asked: list[str] = []

    async def resolve(host: str) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    async with serving([ok(b"pinned")]) as raw:
        transport = LeanTransport(resolve=resolve)
        request = httpx.Request("GET", f"http://feeds.test:{raw.port}/feed")
        response = await transport.handle_async_request(request)
        body = await response.aread()
        await transport.aclose()
    assert body == b"pinned" and asked == ["feeds.test"]
    assert b"host: feeds.test:" in raw.requests[0].lower()


async def test_other_schemes_are_refused() -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        await LeanTransport().handle_async_request(httpx.Request("GET", "ftp://x.example/f"))
