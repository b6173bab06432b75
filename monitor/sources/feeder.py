"""Fetch many feeds at once and hand them out in batches as they arrive.

A cycle over thousands of feeds cannot hold every body at once, and must not wait for
its slowest feed before it starts parsing. The feeder fetches at most `window` feeds
ahead of what the caller has released, and gives out whatever has arrived: a full batch,
or a smaller one once `wait` seconds have passed since the batch could start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.sources.fetch import Fetched, Fetcher

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None


class Feeder:
    """Fetches `requests` in the background; `batch()` returns (index, Fetched) pairs."""

    def __init__(self, fetcher: Fetcher, requests: Sequence[FeedRequest], *, batch: int,
                 wait: float, window: int, tick: Callable[[], None] | None = None) -> None:
        self._fetcher, self._tick = fetcher, tick
        self._size, self._wait = batch, wait
        self._window = asyncio.Semaphore(window)
        self._ready: list[tuple[int, Fetched]] = []
        self._arrived = asyncio.Event()
        self._left = len(requests)
        self._tasks = [asyncio.ensure_future(self._one(i, r)) for i, r in enumerate(requests)]

    async def _one(self, index: int, request: FeedRequest) -> None:
        await self._window.acquire()
        try:
            fetched = await self._fetcher.fetch(request.url, etag=request.etag,
                                                last_modified=request.last_modified)
        except Exception as exc:  # fetch reports feed problems itself: this is a bug
            _LOG.warning("fetching %s failed: %s: %s", request.url, type(exc).__name__, exc)
            fetched = Fetched(request.url, "error", request.url, error=(
                f"the feed could not be fetched ({type(exc).__name__}); it will be retried"))
        self._arrived.set()
        if self._tick is not None:
            self._tick()
        self._ready.append((index, fetched))

    async def batch(self) -> list[tuple[int, Fetched]]:
        """Up to `batch` fetched feeds, in the order they arrived; [] when all are out."""
        want = min(self._size, self._left)
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while len(self._ready) < want:
            # Wait for the first feed however long; for the rest, `wait` seconds more.
            if self._ready and deadline is None:
                deadline = loop.time() + self._wait
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(),
                                       None if deadline is None else deadline - loop.time())
            except TimeoutError:
                break
        batch, self._ready = self._ready[:want], self._ready[want:]
        self._left -= len(batch)
        return batch

    def release(self, count: int) -> None:
        """`count` handed-out feeds are done with: as many more may be fetched."""
        for _ in range(count):
            self._window.release()

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()
