"""Digest times in the team's timezone, across DST, and catch-up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.config import Channel
from monitor.errors import ConfigError
from monitor.schedule import build_scheduler, digest_trigger, due_digests, missed_fire, next_fire

BRUSSELS = ZoneInfo("Europe/Brussels")
WEEKDAYS = Channel(name="ai-infra", schedule="0 9 * * mon-fri")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("after", "expected_utc"), [
    # CET (UTC+1) before the spring change on Sunday 29 March 2026 ...
    (utc(2026, 3, 26, 12), utc(2026, 3, 27, 8)),     # Thu -> Fri 09:00 CET
    (utc(2026, 3, 27, 12), utc(2026, 3, 30, 7)),     # Fri -> Mon 09:00 CEST, weekend skipped
    # ... and back to CET after Sunday 25 October 2026.
    (utc(2026, 10, 23, 12), utc(2026, 10, 26, 8)),   # Fri -> Mon 09:00 CET
    (utc(2026, 10, 22, 12), utc(2026, 10, 23, 7)),   # Thu -> Fri 09:00 CEST
])
def test_next_fire_keeps_9_local_across_dst(after: datetime, expected_utc: datetime) -> None:
    fire = next_fire(digest_trigger(WEEKDAYS, BRUSSELS), after)
    assert fire is not None
    assert fire.astimezone(UTC) == expected_utc
    assert fire.astimezone(BRUSSELS).hour == 9


def test_a_time_that_does_not_exist_on_the_spring_change_still_fires_once() -> None:
    nightly = Channel(name="n", schedule="30 2 * * *")
    trigger = digest_trigger(nightly, BRUSSELS)
    fires = []
    fire = next_fire(trigger, utc(2026, 3, 28, 12))
    for _ in range(3):
        assert fire is not None
        fires.append(fire.astimezone(BRUSSELS))
        fire = next_fire(trigger, fire)
    # 28 Mar 02:30 CET does not exist on the 29th (02:00 -> 03:00): one fire per day anyway.
    assert [f.day for f in fires] == [29, 30, 31]


def test_a_bad_schedule_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="schedule '0 25 \\* \\* \\*' is not a cron expression"):
        digest_trigger(Channel(name="x", schedule="0 25 * * *"), BRUSSELS)


def test_catch_up_after_a_30_hour_outage() -> None:
    # Last digest Monday 09:00 Brussels; the process was down until Tuesday 15:00 (30 h).
    last = utc(2026, 11, 23, 8)
    now = last + timedelta(hours=30)
    (due,) = due_digests([WEEKDAYS], {"ai-infra": last}, now=now, zone=BRUSSELS)
    assert due.scheduled == utc(2026, 11, 24, 8)  # Tuesday 09:00: 6 h ago, within the grace


def test_no_catch_up_beyond_the_grace() -> None:
    last = utc(2026, 11, 23, 8)
    now = utc(2026, 11, 24, 21)  # Tuesday's 09:00 was 13 h ago
    assert due_digests([WEEKDAYS], {"ai-infra": last}, now=now, zone=BRUSSELS) == []
    assert due_digests([WEEKDAYS], {"ai-infra": last}, now=now, zone=BRUSSELS,
                       grace=timedelta(hours=14))


def test_nothing_is_due_right_after_a_digest() -> None:
    last = utc(2026, 11, 24, 8, 0, 5)
    assert due_digests([WEEKDAYS], {"ai-infra": last}, now=last + timedelta(hours=3),
                       zone=BRUSSELS) == []


def test_a_fresh_daemon_does_not_post_at_start() -> None:
    now = utc(2026, 11, 24, 10)
    assert due_digests([WEEKDAYS], {}, now=now, zone=BRUSSELS, started=now) == []
    # but `run --once` (no start time) sends today's digest if it is due
    assert due_digests([WEEKDAYS], {}, now=now, zone=BRUSSELS)


def test_missed_fire_is_the_latest_in_the_window() -> None:
    trigger = digest_trigger(WEEKDAYS, BRUSSELS)
    fire = missed_fire(trigger, utc(2026, 11, 16, 12), utc(2026, 11, 20, 12))
    assert fire == utc(2026, 11, 20, 8)


def test_jobs_have_explicit_ids_and_one_instance() -> None:
    scheduler = build_scheduler(zone=BRUSSELS, channels=[WEEKDAYS], poll=lambda: None,
                                digest=lambda c: None, flush=lambda: None, reload=lambda: None)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"poll", "outbox", "reload", "digest:ai-infra"}
        assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
        assert str(jobs["digest:ai-infra"].trigger.timezone) == "Europe/Brussels"
    finally:
        scheduler.shutdown(wait=False)
