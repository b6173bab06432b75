from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.sources import pool as pool_module
from monitor.sources.parse import parse_feed
from monitor.sources.pool import CRASHED, ParseJob, ParsePool, chunked, parse_job
from tests.feedserver import rss

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def _jobs() -> list[ParseJob]:
    """Every fixture feed (good, malformed and not a feed at all) and a few generated ones."""
    jobs = [ParseJob((FEEDS / name).read_bytes(), f"https://feeds.example/{name}", name=name)
            for name in sorted(os.listdir(FEEDS))]
    for n in range(6):
        items = [{"title": f"Item {n}.{i}", "link": f"https://news.example/{n}/{i}",
                  "description": f"<p>GPU cluster {i} &amp; <b>data centre</b></p>"}
                 for i in range(n + 1)]
        jobs.append(ParseJob(rss(items, title=f"Feed {n}"), f"https://news.example/{n}.xml",
                             headers={"content-type": "application/rss+xml"}))
    jobs.append(ParseJob(b"", "https://news.example/empty"))
    return jobs


def _expected(jobs: list[ParseJob]) -> list[Any]:
    out: list[Any] = []
    for job in jobs:
        try:
            out.append(parse_feed(job.body, url=job.url, headers=job.headers, name=job.name))
        except ParseError as exc:
            out.append(("error", str(exc)))
    return out


def _comparable(outcomes: list[Any]) -> list[Any]:
    return [("error", str(o)) if isinstance(o, ParseError) else o for o in outcomes]


def test_the_pool_gives_what_parse_feed_gives_in_order() -> None:
    jobs = _jobs()
    with ParsePool(workers=2, min_jobs=1, start_bytes=0, chunk_bytes=2_000) as pool:
        outcomes = pool.parse_many(jobs)
        assert pool.running
    assert not pool.running
    assert _comparable(outcomes) == _expected(jobs)
    assert any(isinstance(o, ParseError) for o in outcomes)
    assert sum(1 for o in outcomes if not isinstance(o, ParseError)) > 6


async def test_the_async_form_gives_the_same_and_reuses_the_workers() -> None:
    jobs = _jobs()
    with ParsePool(workers=2, min_jobs=1, start_bytes=0) as pool:
        first = await pool.parse_many_async(jobs)
        second = await pool.parse_many_async(list(reversed(jobs)))
    assert _comparable(first) == _expected(jobs)
    assert _comparable(second) == list(reversed(_expected(jobs)))


def test_a_handful_of_jobs_is_parsed_here_without_starting_workers() -> None:
    jobs = _jobs()[:3]
    with ParsePool(workers=2, min_jobs=4, start_bytes=0) as pool:
        outcomes = pool.parse_many(jobs)
        assert not pool.running
    assert _comparable(outcomes) == _expected(jobs)


def test_workers_start_only_for_enough_work_and_then_take_smaller_batches() -> None:
    jobs = _jobs()
    size = sum(len(job.body) for job in jobs)
    with ParsePool(workers=2, min_jobs=1, start_bytes=size + 1) as pool:
        assert _comparable(pool.parse_many(jobs)) == _expected(jobs)
        assert not pool.running
        pool.start_bytes = size
        pool.parse_many(jobs)
        assert pool.running
        pool.start_bytes = size * 10  # no longer matters once the workers are up
        assert _comparable(pool.parse_many(jobs[:2])) == _expected(jobs[:2])
        assert pool.running


def test_one_worker_means_no_pool() -> None:
    with ParsePool(workers=1, min_jobs=1, start_bytes=0) as pool:
        pool.parse_many(_jobs())
        assert not pool.running


def test_a_pool_that_cannot_start_falls_back_to_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(pool_module, "ProcessPoolExecutor", refuse)
    jobs = _jobs()
    with ParsePool(workers=2, min_jobs=1, start_bytes=0) as pool:
        assert _comparable(pool.parse_many(jobs)) == _expected(jobs)
        assert not pool.running


