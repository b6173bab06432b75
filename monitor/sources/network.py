"""httpcore network backends: asyncio sockets, and connections pinned to checked addresses.

httpcore speaks HTTP (through h11); a network backend only opens sockets and moves bytes.
httpcore's default backend goes through anyio, which costs as much CPU per request as the
rest of httpcore together (about 0.8 of 1.4 ms per 304 on loopback); `AsyncioBackend` uses
asyncio's transports directly. A connection stops reading from its socket once `BUFFER`
bytes wait unread, so a server that floods a connection nobody reads (a body after a 304)
costs at most that much memory.

`PinnedBackend` connects only to the addresses a `resolve` function returns for a host
(the address guard's checked addresses), so a DNS answer cannot change between the check
and the connect. TLS still verifies the certificate against the host name: httpcore passes
the name, not the address, as `server_hostname`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

Resolve = Callable[[str, int], Awaitable[list[str]]]  # (host, port) -> addresses to use
BUFFER = 256 * 1024


class _Protocol(asyncio.Protocol):
    """Collects what the socket delivers for `AsyncioStream.read`, within `BUFFER`."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.transport: asyncio.Transport | None = None
        self.paused_reading = False
        self.waiter: asyncio.Future[None] | None = None   # a read waiting for data
        self.drained: asyncio.Future[None] | None = None  # a write waiting for room

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= BUFFER and not self.paused_reading and self.transport:
            self.transport.pause_reading()
            self.paused_reading = True
        _wake(self.waiter)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self.waiter)
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self.waiter)
        _wake(self.drained)

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        _wake(self.drained)
        self.drained = None

    def take(self, limit: int) -> bytes:
        data = bytes(self.buffer[:limit])
        del self.buffer[:limit]
        if self.paused_reading and len(self.buffer) < BUFFER // 2 and self.transport:
            self.transport.resume_reading()
            self.paused_reading = False
        return data


def _wake(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport, self._protocol = transport, protocol
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            protocol.waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await protocol.waiter
            except TimeoutError:
                raise httpcore.ReadTimeout(f"no data for {timeout:g} s") from None
            finally:
                protocol.waiter = None
        if protocol.buffer:
            return protocol.take(max_bytes)
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        drained = self._protocol.drained
        if drained is not None:
            try:
                async with asyncio.timeout(timeout):
                    await drained
            except TimeoutError:
                raise httpcore.WriteTimeout(f"could not send for {timeout:g} s") from None

    async def aclose(self) -> None:
        self._closed = True
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self._protocol, ssl_context,
                                                 server_hostname=server_hostname)
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("the TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        if transport is None:
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Idle and readable means the server closed it, or sent what nobody asked for:
            # either way httpcore drops the connection instead of reusing it.
            return self._closed or self._protocol.eof or bool(self._protocol.buffer)
        names = {"ssl_object": "ssl_object", "server_addr": "peername",
                 "client_addr": "sockname", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """TCP connections on asyncio's own transports."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(_Protocol, host, port,
                                                                   local_addr=local)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        assert isinstance(transport, asyncio.Transport)
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to a host only at the addresses `resolve` gives for it, in order."""

    def __init__(self, resolve: Resolve, inner: httpcore.AsyncNetworkBackend | None = None
                 ) -> None:
        self._resolve = resolve
        self._inner = inner or AsyncioBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        error: Exception = httpcore.ConnectError(f"no address to connect to for {host}")
        for address in await self._resolve(host, port):
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address,
                                                     socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # the next address may answer
        raise error

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


__all__ = ["BUFFER", "AsyncioBackend", "AsyncioStream", "PinnedBackend", "Resolve"]
