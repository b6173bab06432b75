"""A forward proxy on loopback for tests: absolute-form GET and CONNECT, nothing else.

It resolves names from its own table (`names`: a fake name -> a loopback address), so a
test can use a host name that only the proxy knows, the way a company proxy resolves
internal names. It connects to loopback addresses only and answers 403 for anything else:
nothing a test sends through it can leave the machine. Every request line is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ForwardProxy:
    names: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)   # request lines, as received
    refused: list[str] = field(default_factory=list)
    port: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _address(self, host: str) -> str | None:
        address = self.names.get(host.lower(), host)
        try:
            return address if ipaddress.ip_address(address.strip("[]")).is_loopback else None
        except ValueError:
            return None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            line, _, rest = head.decode("latin-1").partition("\r\n")
            self.seen.append(line)
            method, target, _ = line.split(" ", 2)
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, rest, reader, writer)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # the test is over; ending quietly spares asyncio's streams a traceback
        finally:
            writer.close()
            self.tasks.discard(task)

    async def _open(self, host: str, port: int, writer: asyncio.StreamWriter
                    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        address = self._address(host)
        if address is None:
            self.refused.append(host)
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return None
        return await asyncio.open_connection(address.strip("[]"), port)

    async def _tunnel(self, target: str, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        host, _, port = target.rpartition(":")
        upstream = await self._open(host, int(port), writer)
        if upstream is None:
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        up_reader, up_writer = upstream
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def _forward(self, method: str, target: str, headers: str,
                       reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        parts = urlsplit(target)  # absolute form: http://host:port/path
        upstream = await self._open(parts.hostname or "", parts.port or 80, writer)
        if upstream is None:
            return
        up_reader, up_writer = upstream
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [h for h in headers.split("\r\n") if h and not h.lower().startswith(
            ("connection:", "proxy-"))]
        up_writer.write(f"{method} {path or '/'} HTTP/1.1\r\n".encode("latin-1")
                        + "".join(f"{h}\r\n" for h in kept).encode("latin-1")
                        + b"Connection: close\r\n\r\n" + await _body(kept, reader))
        await up_writer.drain()
        # The answer goes back as it came, then the connection closes: HTTP/1.1 framing
        # by close is something every client reads.
        answer = await up_reader.read()
        up_writer.close()
        writer.write(_closing(answer))
        await writer.drain()


async def _body(headers: list[str], reader: asyncio.StreamReader) -> bytes:
    length = next((int(h.partition(":")[2]) for h in headers
                   if h.lower().startswith("content-length:")), 0)
    return await reader.readexactly(length) if length else b""


def _closing(answer: bytes) -> bytes:
    head, sep, body = answer.partition(b"\r\n\r\n")
    lines = [h for h in head.split(b"\r\n") if not h.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + sep + body


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def proxying(names: dict[str, str]) -> AsyncIterator[ForwardProxy]:
    proxy = ForwardProxy(dict(names))
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        for task in proxy.tasks:  # tunnels a client left open
            task.cancel()
        await asyncio.gather(*proxy.tasks, return_exceptions=True)
