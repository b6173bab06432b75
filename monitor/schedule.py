"""When things run: digest times from cron expressions in the team's timezone, catch-up
after downtime, and the APScheduler jobs of `monitor run`.

The schedule keeps no state of its own: the last digest per channel and each feed's
next poll live in the store, so jobs are rebuilt from the config at every start
(explicit ids, `replace_existing`) and nothing is pickled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Channel
from monitor.errors import ConfigError

CATCH_UP_GRACE = timedelta(hours=12)
POLL_TICK = timedelta(seconds=30)     # how often due feeds are looked for
OUTBOX_TICK = timedelta(minutes=1)    # how often pending digests are retried
RELOAD_TICK = timedelta(seconds=30)   # how often rule files are checked for edits
RETENTION_TICK = timedelta(hours=1)   # how often retention checks whether a pass is due
RETENTION_DELAY = timedelta(minutes=5)  # after start: catch-up and the first poll go first
_MAX_STEPS = 100_000                  # fire times walked when catching up


def digest_trigger(channel: Channel, zone: ZoneInfo) -> CronTrigger:
    """The channel's cron expression (minute hour day month day-of-week) in `zone`.

    Day-of-week names (mon-fri) are what the docs use: APScheduler numbers Monday 0,
    unlike classic cron's Sunday 0.
    """
    try:
        return CronTrigger.from_crontab(channel.schedule, timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"channel {channel.name!r}: schedule {channel.schedule!r} is not a "
                          f"cron expression ({exc}); write e.g. \"0 9 * * mon-fri\"") from None


def next_fire(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after`."""
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire


def missed_fire(trigger: CronTrigger, since: datetime, now: datetime) -> datetime | None:
    """The latest fire time in (since, now], or None."""
    latest = None
    fire = next_fire(trigger, since)
    for _ in range(_MAX_STEPS):
        if fire is None or fire > now:
            break
        latest = fire
        fire = next_fire(trigger, fire)
    return latest


@dataclass(frozen=True, slots=True)
class Due:
    channel: Channel
    scheduled: datetime  # the fire time this digest stands for


def due_digests(channels: Sequence[Channel], last: Mapping[str, datetime | None], *,
                now: datetime, zone: ZoneInfo, started: datetime | None = None,
                grace: timedelta = CATCH_UP_GRACE) -> list[Due]:
    """Digests whose time has come since each channel's last one (or since `started`),
    if that time is at most `grace` ago. Pure."""
    due = []
    for channel in channels:
        since = last.get(channel.name) or started or now - grace
        fire = missed_fire(digest_trigger(channel, zone), since, now)
        if fire is not None and now - fire <= grace:
            due.append(Due(channel, fire))
    return due


def build_scheduler(*, zone: ZoneInfo, channels: Sequence[Channel],
                    poll: Callable[[], None], digest: Callable[[Channel], None],
                    flush: Callable[[], None], reload: Callable[[], None],
                    prune: Callable[[], None] | None = None) -> BackgroundScheduler:
    """The daemon's jobs. One worker thread: jobs never overlap, so store writes never
    race; `max_instances=1` and `coalesce` mean a slow run is never stacked up. Retention
    has a thread of its own: it works in short transactions beside the polls, never
    holding one up for longer than a batch."""
    scheduler = BackgroundScheduler(
        timezone=zone,
        executors={"default": {"type": "threadpool", "max_workers": 1},
                   "retention": {"type": "threadpool", "max_workers": 1}},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
    )
    scheduler.add_job(poll, IntervalTrigger(seconds=POLL_TICK.total_seconds(), timezone=zone),
                      id="poll", name="poll due feeds", replace_existing=True,
                      next_run_time=datetime.now(zone))  # the first poll at start
    scheduler.add_job(flush, IntervalTrigger(seconds=OUTBOX_TICK.total_seconds(), timezone=zone),
                      id="outbox", name="retry pending digests", replace_existing=True)
    scheduler.add_job(reload, IntervalTrigger(seconds=RELOAD_TICK.total_seconds(),
                                              timezone=zone),
                      id="reload", name="reload edited rules", replace_existing=True)
    if prune is not None:  # hourly it checks whether a day has passed since the last pass
        scheduler.add_job(prune, IntervalTrigger(seconds=RETENTION_TICK.total_seconds(),
                                                 timezone=zone),
                          id="retention", name="remove what is past retention",
                          executor="retention", replace_existing=True,
                          next_run_time=datetime.now(zone) + RETENTION_DELAY)
    for channel in channels:
        scheduler.add_job(digest, digest_trigger(channel, zone), args=[channel],
                          id=f"digest:{channel.name}", name=f"digest for {channel.name}",
                          replace_existing=True)
    return scheduler
