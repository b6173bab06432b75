from __future__ import annotations

import asyncio
from typing import Any

import pytest

from monitor.sources.feeder import Feeder, FeedRequest
from monitor.sources.fetch import Fetched


class FakeFetcher:
    """Answers after `delays[url]` seconds (0 by default) and records what it started."""

    def __init__(self, delays: dict[str, float] | None = None, broken: str = "") -> None:
        self.delays = delays or {}
        self.broken = broken
        self.started: list[str] = []

    async def fetch(self, url: str, **kwargs: Any) -> Fetched:
        self.started.append(url)
        await asyncio.sleep(self.delays.get(url, 0))
        if url == self.broken:
            raise RuntimeError("a bug")
        return Fetched(url, "ok", body=url.encode())


def _requests(count: int) -> list[FeedRequest]:
    return [FeedRequest(f"https://feeds.example/{n}") for n in range(count)]


async def test_every_feed_comes_out_once_in_batches_of_at_most_the_size() -> None:
    feeder = Feeder(FakeFetcher(), _requests(25), batch=10, wait=0.05, window=30)
    sizes, indexes = [], []
    while batch := await feeder.batch():
        sizes.append(len(batch))
        indexes += [i for i, _ in batch]
        feeder.release(len(batch))
    feeder.close()
    assert sorted(indexes) == list(range(25))
    assert sizes == [10, 10, 5]


async def test_no_more_than_the_window_is_fetched_ahead_of_what_was_released() -> None:
    fetcher = FakeFetcher()
    feeder = Feeder(fetcher, _requests(50), batch=5, wait=0.05, window=12)
    first = await feeder.batch()
    await asyncio.sleep(0.05)
    assert len(first) == 5 and len(fetcher.started) == 12
    feeder.release(5)
    await asyncio.sleep(0.05)
    assert len(fetcher.started) == 17
    feeder.close()


async def test_a_slow_feed_holds_up_only_itself() -> None:
    slow = "https://feeds.example/0"
    feeder = Feeder(FakeFetcher({slow: 5.0}), _requests(8), batch=8, wait=0.05,
                    window=8)
    loop = asyncio.get_running_loop()
    started = loop.time()
    batch = await feeder.batch()
    assert loop.time() - started < 1
    assert sorted(i for i, _ in batch) == list(range(1, 8))
    feeder.close()


async def test_a_fetch_that_raises_fails_only_its_feed(caplog: pytest.LogCaptureFixture) -> None:
    broken = "https://feeds.example/3"
    feeder = Feeder(FakeFetcher(broken=broken), _requests(5), batch=5, wait=1.0,
                    window=5)
    batch = dict(await feeder.batch())
    feeder.close()
    assert sorted(batch) == [0, 1, 2, 3, 4]
    assert [i for i, f in batch.items() if f.status != "ok"] == [3]
    assert batch[3].error == "the feed could not be fetched (RuntimeError); it will be retried"
    assert "RuntimeError: a bug" in caplog.text
