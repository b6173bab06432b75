"""A raw-socket loopback server that answers each path with scripted, mostly malformed, bytes.

Each answer is an `Answer`: bytes sent as they are, or a coroutine that writes to the
socket as it likes (slowly, endlessly, or with a reset). Large bodies are written a piece
at a time, so the server itself holds little memory and a test can measure the client's.
Every connection is closed after its answer, so one bad answer cannot leak into another.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from tests.fakes import in_thread

Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]
Answer = bytes | Writer
PIECE = 64 * 1024


@dataclass
class HostileServer:
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.requests.append(head)
            path = head.split(b" ", 2)[1].decode()
            answer = self.answers.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            if isinstance(answer, bytes):
                writer.write(answer)
                await writer.drain()
            else:
                await answer(writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client hung up: what several answers are about
        except asyncio.CancelledError:
            pass  # the test is over; ending quietly spares asyncio's streams a traceback
        finally:
            writer.close()
            self.tasks.discard(task)


@contextlib.asynccontextmanager
async def serving(answers: dict[str, Answer]) -> AsyncIterator[HostileServer]:
    hostile = HostileServer(answers)
    server = await asyncio.start_server(hostile.handle, "127.0.0.1", 0)
    hostile.port = server.sockets[0].getsockname()[1]
    try:
        yield hostile
    finally:
        server.close()
        for task in hostile.tasks:  # answers that drip or repeat for longer than a test
            task.cancel()
        await asyncio.gather(*hostile.tasks, return_exceptions=True)


@contextlib.contextmanager
def serving_in_thread(answers: dict[str, Answer]) -> Iterator[HostileServer]:
    """`serving` on an event loop of its own, for tests of synchronous code (the CLI)."""
    with in_thread(serving(answers)) as server:
        yield server


def head(status: str = "200 OK", *headers: str, line_end: str = "\r\n") -> bytes:
    return (f"HTTP/1.1 {status}{line_end}" + "".join(f"{h}{line_end}" for h in headers)
            + line_end).encode("latin-1")


def answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    return head(status, f"Content-Length: {len(body)}", *headers) + body


def chunked_forever(first: bytes, total: int) -> Writer:
    """`first` (a head), then `total` bytes of chunked body, a piece at a time."""
    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(first)
        sent = 0
        while sent < total:
            writer.write(b"%x\r\n%s\r\n" % (PIECE, b"z" * PIECE))
            await writer.drain()
            sent += PIECE
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    return write


def raw_forever(first: bytes, total: int) -> Writer:
    """`first`, then `total` bytes as they are (no framing), a piece at a time."""
    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(first)
        for _ in range(total // PIECE):
            writer.write(b"z" * PIECE)
            await writer.drain()
    return write


def drip(data: bytes, pause: float) -> Writer:
    async def write(writer: asyncio.StreamWriter) -> None:
        for index in range(len(data)):
            writer.write(data[index:index + 1])
            await writer.drain()
            await asyncio.sleep(pause)
    return write


def repeat(data: bytes, pause: float, times: int) -> Writer:
    async def write(writer: asyncio.StreamWriter) -> None:
        for _ in range(times):
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(pause)
    return write


def reset_after(data: bytes) -> Writer:
    """`data`, then a TCP reset (SO_LINGER 0) instead of the rest."""
    async def write(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    return write


def gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, 9)


def chunked(body: bytes, size: int = 4096) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
