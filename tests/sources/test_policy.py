"""The polling policy: server hints, backoff, the cap, jitter, due-ness and health lines."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.model import FeedState, FeedStatus
from monitor.sources.policy import (
    MAX_INTERVAL,
    cache_control,
    feed_health,
    freshness,
    is_due,
    next_poll,
    retry_after,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)
URL = "https://www.hpcwire.com/feed/"


def wait(state: FeedState | None = None, *, status: FeedStatus = "ok",
         interval: timedelta = HALF_HOUR, ttl: int | None = None,
         headers: dict[str, str] | None = None, cap: timedelta = MAX_INTERVAL,
         seed: int = 1) -> timedelta:
    when = next_poll(state or FeedState(URL), interval=interval, now=NOW, status=status,
                     ttl_minutes=ttl, headers=headers or {}, max_interval=cap,
                     rng=random.Random(seed))
    return when - NOW


def failing(errors: int, *, dead: bool = False) -> FeedState:
    return FeedState(URL, error_count=errors, failing_since=NOW - timedelta(hours=1),
                     last_status="error", dead=dead)


def between(value: timedelta, low: timedelta, high: timedelta) -> bool:
    return low <= value <= high


# Good answers: the latest hint wins, plus up to 10% jitter


def test_a_good_feed_waits_its_interval_plus_at_most_ten_percent() -> None:
    waits = [wait(seed=s) for s in range(50)]
    assert all(between(w, HALF_HOUR, HALF_HOUR * 1.1) for w in waits)
    assert len(set(waits)) > 40  # jittered, not constant


def test_not_modified_is_treated_like_ok() -> None:
    assert between(wait(status="not_modified"), HALF_HOUR, HALF_HOUR * 1.1)


def test_rss_ttl_longer_than_the_interval_wins() -> None:
    assert between(wait(ttl=120), timedelta(hours=2), timedelta(hours=2.2))


def test_ttl_shorter_than_the_interval_does_not_speed_polling_up() -> None:
    assert between(wait(ttl=5), HALF_HOUR, HALF_HOUR * 1.1)
    assert between(wait(ttl=0), HALF_HOUR, HALF_HOUR * 1.1)


def test_cache_control_max_age_wins_when_longer_and_header_names_are_case_insensitive() -> None:
    got = wait(headers={"Cache-Control": "public, max-age=7200"})
    assert between(got, timedelta(hours=2), timedelta(hours=2.2))


def test_age_is_taken_off_max_age() -> None:
    got = wait(headers={"cache-control": "max-age=7200", "age": "3600"})
    assert between(got, timedelta(hours=1), timedelta(hours=1.1))


def test_s_maxage_is_for_shared_caches_and_is_ignored() -> None:
    got = wait(headers={"cache-control": "s-maxage=86400, max-age=60"})
    assert between(got, HALF_HOUR, HALF_HOUR * 1.1)


def test_no_cache_disregards_max_age() -> None:
    got = wait(headers={"cache-control": "no-cache, max-age=7200"})
    assert between(got, HALF_HOUR, HALF_HOUR * 1.1)


def test_expires_counts_from_the_servers_date_not_our_clock() -> None:
    # The server's clock is a year off; only the 3 h between its Date and Expires count.
    headers = {"date": "Tue, 25 Nov 2025 09:00:00 GMT", "expires": "Tue, 25 Nov 2025 12:00:00 GMT"}
    assert between(wait(headers=headers), timedelta(hours=3), timedelta(hours=3.3))


def test_max_age_overrides_expires() -> None:
    headers = {"cache-control": "max-age=0", "date": "Tue, 25 Nov 2025 09:00:00 GMT",
               "expires": "Tue, 25 Nov 2025 12:00:00 GMT"}
    assert between(wait(headers=headers), HALF_HOUR, HALF_HOUR * 1.1)


def test_retry_after_on_a_good_answer_is_honoured() -> None:
    assert between(wait(headers={"retry-after": "3600"}), timedelta(hours=1),
                   timedelta(hours=1.1))


def test_hints_are_capped_at_max_interval_jitter_included() -> None:
    assert wait(headers={"cache-control": "max-age=31536000"}) == MAX_INTERVAL
    assert wait(ttl=60 * 24 * 30, cap=timedelta(hours=6)) == timedelta(hours=6)


def test_an_interval_longer_than_the_cap_is_capped() -> None:
    assert wait(interval=timedelta(days=3)) == MAX_INTERVAL


def test_hundreds_of_feeds_with_one_interval_do_not_poll_in_lockstep() -> None:
    rng = random.Random(7)
    times = [next_poll(FeedState(f"{URL}{i}"), interval=HALF_HOUR, now=NOW, status="ok",
                       ttl_minutes=None, headers={}, rng=rng) for i in range(300)]
    assert len(set(times)) == 300
    assert max(times) - min(times) > HALF_HOUR * 0.08  # spread over most of the 10% window


# Failures: exponential backoff with bounded jitter, Retry-After, dead feeds


@pytest.mark.parametrize(("errors", "low", "high"), [
    (1, 1.0, 1.0), (2, 1.5, 2.0), (3, 3.0, 4.0), (5, 12.0, 16.0)])
def test_the_nth_failure_waits_interval_times_two_to_the_n_minus_one_less_jitter(
        errors: int, low: float, high: float) -> None:
    waits = [wait(failing(errors), status="error", seed=s) for s in range(30)]
    assert all(between(w, HALF_HOUR * low, HALF_HOUR * high) for w in waits)


def test_backoff_is_jittered() -> None:
    waits = {wait(failing(4), status="error", seed=s) for s in range(30)}
    assert len(waits) > 25


def test_a_feed_failing_forever_is_retried_at_the_cap_never_dropped() -> None:
    for errors in (7, 50, 10**6):
        got = wait(failing(errors), status="error")
        assert between(got, MAX_INTERVAL * 0.75, MAX_INTERVAL)


def test_state_with_no_error_counted_yet_is_treated_as_the_first_failure() -> None:
    assert wait(FeedState(URL), status="error") == HALF_HOUR


def test_retry_after_wins_over_the_backoff_when_later() -> None:
    got = wait(failing(1), status="error", headers={"Retry-After": "7200"})
    assert got == timedelta(hours=2)


def test_a_shorter_retry_after_does_not_shorten_the_backoff() -> None:
    got = wait(failing(5), status="error", headers={"retry-after": "60"})
    assert between(got, HALF_HOUR * 12, HALF_HOUR * 16)


def test_retry_after_as_an_http_date_is_relative_to_now() -> None:
    got = wait(failing(1), status="error",
               headers={"retry-after": "Thu, 26 Nov 2026 12:00:00 GMT"})
    assert got == timedelta(hours=3)


def test_retry_after_beyond_the_cap_is_capped() -> None:
    assert wait(failing(1), status="error", headers={"retry-after": "999999999999"}) == \
        MAX_INTERVAL


def test_errors_ignore_ttl_and_cache_headers_of_the_error_response() -> None:
    got = wait(failing(1), status="error", ttl=600, headers={"cache-control": "max-age=86400"})
    assert got == HALF_HOUR


def test_a_dead_feed_is_retried_exactly_at_the_cap() -> None:
    assert wait(failing(1, dead=True), status="error") == MAX_INTERVAL
    assert wait(failing(1, dead=True), status="error", cap=timedelta(hours=6)) == \
        timedelta(hours=6)


@given(errors=st.integers(0, 10**9), minutes=st.integers(1, 60 * 24 * 7),
       status=st.sampled_from(["ok", "not_modified", "error"]), dead=st.booleans(),
       ttl=st.none() | st.integers(-10, 10**18), seed=st.integers(0, 2**32),
       max_age=st.none() | st.text(max_size=12), retry=st.none() | st.text(max_size=40))
def test_the_next_poll_is_never_past_the_cap_and_never_sooner_than_needed(
        errors: int, minutes: int, status: FeedStatus, dead: bool, ttl: int | None, seed: int,
        max_age: str | None, retry: str | None) -> None:
    headers = {k: v for k, v in (("cache-control", f"max-age={max_age}" if max_age else None),
                                 ("retry-after", retry)) if v is not None}
    state = FeedState(URL, error_count=errors, dead=dead)
    interval = timedelta(minutes=minutes)
    got = wait(state, status=status, interval=interval, ttl=ttl, headers=headers, seed=seed)
    assert got <= MAX_INTERVAL
    assert got >= min(interval, MAX_INTERVAL)


# Header parsing


def test_cache_control_parses_quoted_arguments_and_keeps_the_first_duplicate() -> None:
    assert cache_control('Public, MAX-AGE="300", max-age=9, no-transform') == {
        "public": "", "max-age": "300", "no-transform": ""}


@pytest.mark.parametrize("value", ["", "soon", "-5", "1.5", "Mon, 99 Foo 2026 25:61:00 GMT"])
def test_unusable_retry_after_is_ignored(value: str) -> None:
    assert retry_after({"retry-after": value}, NOW) is None


def test_retry_after_in_the_past_means_now() -> None:
    assert retry_after({"retry-after": "Wed, 25 Nov 2026 09:00:00 GMT"}, NOW) == timedelta(0)


def test_freshness_is_zero_when_the_response_says_nothing() -> None:
    assert freshness({}) == timedelta(0)
    assert freshness({"expires": "0", "date": "Tue, 25 Nov 2025 09:00:00 GMT"}) == timedelta(0)


# Due-ness


def test_is_due() -> None:
    assert is_due(FeedState(URL), NOW)
    assert is_due(FeedState(URL, next_poll=NOW), NOW)
    assert is_due(FeedState(URL, next_poll=NOW - timedelta(seconds=1)), NOW)
    assert not is_due(FeedState(URL, next_poll=NOW + timedelta(seconds=1)), NOW)


def test_is_due_reads_a_naive_next_poll_as_utc() -> None:
    assert not is_due(FeedState(URL, next_poll=datetime(2026, 11, 26, 9, 1)), NOW)
    assert is_due(FeedState(URL, next_poll=datetime(2026, 11, 26, 8, 59)), NOW)


# Health lines for the digest

DAY = timedelta(hours=24)


def broken(since: datetime, errors: int = 12, error: str | None = "HTTP 500 Internal Server "
           "Error: the server failed; it will be retried", dead: bool = False) -> FeedState:
    return FeedState(URL, title="HPCwire", error_count=errors, last_error=error,
                     failing_since=since, dead=dead, last_status="error")


def test_a_healthy_feed_has_no_health_line() -> None:
    assert feed_health(FeedState(URL, title="HPCwire"), NOW, DAY) is None


def test_a_feed_failing_for_less_than_the_threshold_has_no_line_yet() -> None:
    assert feed_health(broken(NOW - timedelta(hours=23)), NOW, DAY) is None
    assert feed_health(broken(NOW - DAY), NOW, DAY) is None


def test_a_feed_failing_longer_than_the_threshold_gets_one_line() -> None:
    line = feed_health(broken(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)), NOW, DAY)
    assert line == ("HPCwire has failed since Tue 24 Nov 09:00 (12 attempts): HTTP 500 Internal "
                    "Server Error: the server failed; it will be retried")


def test_health_line_uses_the_given_name_zone_and_singular() -> None:
    state = broken(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), errors=1, error=None)
    line = feed_health(state, NOW, DAY, name="HPC news", zone=ZoneInfo("Europe/Brussels"))
    assert line == "HPC news has failed since Tue 24 Nov 10:00 (1 attempt): unknown error"


def test_health_line_falls_back_to_the_url_and_shows_the_year_when_not_this_one() -> None:
    state = FeedState(URL, error_count=300, last_error="x",
                      failing_since=datetime(2025, 12, 30, 8, 0, tzinfo=UTC))
    line = feed_health(state, NOW, DAY)
    assert line is not None
    assert line.startswith(f"{URL} has failed since Tue 30 Dec 08:00 2025 (300 attempts)")


def test_a_long_multi_line_error_is_flattened_and_cut() -> None:
    line = feed_health(broken(NOW - 2 * DAY, error="boom\n" + "x" * 1000), NOW, DAY)
    assert line is not None
    assert "\n" not in line
    assert line.endswith("…")
    assert len(line) < 330


def test_a_dead_feed_is_reported_at_once() -> None:
    line = feed_health(broken(NOW - timedelta(minutes=5), errors=1, dead=True), NOW, DAY)
    assert line == ("HPCwire is gone (HTTP 410; failing since Thu 26 Nov 08:55, 1 attempt): "
                    "remove it from the config or find its new address (it is still retried "
                    "at the longest interval)")
