"""httpx's transport stack as the fetcher sets it up, against scripted raw answers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ssl
from collections.abc import AsyncIterator

import httpcore
import httpx
import pytest
import trustme

from monitor.sources.fetch import Fetcher, FetchSettings
from monitor.sources.guard import AddressGuard
from monitor.sources.network import BUFFER, AsyncioBackend, PinnedBackend
from monitor.sources.transport import RoutedTransport
from tests.fakes import FakeResolver
from tests.feedserver import FeedServer, Route

TIMEOUTS = {"connect": 1.0, "read": 1.0, "write": 1.0, "pool": 1.0}


class RawServer:
    """Answers each request on a connection with the next scripted bytes."""

    def __init__(self, answers: list[bytes], close_after: int | None = None,
                 drop_after: int | None = None) -> None:
        self.answers = answers
        self.close_after = close_after
        self.drop_after = drop_after  # then read one more request and hang up unanswered
        self.connections = 0
        self.closed_by_client = 0
        self.requests: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                if self.drop_after is not None and served >= self.drop_after:
                    break
                writer.write(self.answers.pop(0))
                await writer.drain()
                served += 1
                if self.close_after is not None and served >= self.close_after:
                    break
            else:
                while await reader.read(65536):
                    pass  # until the client hangs up
                self.closed_by_client += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            self.closed_by_client += 1
        writer.close()


@contextlib.asynccontextmanager
async def serving(answers: list[bytes], close_after: int | None = None,
                  drop_after: int | None = None) -> AsyncIterator[RawServer]:
    raw = RawServer(answers, close_after, drop_after)
    server = await asyncio.start_server(raw.handle, "127.0.0.1", 0)
    raw.port = server.sockets[0].getsockname()[1]
    try:
        yield raw
    finally:
        server.close()


async def get(transport: httpx.AsyncBaseTransport, raw: RawServer, path: str = "/feed",
              host: str = "127.0.0.1") -> tuple[httpx.Response, bytes]:
    request = httpx.Request("GET", f"http://{host}:{raw.port}{path}",
                            headers={"Accept-Encoding": "gzip"},
                            extensions={"timeout": TIMEOUTS})
    response = await transport.handle_async_request(request)
    body = b"".join([chunk async for chunk in response.aiter_bytes()])
    await response.aclose()
    return response, body


def ok(body: bytes, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return (f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode() + body


def transport(**kwargs: object) -> RoutedTransport:
    return RoutedTransport(connections=4, **kwargs)  # type: ignore[arg-type]


async def test_content_length_bodies_reuse_one_connection() -> None:
    async with serving([ok(b"one"), ok(b"two"), ok(b"three")]) as raw:
        client = transport()
        bodies = [(await get(client, raw))[1] for _ in range(3)]
        await client.aclose()
        assert bodies == [b"one", b"two", b"three"]
        assert raw.connections == 1
        assert raw.requests[0].startswith(b"GET /feed HTTP/1.1\r\n")


async def test_chunked_and_gzip_bodies() -> None:
    packed = gzip.compress(b"<rss>hello chunks</rss>")
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
               + f"{len(packed[:10]):x}\r\n".encode() + packed[:10] + b"\r\n"
               + f"{len(packed[10:]):x};ext=1\r\n".encode() + packed[10:] + b"\r\n"
               + b"0\r\nX-Trailer: yes\r\n\r\n")
    async with serving([chunked, ok(b"after")]) as raw:
        client = transport()
        response, body = await get(client, raw)
        _, after = await get(client, raw)
        await client.aclose()
        assert response.status_code == 200 and body == b"<rss>hello chunks</rss>"
        assert after == b"after" and raw.connections == 1


async def test_304_and_interim_answers_have_no_body() -> None:
    interim = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\n"
               b"ETag: \"v1\"\r\n\r\n")
    async with serving([interim, ok(b"next")]) as raw:
        client = transport()
        response, body = await get(client, raw)
        _, after = await get(client, raw)
        await client.aclose()
    assert response.status_code == 304 and body == b"" and response.headers["etag"] == '"v1"'
    assert after == b"next" and raw.connections == 1


async def test_a_body_after_a_304_is_not_read_as_the_next_answer() -> None:
    junk = b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHTTP/\r\n0\r\n\r\n"
    async with serving([junk, ok(b"fresh")], close_after=1) as raw:
        client = transport()
        response, _ = await get(client, raw)
        _, after = await get(client, raw)
        await client.aclose()
    assert response.status_code == 304 and after == b"fresh" and raw.connections == 2


async def test_a_closed_idle_connection_is_not_reused() -> None:
    async with serving([ok(b"first"), ok(b"second")], close_after=1) as raw:
        client = transport()
        await get(client, raw)
        await asyncio.sleep(0.05)  # the server has closed the kept-alive connection
        _, body = await get(client, raw)
        await client.aclose()
        assert body == b"second" and raw.connections == 2


async def test_a_request_the_server_hangs_up_on_is_sent_once_more_elsewhere() -> None:
    # The server closes a kept-alive connection just as the next request arrives (its idle
    # timeout, a load balancer's): "Server disconnected without sending a response".
    async with serving([ok(b"first"), ok(b"second")], drop_after=1) as raw:
        client = transport()
        await get(client, raw)
        response, body = await get(client, raw)
        await client.aclose()
    assert response.status_code == 200 and body == b"second"
    assert raw.connections == 2 and len(raw.requests) == 3


async def test_a_body_after_a_304_with_a_length_spoils_nothing_but_one_attempt() -> None:
    # h11 rightly reads a 304 as bodiless whatever its Content-Length says; bytes sent anyway
    # wait on the connection and garble the next answer, so that request goes elsewhere.
    junk = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nJUNK!"
    async with serving([junk, ok(b"spoiled"), ok(b"fresh")]) as raw:
        client = transport()
        response, _ = await get(client, raw)
        _, after = await get(client, raw)
        await client.aclose()
    assert response.status_code == 304 and after == b"fresh" and raw.connections == 2


async def test_a_server_that_always_hangs_up_costs_two_attempts_and_one_error() -> None:
    async with serving([ok(b"never")] * 5, drop_after=0) as raw:
        client = transport()
        with pytest.raises(httpx.RemoteProtocolError):
            await get(client, raw)
        await client.aclose()
    assert raw.connections == 2 and len(raw.requests) == 2


async def test_only_idempotent_requests_are_sent_again() -> None:
    async with serving([ok(b"never")] * 5, drop_after=0) as raw:
        client = transport()
        request = httpx.Request("POST", f"http://127.0.0.1:{raw.port}/hook", content=b"{}",
                                extensions={"timeout": TIMEOUTS})
        with pytest.raises(httpx.RemoteProtocolError):
            await client.handle_async_request(request)
        await client.aclose()
    assert raw.connections == 1


async def test_connection_close_is_honoured() -> None:
    async with serving([ok(b"a", "Connection: close"), ok(b"b")], close_after=1) as raw:
        client = transport()
        await get(client, raw)
        _, body = await get(client, raw)
        await client.aclose()
        assert body == b"b" and raw.connections == 2


async def test_a_request_cut_at_its_deadline_closes_its_connection() -> None:
    async with serving([]) as raw:  # reads the request, never answers
        client = transport()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await get(client, raw)
        for _ in range(300):  # up to 3 s on a loaded machine
            if raw.closed_by_client:
                break
            await asyncio.sleep(0.01)
        assert raw.closed_by_client == 1
        await client.aclose()


async def test_a_silent_server_is_a_read_timeout() -> None:
    async with serving([b"HTTP/1.1 200 OK\r\n"]) as raw:
        client = transport()
        with pytest.raises(httpx.ReadTimeout):
            await get(client, raw)
        await client.aclose()


async def test_header_values_with_line_breaks_never_reach_the_wire() -> None:
    async with serving([ok(b"x")]) as raw:
        client = transport()
        request = httpx.Request("GET", f"http://127.0.0.1:{raw.port}/",
                                headers={"If-None-Match": '"a"\r\nX-Injected: 1'},
                                extensions={"timeout": TIMEOUTS})
        with pytest.raises(httpx.LocalProtocolError):
            await client.handle_async_request(request)
        await client.aclose()
    assert raw.requests == []


async def test_connections_go_only_to_the_resolved_addresses() -> None:
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.9", "127.0.0.1"]  # nothing listens on the first: the next is tried

    async with serving([ok(b"pinned")]) as raw:
        client = transport(resolve=resolve)
        _, body = await get(client, raw, host="feeds.test")
        await client.aclose()
    assert body == b"pinned" and asked == [("feeds.test", raw.port)]
    assert b"host: feeds.test:" in raw.requests[0].lower()


async def test_a_refusal_from_the_resolver_stops_the_connection() -> None:
    async def refuse(host: str, port: int) -> list[str]:
        raise PermissionError(f"{host} is not allowed")

    backend = PinnedBackend(refuse)
    with pytest.raises(PermissionError):
        await backend.connect_tcp("private.test", 80)


async def test_a_flooding_server_is_read_no_further_than_the_buffer() -> None:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Cancelled when the test ends: ending quietly spares asyncio's streams a traceback.
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            for _ in range(400):
                writer.write(b"x" * 65536)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(flood, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1)
    await asyncio.sleep(0.3)  # the server writes as fast as it can; nobody reads
    assert stream.get_extra_info("is_readable") is True
    first = await stream.read(10)
    protocol = stream._protocol  # type: ignore[attr-defined]
    # Reading pauses once BUFFER bytes wait; one more read of the socket may land first.
    assert first == b"x" * 10 and len(protocol.buffer) <= 2 * BUFFER
    await stream.aclose()
    server.close()


async def test_the_backend_maps_socket_errors_to_httpcore_errors() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(httpcore.ConnectError):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=1)


async def test_tls_is_verified_against_the_name_while_connecting_to_the_pinned_address(
        ) -> None:
    ca = trustme.CA()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("secure.test").configure_cert(server_side)
    client_side = ssl.create_default_context()
    ca.configure_trust(client_side)
    names = FakeResolver({"secure.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    with FeedServer(tls=server_side).serve() as server:
        server.routes["/feed"] = Route(b"<rss/>")
        origins = {f"https://secure.test:{server.port}/", f"https://other.test:{server.port}/"}
        settings = FetchSettings(timeout=5.0)
        async with Fetcher(settings, guard=AddressGuard(origins, names),
                           ssl_context=client_side) as fetcher:
            good = await fetcher.fetch(f"https://secure.test:{server.port}/feed")
            wrong = await fetcher.fetch(f"https://other.test:{server.port}/feed")
    assert good.status == "ok" and good.body == b"<rss/>"
    assert wrong.status == "error" and "could not connect" in (wrong.error or "")
    assert len(server.hits("/feed")) == 1