class _KillsTheWorker(dict[str, str]):
    """Headers whose unpickling ends the worker process, as a parser crash would."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os._exit, (13,))


def test_a_crashing_job_fails_alone_and_the_others_are_parsed() -> None:
    jobs = _jobs()
    bomb = ParseJob(jobs[0].body, "https://feeds.example/bomb", headers=_KillsTheWorker())
    mixed = [*jobs[:4], bomb, *jobs[4:]]
    with ParsePool(workers=2, min_jobs=1, start_bytes=0, chunk_bytes=1_000) as pool:
        outcomes = pool.parse_many(mixed)
        # The pool was started again for the jobs after the crash and still works.
        assert _comparable(pool.parse_many(jobs)) == _expected(jobs)
    crashed = outcomes.pop(4)
    assert isinstance(crashed, ParseError) and str(crashed) == CRASHED
    assert _comparable(outcomes) == _expected(jobs)


def test_parse_job_returns_the_error_instead_of_raising() -> None:
    outcome = parse_job(ParseJob(b"<html><body>hello</body></html>", "https://x.example/"))
    assert isinstance(outcome, ParseError)
    assert "HTML page" in str(outcome)


def test_chunks_keep_the_order_and_hold_about_the_byte_budget() -> None:
    jobs = [ParseJob(b"x" * size, f"u{n}") for n, size in enumerate([5, 5, 5, 20, 1, 1, 9])]
    chunks = chunked(jobs, 10)
    assert [job for chunk in chunks for job in chunk] == jobs
    assert [[j.url for j in c] for c in chunks] == [["u0", "u1"], ["u2", "u3"], ["u4", "u5", "u6"]]
    assert chunked([], 10) == []


def test_workers_that_die_as_they_start_leave_the_parsing_to_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = pool_module.ProcessPoolExecutor

    def dying(*args: Any, **kwargs: Any) -> Any:
        # What an unimportable main module or a sandbox that kills children looks like.
        return real(*args, initializer=os._exit, initargs=(3,), **kwargs)

    monkeypatch.setattr(pool_module, "ProcessPoolExecutor", dying)
    jobs = _jobs()
    with ParsePool(workers=2, min_jobs=1, start_bytes=0) as pool:
        assert _comparable(pool.parse_many(jobs)) == _expected(jobs)
        assert _comparable(pool.parse_many(jobs)) == _expected(jobs)
        assert not pool.running


async def test_the_async_form_isolates_a_crash_too() -> None:
    jobs = _jobs()
    bomb = ParseJob(jobs[0].body, "https://feeds.example/bomb", headers=_KillsTheWorker())
    with ParsePool(workers=2, min_jobs=1, start_bytes=0, chunk_bytes=1_000) as pool:
        outcomes = await pool.parse_many_async([bomb, *jobs])
    assert str(outcomes.pop(0)) == CRASHED
    assert _comparable(outcomes) == _expected(jobs)


class _OneChunkAtATime(ProcessPoolExecutor):
    """Waits for each chunk before handing out the next, so the first chunk's crash breaks
    the pool while the batch is still being submitted (what a loaded machine can do)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        if fn is pool_module._parse_chunk:
            wait([future])
        return future


@pytest.mark.parametrize("form", ["sync", "async"])
def test_a_crash_while_the_batch_is_handed_out_still_fails_only_its_job(
        monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    # The batch must not fall back to this process: the crashing job would crash it.
    monkeypatch.setattr(pool_module, "ProcessPoolExecutor", _OneChunkAtATime)
    jobs = _jobs()
    bomb = ParseJob(jobs[0].body, "https://feeds.example/bomb", headers=_KillsTheWorker())
    with ParsePool(workers=2, min_jobs=1, start_bytes=0, chunk_bytes=1_000) as pool:
        outcomes = pool.parse_many([bomb, *jobs]) if form == "sync" else \
            asyncio.run(pool.parse_many_async([bomb, *jobs]))
    assert str(outcomes.pop(0)) == CRASHED
    assert _comparable(outcomes) == _expected(jobs)


def test_a_worker_that_cannot_start_as_the_pool_breaks_is_a_broken_pool(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.11 can raise OSError("handle is closed") from submit() when a worker is
    # started while the pool breaks; the batch is recovered, a crashing job still alone.
    failed: list[bool] = []

    class HandleClosedOnce(ProcessPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            if fn is pool_module._parse_chunk and not failed:
                failed.append(True)
                raise OSError("handle is closed")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pool_module, "ProcessPoolExecutor", HandleClosedOnce)
    jobs = _jobs()
    bomb = ParseJob(jobs[0].body, "https://feeds.example/bomb", headers=_KillsTheWorker())
    with ParsePool(workers=2, min_jobs=1, start_bytes=0) as pool:
        outcomes = pool.parse_many([bomb, *jobs])
    assert failed and str(outcomes.pop(0)) == CRASHED
    assert _comparable(outcomes) == _expected(jobs)


def test_killing_a_broken_pools_workers_leaves_none_waiting_for_work() -> None:
    # An idle worker waits for work forever; one left so by a pool that broke under it
    # made the interpreter hang at exit. _discard kills them (Python < 3.14 has no API).
    with ProcessPoolExecutor(1, mp_context=pool_module._context()) as executor:
        assert executor.submit(pool_module._ping).result(timeout=60)
        workers = list(executor._processes.values())  # type: ignore[attr-defined]
        assert workers and all(w.is_alive() for w in workers)
        pool_module._kill_workers(executor)
        for worker in workers:
            worker.join(10)
            assert not worker.is_alive()
