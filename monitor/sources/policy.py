"""When to poll a feed next, and when to tell a human it is failing. Pure: `now` and `rng` in.

The next poll after a good answer (200 or 304) is the LATEST of what anyone asked for:
the feed's configured interval, the RSS `<ttl>`, the response's `Cache-Control: max-age`
(less `Age`; `Expires` when there is no max-age) and `Retry-After`. `s-maxage` is ignored on
purpose: it tells shared caches (CDNs) how long they may keep a copy, and publishers often set
it long because they purge the CDN on publish; we are a private client, so only max-age is
addressed to us (RFC 9111 §5.2.2.10). Jitter then adds (never subtracts) up to 10% of that wait, so
hundreds of feeds configured with the same interval drift apart instead of polling in lockstep.

A failing feed backs off exponentially: the n-th consecutive failure waits
`interval * 2**(n-1)`, capped, then jittered downward to a uniformly random point in
[0.75, 1.0] of that (a bounded "equal jitter": never less than the interval, never more than
the cap), so feeds that failed together (a network outage) come back spread out. A
`Retry-After` later than that wins. A 410 Gone marks the feed dead: it waits the full cap.

Every wait is capped at `max_interval` (24 h by default), jitter included: a feed, failing or
dead, is polled at least that often forever, never silently dropped, so a repaired or
resurrected feed is noticed within a day.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from monitor.model import FeedState, FeedStatus
from monitor.wording import clock

JITTER_SHARE = 0.10   # a good feed's wait grows by up to this share of itself
BACKOFF_SPREAD = 0.25  # a failing feed's wait is cut by up to this share of itself
MAX_INTERVAL = timedelta(hours=24)
_ERROR_CHARS = 240    # a digest line, not a log: long errors are cut


def next_poll(state: FeedState, *, interval: timedelta, now: datetime, status: FeedStatus,
              ttl_minutes: int | None = None, headers: Mapping[str, str] | None = None,
              max_interval: timedelta = MAX_INTERVAL, rng: random.Random) -> datetime:
    """When to poll this feed next; `state` is its state AFTER this poll was recorded."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    cap = max(max_interval, timedelta(0))
    retry = retry_after(lowered, now) or timedelta(0)
    if status == "error":
        wait = max(_backoff(state, interval, cap, rng), retry)
    else:
        wait = max(interval, _ttl(ttl_minutes), freshness(lowered), retry)
        wait += wait * (JITTER_SHARE * rng.random())
    return now + min(wait, cap)


def _backoff(state: FeedState, interval: timedelta, cap: timedelta,
             rng: random.Random) -> timedelta:
    """The n-th consecutive failure's wait: interval * 2**(n-1), capped, jittered downward."""
    if state.dead:
        return cap
    # In float seconds: interval * 2**n overflows timedelta long before error_count stops growing.
    exponent = min(max(state.error_count, 1) - 1, 64)
    seconds = min(interval.total_seconds() * 2.0**exponent, cap.total_seconds())
    target = timedelta(seconds=seconds)
    return max(target * (1 - BACKOFF_SPREAD * rng.random()), min(interval, cap))


def _ttl(minutes: int | None) -> timedelta:
    # A feed's <ttl> is untrusted: clamp it (to ~19 years, past any cap) so it cannot overflow.
    return timedelta(minutes=min(minutes, 10**7)) if minutes and minutes > 0 else timedelta(0)


def freshness(headers: Mapping[str, str]) -> timedelta:
    """How long the response stays fresh for a private cache (0 when it says nothing)."""
    directives = cache_control(headers.get("cache-control", ""))
    if "no-store" in directives or "no-cache" in directives:
        return timedelta(0)
    max_age = _seconds(directives.get("max-age"))
    if max_age is not None:
        age = _seconds(headers.get("age")) or 0
        return timedelta(seconds=max(max_age - age, 0))
    return _expires(headers)


def _expires(headers: Mapping[str, str]) -> timedelta:
    # Expires minus the server's own Date, so a skewed server clock does not matter.
    expires = _http_date(headers.get("expires", ""))
    served = _http_date(headers.get("date", ""))
    if expires is None or served is None:
        return timedelta(0)
    return max(expires - served, timedelta(0))


def cache_control(value: str) -> dict[str, str]:
    """'public, max-age="300"' -> {'public': '', 'max-age': '300'} (names lowercased)."""
    out: dict[str, str] = {}
    for part in value.split(","):
        name, _, argument = part.partition("=")
        name = name.strip().lower()
        if name:
            out.setdefault(name, argument.strip().strip('"'))
    return out


def retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """`Retry-After` as a wait from `now`: delay-seconds or an HTTP-date; None when absent/bad."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return timedelta(seconds=seconds)
    when = _http_date(value)
    if when is None:
        return None
    return max(when - now, timedelta(0))


def _seconds(value: str | None) -> int | None:
    text = (value or "").strip()
    # A huge number is still "a long time"; clamping keeps timedelta from overflowing.
    return min(int(text), 10**9) if text.isascii() and text.isdigit() else None  # not "²"


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def is_due(state: FeedState, now: datetime) -> bool:
    """Whether the feed should be polled now (never polled counts as due)."""
    if state.next_poll is None:
        return True
    due = state.next_poll
    return (due if due.tzinfo else due.replace(tzinfo=UTC)) <= now


def feed_health(state: FeedState, now: datetime, threshold: timedelta, *, name: str = "",
                zone: tzinfo = UTC) -> str | None:
    """One digest line when the feed has failed longer than `threshold` (dead: at once), else None.

    A 410 needs a human whatever its age, so a dead feed is reported from its first failure.
    """
    since = state.failing_since
    if since is None or (not state.dead and now - since <= threshold):
        return None
    who = name or state.title or state.url
    attempts = f"{state.error_count} attempt{'' if state.error_count == 1 else 's'}"
    when = _when(since, now, zone)
    if state.dead:
        return (f"{who} is gone (HTTP 410; failing since {when}, {attempts}): remove it from "
                "the config or find its new address (it is still retried at the longest interval)")
    return f"{who} has failed since {when} ({attempts}): {_short(state.last_error)}"


def _when(moment: datetime, now: datetime, zone: tzinfo) -> str:
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    text = clock(local, zone)
    return text if local.year == now.astimezone(zone).year else f"{text} {local.year}"


def _short(error: str | None) -> str:
    text = " ".join((error or "unknown error").split())
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1].rstrip() + "…"
