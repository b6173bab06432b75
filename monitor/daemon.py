"""`monitor run`: poll due feeds, post digests on time, catch up, reload, stop cleanly.

Every step (a poll cycle, a digest, an outbox flush) writes in its own transactions and
is finished before a stop takes effect, so SIGTERM never leaves anything half written.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

from monitor import retention
from monitor.config import Channel, Config, load_config
from monitor.deliver.console import render_text
from monitor.engine import safe_url
from monitor.errors import MonitorError
from monitor.leader import standing_by
from monitor.lock import InstanceLock
from monitor.logs import event
from monitor.outbox import Outbox
from monitor.pipeline import CycleOptions, run_scan
from monitor.posting import (
    channels_for,
    gather,
    health_notes,
    prepare,
    record,
    slack_mode,
    with_summary,
)
from monitor.rules.reload import RuleBook
from monitor.schedule import build_scheduler, due_digests
from monitor.sending import delivery_report, flush
from monitor.sources.diagnose import shared_cause
from monitor.sources.fulltext import feed_origins
from monitor.sources.guard import AddressGuard
from monitor.sources.policy import is_due
from monitor.store import Store
from monitor.summarise import Summariser
from monitor.tracker import week_tracker

log = logging.getLogger("monitor.run")
RETENTION_PAUSE = 0.05  # seconds between retention batches: a waiting poll writes first
Clock = Callable[[], datetime]
Printer = Callable[[str], None]


@dataclass
class Service:
    """One running monitor: its config, rules, store and clock."""

    config: Config
    store: Store
    rules: RuleBook
    clock: Clock
    summariser: Summariser
    config_path: str | None = None
    printer: Printer = print
    started: datetime | None = None
    halt: threading.Event = field(default_factory=threading.Event)  # ends a retention pass
    _busy: threading.Lock = field(default_factory=threading.Lock)
    _said: set[tuple[str, str]] = field(default_factory=set)

    def channels(self) -> list[Channel]:
        return channels_for(self.config)

    def poll(self) -> None:
        """One cycle over the feeds that are due."""
        with self._busy:
            now = self.clock()
            states = self.store.feed_states(f.url for f in self.config.feeds)
            due = [f for f in self.config.feeds
                   if f.url not in states or is_due(states[f.url], now)]
            if not due:
                return
            options = CycleOptions(
                full_text=self.config.full_text,
                guard=AddressGuard(feed_origins(self.config.feeds)),
                summariser=None, report=False)
            report = run_scan(due, rules=self.rules.rules, settings=self.config.fetch,
                              store=self.store, now=now, options=options,
                              matcher=self.rules.matcher)
            failed = [f for f in report.feeds if f.status == "error"]
            event(log, "poll.done", feeds=len(due), failed=len(failed), matches=report.matched)
            for feed in failed:
                event(log, "feed.failed", logging.WARNING, feed=feed.url, error=feed.error)
            shared = shared_cause([f.error for f in failed], len(report.feeds))
            if shared:
                event(log, "poll.failing", logging.ERROR, problem=shared.summary(len(due)),
                      check=shared.cause.check)

    def digest(self, channel: Channel) -> None:
        """Build, store and send the channel's digest for the window since its last one."""
        with self._busy:
            now = self.clock()
            outbox = Outbox(self.store)
            since = outbox.last_window_end(channel.name)
            summarise = with_summary(self.summariser, self.config.summary_sentences,
                                     self.config.summary_chars)
            items = gather(self.store, channel, since, now, summarise)
            prepared = prepare(channel, items, now=now, since=since, outbox=outbox,
                               mode=slack_mode(channel), config=self.config,
                               notes=health_notes(self.config, self.store, now),
                               tracker=week_tracker(self.store, channel, now=now,
                                                    zone=self.config.zone, last=since))
            digest_id = record(self.store, prepared, now)
            event(log, "digest.built", channel=channel.name, stories=len(prepared.digest.stories),
                  parts=len(prepared.parts), stored=digest_id is not None)
            if digest_id is not None and not prepared.parts:
                self.printer(render_text(prepared.digest, tz=self.config.zone))
                outbox.mark_delivered(digest_id, now)
        self.flush([channel])

    def flush(self, channels: list[Channel] | None = None) -> None:
        """Send pending digest parts whose retry time has come."""
        with self._busy:
            for result in flush(self.store, self.config, channels or self.channels(), self.clock):
                if not result.attempted:
                    self._waiting(result.channel, result.error if result.permanent else None)
                    continue  # a retry time: said when it failed
                level = logging.INFO if result.done else logging.WARNING
                event(log, "digest.sent" if result.done else "digest.failed", level,
                      channel=result.channel, digest=result.digest_id, parts=result.sent,
                      found=result.found, error=result.error)

    def _waiting(self, channel: str, error: str | None) -> None:
        """Say once per process that a channel waits for a human, not every minute."""
        if error is not None and (channel, error) not in self._said:
            self._said.add((channel, error))
            event(log, "digest.waiting", logging.ERROR, channel=channel, error=error)

    def catch_up(self) -> None:
        """Send the digests whose time passed while the process was down."""
        outbox = Outbox(self.store)
        last = {c.name: outbox.last_window_end(c.name) for c in self.channels()}
        for due in due_digests(self.channels(), last, now=self.clock(), zone=self.config.zone,
                               started=self.started):
            event(log, "digest.due", channel=due.channel.name, scheduled=due.scheduled)
            self.digest(due.channel)

    def prune(self) -> None:
        """Once a day, remove what is past the retention window (see monitor/retention.py)."""
        keep, now = self.config.retention, self.clock()
        if keep is None or not retention.due(self.store, now):
            return
        done = retention.prune(self.store, now, keep,
                               keep_going=lambda: not self.halt.wait(RETENTION_PAUSE))
        event(log, "retention.done", articles=done.articles, matches=done.matches,
              facts=done.facts, posted=done.posted, digests=done.digests, pages=done.pages,
              batches=done.batches, longest_ms=round(done.longest * 1000),
              finished=not self.halt.is_set())

    def reload(self) -> None:
        """Pick up edited rules (and, on SIGHUP, the config); keep the last good ones."""
        self.rules.reload()
        source = self.config_path or (str(self.config.path) if self.config.path else None)
        if source is None:
            return  # built-in defaults: nothing to re-read
        try:
            self.config = load_config(source)
        except MonitorError as exc:
            event(log, "config.rejected", logging.ERROR, error=str(exc))

    def once(self) -> bool:
        """`run --once`: pending retries, every due feed once, every due digest, then return.

        True when a digest waits for a human (a permanent Slack error; `status` says which).
        On PostgreSQL, when another run leads the store, that run does the work instead.
        """
        if standing_by(self.config.database):
            event(log, "run.standby", detail="another monitor run leads this store; "
                  "--once leaves the work to it")
            return False
        self.flush()  # what an earlier run left pending goes out first
        self.poll()
        self.catch_up()
        self.flush()
        self.prune()
        return bool(delivery_report(self.config, self.store, self.clock()).problems)


