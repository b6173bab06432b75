"""Parse many feed bodies at once on every core: a process pool with an in-process fallback.

feedparser is pure Python and CPU-bound (tens of milliseconds for a large feed), so threads
do not help. A cycle with many bodies to parse hands them to worker processes, in chunks
of about `chunk_bytes` so that pickling stays small next to parsing. A handful of jobs,
too little work to be worth starting workers for, a one-core machine, and a system where
workers cannot start are all parsed in this process, with the same results. A worker that
dies later (a parser crash on a hostile body) fails only the job that killed it: the
others are parsed again one by one.

The pool starts on first use, so a cycle with nothing to parse (all 304s) never pays for
it. Workers come from a fork server that has imported the parser once: no fork of a
process with threads (the event loop's), and no re-import per worker. As with any
multiprocessing code, a script that uses the pool must guard its entry point with
`if __name__ == "__main__":`, because each worker imports the main module.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

from monitor.errors import ParseError
from monitor.sources.parse import ParsedFeed, parse_feed

ParseOutcome = ParsedFeed | ParseError
CRASHED = "the feed parser crashed on this body; it will be tried again next poll"
STARTUP_SECONDS = 60.0  # for a fresh worker to answer; only waited for after a crash
_Job = TypeVar("_Job")
_Outcome = TypeVar("_Outcome")


@dataclass(frozen=True, slots=True)
class ParseJob:
    """One body to parse, with what `parse_feed` needs besides it."""

    body: bytes
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    name: str = ""


def parse_job(job: ParseJob) -> ParseOutcome:
    """Parse one job; a body that is not a feed gives its ParseError, not an exception."""
    try:
        return parse_feed(job.body, url=job.url, headers=job.headers, name=job.name)
    except ParseError as exc:
        return exc
    except Exception as exc:  # a parser bug on a hostile body fails this feed only
        return ParseError(f"the feed could not be parsed ({type(exc).__name__} in the "
                          "parser); it will be tried again next poll")


def _parse_chunk(jobs: Sequence[ParseJob]) -> list[ParseOutcome]:
    return [parse_job(job) for job in jobs]


def _ping() -> bool:
    return True


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def chunked(jobs: Sequence[ParseJob], chunk_bytes: int) -> list[list[ParseJob]]:
    """Consecutive jobs grouped into chunks of about `chunk_bytes` (at least one job each)."""
    chunks: list[list[ParseJob]] = []
    size = chunk_bytes
    for job in jobs:
        if size >= chunk_bytes:
            chunks.append([])
            size = 0
        chunks[-1].append(job)
        size += len(job.body)
    return chunks


class ParsePool:
    """Parse feed bodies in worker processes; use as a context manager, or call `close`."""

    def __init__(self, workers: int | None = None, *, min_jobs: int = 6,
                 start_bytes: int = 4 * 1024 * 1024, chunk_bytes: int = 512 * 1024) -> None:
        self.workers = max(1, workers if workers is not None else usable_cpus())
        self.min_jobs = min_jobs
        # Starting the workers takes about a third of a second (a fork server that imports
        # the parser); below this many bytes (about 0.6 s of parsing) it does not pay.
        self.start_bytes = start_bytes
        self.chunk_bytes = chunk_bytes
        self._executor: ProcessPoolExecutor | None = None
        self._ping: Future[bool] | None = None  # the first task of each pool: did it start?
        self._unavailable = self.workers < 2  # one worker only moves the work elsewhere

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """Whether worker processes have been started (and not closed)."""
        return self._executor is not None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._ping = None

    def parse_many(self, jobs: Sequence[ParseJob]) -> list[ParseOutcome]:
        """One outcome per job, in order."""
        try:
            futures = self._submit(jobs)
            if futures is None:
                return _parse_chunk(jobs)
            return [outcome for future in futures for outcome in future.result()]
        except BrokenProcessPool:
            return self._recover(jobs)

    async def parse_many_async(self, jobs: Sequence[ParseJob]) -> list[ParseOutcome]:
        """`parse_many` for an event loop: it keeps running (fetching) while workers parse.

        A handful of jobs, and the recovery after a crash, still run in the loop's thread.
        """
        try:
            futures = self._submit(jobs)
        except BrokenProcessPool:
            return self._recover(jobs)
        if futures is None:
            return _parse_chunk(jobs)
        chunks = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures),
                                      return_exceptions=True)
        outcomes: list[ParseOutcome] = []
        for chunk in chunks:
            if isinstance(chunk, BrokenProcessPool):
                return self._recover(jobs)
            if isinstance(chunk, BaseException):
                raise chunk
            outcomes.extend(chunk)
        return outcomes

    def _submit(self, jobs: Sequence[ParseJob]) -> list[Future[list[ParseOutcome]]] | None:
        """Chunks handed to the workers, or None when the jobs are parsed here.

        BrokenProcessPool when a worker died as the chunks were handed out (the first chunk
        can crash its worker before the last is submitted): the caller recovers, for parsing
        the batch here would run the crashing job in this process.
        """
        total = sum(len(job.body) for job in jobs)
        if len(jobs) < self.min_jobs or (self._executor is None and total < self.start_bytes):
            return None
        executor = self._start()
        if executor is None:
            return None
        # Several chunks per worker even for a small batch, so no worker idles at the end.
        size = max(1, min(self.chunk_bytes, total // (self.workers * 4)))
        return [_hand_over(executor, _parse_chunk, chunk) for chunk in chunked(jobs, size)]

    def _start(self) -> ProcessPoolExecutor | None:
        if self._executor is None and not self._unavailable:
            try:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=_context())
                self._ping = self._executor.submit(_ping)
            except (OSError, ImportError, NotImplementedError, ValueError, BrokenProcessPool):
                # No semaphores or no fork here (some sandboxes): parse in this process.
                self._discard()
                self._unavailable = True
        return self._executor

    def _discard(self) -> None:
        """Drop a broken (or unstartable) pool, its workers killed."""
        if self._executor is not None:
            _kill_workers(self._executor)
            self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._ping = None

    def _checked(self) -> ProcessPoolExecutor | None:
        """A pool whose workers answered a first task; None (and no more pools) if not."""
        executor = self._start()
        try:
            if executor is not None and self._ping is not None and \
                    self._ping.result(timeout=STARTUP_SECONDS):
                return executor
        except (BrokenProcessPool, TimeoutError):
            pass
        self._discard()
        self._unavailable = True
        return None

    def _recover(self, jobs: Sequence[ParseJob]) -> list[ParseOutcome]:
        """After a worker died: each job alone in a checked pool, so a crash fails only its
        own job; all of them here if workers cannot start at all."""
        self._discard()
        return [self._alone(job) for job in jobs]

    def _alone(self, job: ParseJob) -> ParseOutcome:
        """One job in a checked pool: CRASHED if its worker dies, here if none can start."""
        for _ in range(2):  # a pool may break before the job is handed over: one more
            executor = self._checked()
            if executor is None:
                return parse_job(job)
            try:
                future = _hand_over(executor, parse_job, job)
            except BrokenProcessPool:
                self._discard()
                continue
            try:
                return future.result()
            except BrokenProcessPool:
                self._discard()
                return ParseError(CRASHED)
        self._unavailable = True  # two fresh pools would not take a job: parse here
        return parse_job(job)


def _hand_over(executor: ProcessPoolExecutor, fn: Callable[[_Job], _Outcome], job: _Job
               ) -> Future[_Outcome]:
    """`executor.submit(fn, job)`; BrokenProcessPool for every sign of a broken pool.

    Before Python 3.12 a worker started while the pool breaks can find the call queue's
    handle closed under it, and submit raises OSError ("handle is closed") instead.
    """
    try:
        return executor.submit(fn, job)
    except OSError as exc:
        raise BrokenProcessPool(str(exc)) from exc


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    """Kill a broken pool's workers, so that no process is left waiting for work.

    Before Python 3.14, a worker started while the pool was breaking (a submit racing the
    crash of another worker) is never told to stop, and the executor's thread waits for it
    forever: the interpreter then hangs at exit, joining that thread. Python 3.14 has
    `kill_workers()`; before it, the executor's own table of processes is the only handle.
    """
    kill = getattr(executor, "kill_workers", None)
    if callable(kill):
        with contextlib.suppress(Exception):
            kill()
        return
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):  # already gone, or never quite started
            process.kill()


def _context() -> multiprocessing.context.BaseContext:
    """A fork server with the parser imported, where there is one; else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context
