"""Fakes shared by several test modules."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

T = TypeVar("T")


class FakeResolver:
    """Names that "resolve" from a table, without any DNS traffic; records every call.

    A name with several answers (a list of lists) gives one per call, the last one
    repeated: that is how a rebinding DNS server is played. An unknown name fails the
    way the system resolver does.
    """

    def __init__(self, table: dict[str, list[list[str]] | list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(self, host: str) -> list[str]:
        self.calls.append(host)
        answers = self.table.get(host)
        if answers is None:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        if answers and isinstance(answers[0], list):
            return list(answers.pop(0) if len(answers) > 1 else answers[0])
        return list(answers)  # type: ignore[arg-type]


@contextlib.contextmanager
def in_thread(context: AbstractAsyncContextManager[T]) -> Iterator[T]:
    """An async server (an async context manager) on an event loop of its own thread, for
    tests of blocking code: the CLI, the Slack and LLM clients."""
    loop = asyncio.new_event_loop()
    started: list[T] = []
    ready = threading.Event()

    def run() -> None:
        started.append(loop.run_until_complete(context.__aenter__()))
        ready.set()
        loop.run_forever()
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield started[0]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