def run_forever(service: Service, lock: InstanceLock, stop: threading.Event,
                hup: threading.Event) -> None:
    """The daemon loop: lead (scheduled jobs in a worker thread) or stand by, until a stop.

    On SQLite a run always leads. On PostgreSQL a standby checks every second whether the
    leader is gone (see monitor/leader.py), takes over when it is, and goes back to standing
    by if it stops leading; signals are handled here either way.
    """
    try:
        while not stop.is_set() and _stand_by(service, lock, stop, hup):
            _lead(service, lock, stop, hup)
    finally:
        event(log, "run.stopped")


def _stand_by(service: Service, lock: InstanceLock, stop: threading.Event,
              hup: threading.Event) -> bool:
    """Wait until this run leads (True) or is stopped (False)."""
    if not lock.leading:
        event(log, "run.standby", database=safe_url(service.config.database),
              detail="another monitor run leads this store; this one takes over if it stops")
    while not lock.leading:
        if stop.wait(1.0):
            return False
        _reload_on_hup(service, hup)
        lock.check()
    return not stop.is_set()


def _lead(service: Service, lock: InstanceLock, stop: threading.Event,
          hup: threading.Event) -> None:
    service.halt = threading.Event()

    def job(step: Callable[..., None]) -> Callable[..., None]:
        return _guarded(step, when=lambda: lock.leading)  # none starts after the lead is lost

    scheduler = build_scheduler(zone=service.config.zone, channels=service.channels(),
                                poll=job(service.poll), digest=job(service.digest),
                                flush=job(service.flush), reload=job(service.reload),
                                prune=job(service.prune))
    scheduler.start()
    event(log, "run.started", feeds=len(service.config.feeds),
          channels=",".join(c.name for c in service.channels()))
    try:
        _guarded(service.flush)()  # what an earlier run left pending goes out first
        _guarded(service.catch_up)()  # also what fell due while no run led
        while not stop.wait(1.0):
            lock.check()  # on SQLite: raises when the lock file was replaced
            if not lock.leading:
                event(log, "run.demoted", logging.WARNING)
                break
            _reload_on_hup(service, hup)
    finally:
        # Waits for the job in progress: the current step finishes, nothing is cut short
        # (a retention pass stops after its current batch).
        service.halt.set()
        scheduler.shutdown(wait=True)


def _reload_on_hup(service: Service, hup: threading.Event) -> None:
    if hup.is_set():
        hup.clear()
        _guarded(service.reload)()
        event(log, "run.reloaded", rules=len(service.rules.rules))


def _guarded(step: Callable[..., None],
             when: Callable[[], bool] = lambda: True) -> Callable[..., None]:
    """A job that logs a failure in one line instead of killing the scheduler's thread.

    It does nothing unless `when()` says so at the time it runs.
    """
    def job(*args: object) -> None:
        if not when():
            return
        try:
            step(*args)
        except MonitorError as exc:
            event(log, "step.failed", logging.ERROR, step=step.__name__, error=str(exc))
        except Exception:
            event(log, "step.crashed", logging.ERROR, step=step.__name__, exc_info=True)
    job.__name__ = step.__name__
    return job


def install_signals(stop: threading.Event, hup: threading.Event) -> None:
    """SIGTERM and SIGINT stop after the current step; SIGHUP reloads rules and config."""
    def stopping(signum: int, _frame: FrameType | None) -> None:
        event(log, "run.stopping", signal=signal.Signals(signum).name)
        stop.set()

    def hangup(_signum: int, _frame: FrameType | None) -> None:
        hup.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, hangup)
