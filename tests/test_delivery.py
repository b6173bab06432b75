"""Each part once: lost answers, killed senders and missing scopes against a loopback Slack.

Every scenario ends with each part of the digest in the channel exactly once (a bot with
the history scope), or says it is at-least-once (a webhook, a bot without the scope).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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


@pytest.mark.slow
def test_sigkill_between_slack_accepting_and_our_record_in_a_real_process(
        tmp_path: Path) -> None:
    """`monitor digest` is killed while Slack holds its answer to part 2; the next run
    takes the dead run's claim over at once, finds part 2 in the thread, sends the rest."""
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{Path(__file__).parent / 'data' / 'rules'}"
database = "{tmp_path / 'monitor.db'}"
[[channels]]
name = "ai-infra"
slack_channel = "#ai-infra"
max_stories = 120
per_source = 0
""", encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    items = [item(n) for n in range(90)]
    stored(store, items, datetime.now(UTC) - timedelta(hours=1))  # a real clock: real processes
    with SlackServer() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "SLACK_"))}
        env |= {"MONITOR_CONFIG": str(tmp_path / "monitor.toml"), "SLACK_BOT_TOKEN": slack.token,
                "SLACK_API_URL": slack.api_url}
        slack.script(Failure(accept=True))  # part 1 as usual
        slack.script(Failure(accept=True, pause=120))  # part 2 posted; the answer never comes
        killed = subprocess.Popen([sys.executable, "-m", "monitor", "digest"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while len(slack.messages) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(slack.messages) == 2
        finally:
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=30)
        (pending,) = Outbox(store).pending()
        assert pending.parts_sent == 1  # part 2 is in the channel, but not in our records
        again = subprocess.run([sys.executable, "-m", "monitor", "digest"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        total = pending.parts_total
        assert (f"posted digest {pending.id} ({total - 1} messages; 1 found already in the "
                "channel).") in again.stdout
        texts = [m.text for m in slack.messages]
        assert len(texts) == len(set(texts)) == total  # every part, each once
        first = slack.messages[0]
        assert all(m.thread_ts == first.ts and m.requested == "C0AIINFRA"
                   for m in slack.messages[1:])
    store.close()
