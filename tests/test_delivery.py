"""Each part once: lost answers, killed senders and missing scopes against a loopback Slack.

Every scenario ends with each part of the digest in the channel exactly once (a bot with
the history scope), or says it is at-least-once (a webhook, a bot without the scope).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import BotSender, PartKey, RetryPolicy, Sender, Sent
from monitor.outbox import LEASE, Outbox, SendResult
from monitor.posting import record
from monitor.store import Store
from tests.conftest import NOW
from tests.slack_server import ALL_SCOPES, Failure, SlackServer
from tests.test_outbox import Clock, item, prepared_digest, stored

QUICK = RetryPolicy(retries=1, backoff=0.01, timeout=1)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def slack(clock: Clock) -> Iterator[SlackServer]:
    # Slack's clock and ours agree, as they do (roughly) in life
    with SlackServer(clock=lambda: clock.now.timestamp()) as server:
        yield server


def three_parts(store: Store, tmp_path: Path) -> list[MessagePart]:
    items = [item(n) for n in range(90)]
    stored(store, items)
    prepared = prepared_digest(store, items, tmp_path)
    parts = prepared.parts[:3]
    record(store, prepared.__class__(prepared.channel, prepared.digest, parts), NOW)
    return list(parts)


def send(store: Store, sender: Sender, clock: Clock) -> SendResult | None:
    (pending,) = Outbox(store).pending() or [None]
    if pending is None:
        return None
    return Outbox(store).send(pending, sender, "ai-infra", clock)


def bot(slack: SlackServer) -> BotSender:
    return BotSender(slack.token, base_url=slack.api_url, policy=QUICK)


def once_each(slack: SlackServer, parts: list[MessagePart]) -> None:
    counts = Counter(m.text for m in slack.messages)
    assert [counts[p.text] for p in parts] == [1] * len(parts)
    assert len(slack.messages) == len(parts)
    first = slack.messages[0]
    assert first.thread_ts is None
    assert all(m.thread_ts == first.ts and m.requested == first.channel
               for m in slack.messages[1:])


@pytest.mark.parametrize("fault", [
    Failure(accept=True, drop=True),  # the connection drops after Slack posted it
    Failure(500, "internal_error", accept=True),  # a 5xx after Slack posted it
    Failure(accept=True, pause=3),  # the answer comes after our timeout
])
@pytest.mark.parametrize("index", [1, 2])
def test_a_lost_answer_is_found_in_the_channel_not_posted_again(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path, fault: Failure,
        index: int) -> None:
    parts = three_parts(store, tmp_path)
    if index == 2:
        slack.script(Failure(accept=True))  # part 1 goes through as normal
    slack.script(fault)
    result = send(store, bot(slack), clock)
    assert result is not None and result.done and result.found == 1, result
    once_each(slack, parts)
    lookup = "conversations.history" if index == 1 else "conversations.replies"
    assert slack.calls(lookup) == 1


def test_no_answer_and_not_posted_is_sent_once_on_the_next_attempt(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    parts = three_parts(store, tmp_path)
    slack.script(Failure(drop=True))  # dropped before Slack took it
    first = send(store, bot(slack), clock)
    assert first is not None and not first.done and first.retry_at is not None
    assert slack.messages == []
    clock.now = first.retry_at
    result = send(store, bot(slack), clock)
    assert result is not None and result.done and result.found == 0
    once_each(slack, parts)
    assert slack.calls("conversations.history") == 2  # right after the drop, and before resending


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it, nothing after it runs."""


class KilledAfterSlackAccepts:
    """Posts the parts, and dies after Slack accepted part `at`, before we recorded it."""

    verifiable = True

    def __init__(self, inner: BotSender, at: int) -> None:
        self.inner, self.at = inner, at

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        sent = self.inner.send(part, channel=channel, thread_ts=thread_ts, key=key)
        if part.index == self.at:
            raise Killed()
        return sent

    def find(self, key: PartKey, *, channel: str, thread_ts: str | None,
             around: datetime) -> Sent | None:
        return self.inner.find(key, channel=channel, thread_ts=thread_ts, around=around)


@pytest.mark.parametrize("at", [1, 2, 3])
def test_killed_between_slack_accepting_and_our_record(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path, at: int) -> None:
    parts = three_parts(store, tmp_path)
    with pytest.raises(Killed):
        send(store, KilledAfterSlackAccepts(bot(slack), at), clock)
    assert len(slack.messages) == at
    assert send(store, bot(slack), clock) is None  # the dead run's claim still holds ...
    clock.now += LEASE + timedelta(seconds=1)  # ... for a minute at most
    result = send(store, bot(slack), clock)
    assert result is not None and result.done and result.found == 1
    once_each(slack, parts)


def test_without_the_history_scope_a_lost_answer_means_at_least_once(
        store: Store, clock: Clock, tmp_path: Path) -> None:
    with SlackServer(scopes=ALL_SCOPES - {"channels:history"},
                     clock=lambda: clock.now.timestamp()) as slack:
        parts = three_parts(store, tmp_path)
        slack.script(Failure(accept=True, drop=True))
        first = send(store, bot(slack), clock)
        assert first is not None and not first.done
        assert first.retry_at is not None
        clock.now = first.retry_at
        result = send(store, bot(slack), clock)
        assert result is not None and result.done
        assert [m.text for m in slack.messages].count(parts[0].text) == 2
        assert any("at-least-once until the scope is granted" in n for n in result.notes)
