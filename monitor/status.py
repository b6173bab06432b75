"""`monitor status` as data: feed health, each channel's last and next digest, pending
deliveries, and the problems a human must look at.

Every feed failing is a problem at once, whatever its age: nothing is being monitored.
When most feeds fail the same way (no network, no DNS, a proxy needed), one problem
says so and what to check first, instead of one per feed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.config import Config
from monitor.embedding import grouping_method
from monitor.model import Feed, FeedState
from monitor.outbox import Outbox
from monitor.posting import channels_for
from monitor.report import iso
from monitor.running import run_problems, run_status
from monitor.schedule import digest_trigger, next_fire
from monitor.sending import DeliveryReport, delivery_report
from monitor.sources.diagnose import cause_of, shared_cause
from monitor.sources.policy import feed_health
from monitor.store import Store
from monitor.wording import plural

STUCK_ATTEMPTS = 3  # a digest that failed this often needs a human


def status_report(config: Config, store: Store, stamp: datetime) -> dict[str, Any]:
    """The status document (`monitor status --format json` prints it as it is)."""
    states = store.feed_states(f.url for f in config.feeds)
    delivery = delivery_report(config, store, stamp)
    channels, stuck = _channels(config, store, stamp, delivery)
    run = run_status(config.database, stamp)
    return {"generated_at": iso(stamp),
            "feeds": [_feed_row(feed, states.get(feed.url)) for feed in config.feeds],
            "channels": channels,
            "grouping": grouping_method(),
            "run": run,  # who leads, its lease, the standbys
            "problems": feed_problems(config, states, stamp) + delivery.problems + stuck
            + run_problems(run),
            "notes": delivery.notes}


def _feed_row(feed: Feed, state: FeedState | None) -> dict[str, Any]:
    return {
        "url": feed.url, "name": feed.name, "state": _feed_state(state),
        "last_success": iso(state.last_success) if state else None,
        "errors": state.error_count if state else 0,
        "last_error": state.last_error if state else None,
        "next_poll": iso(state.next_poll) if state else None,
        "moved_to": state.moved_to if state else None,
    }


def _feed_state(state: FeedState | None) -> str:
    if state is None:
        return "never polled"
    if state.dead:
        return "dead"
    if state.failing_since is not None:
        return f"failing since {iso(state.failing_since)}"
    return {"not_modified": "not modified"}.get(state.last_status or "", state.last_status or "")


def feed_problems(config: Config, states: dict[str, FeedState], stamp: datetime) -> list[str]:
    """What needs a human about the feeds: all failing, a shared cause, old failures, moves."""
    polled = [(f, s) for f in config.feeds if (s := states.get(f.url)) is not None]
    failing = [(f, s) for f, s in polled if s.failing_since is not None]
    errors = [s.last_error for _, s in failing]
    everyone = bool(failing) and len(failing) == len(polled)
    shared = shared_cause(errors, len(failing) if everyone else len(config.feeds))
    covered = {failing[i][0].url for i in shared.covered} if shared else set()
    problems = []
    if everyone:
        problems.append(_all_failing(len(failing), len(config.feeds), errors))
    elif shared:
        problems.append(f"{shared.summary(len(config.feeds))}. {shared.hint()}")
    threshold = config.feed_health_after
    for feed, state in polled:
        line = feed_health(state, stamp, threshold, name=feed.name, zone=config.zone) \
            if threshold else None
        if line and (feed.url not in covered or state.dead):
            problems.append(line)
        if state.moved_to:
            problems.append(f"{feed.name or feed.url} moved permanently to {state.moved_to}; "
                            "update its url in the config")
    return problems


def _all_failing(count: int, total: int, errors: list[str | None]) -> str:
    who = f"every feed is failing ({count} of {plural(total, 'feed')}"
    who += f"; {total - count} not polled yet)" if count < total else ")"
    causes = {cause_of(e) for e in errors}
    if len(causes) == 1 and (cause := causes.pop()) is not None:
        return f"{who}: {cause.what}. What to check first: {cause.check}."
    return (f"{who}, so nothing is being monitored. What to check first: that this machine "
            "is online and can resolve names; `monitor feeds check` shows each feed's error.")


def _channels(config: Config, store: Store, stamp: datetime, delivery: DeliveryReport
              ) -> tuple[list[dict[str, Any]], list[str]]:
    outbox = Outbox(store)
    rows, stuck = [], []
    for channel in channels_for(config):
        pending = outbox.pending(channel.name)
        upcoming = next_fire(digest_trigger(channel, config.zone), stamp)
        rows.append({
            "name": channel.name, "last_digest": iso(outbox.last_sent(channel.name)),
            "next_digest": iso(upcoming),
            "pending_parts": sum(p.parts_total - p.parts_sent for p in pending),
            "last_error": next((p.last_error for p in pending if p.last_error), None),
            "waiting_for_fix": delivery.waiting.get(channel.name),
        })
        stuck += [f"digest {p.id} for {channel.name} has failed {p.attempts} times: "
                  f"{p.last_error}" for p in pending if p.attempts >= STUCK_ATTEMPTS]
    return rows, stuck
