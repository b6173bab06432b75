"""Nothing lost, nothing twice: the outbox against a loopback Slack."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import Channel, load_config
from monitor.deliver.slack import MessagePart
from monitor.deliver.slack_client import (
    BotSender,
    PartKey,
    RetryPolicy,
    Sender,
    Sent,
    WebhookSender,
)
from monitor.model import Article, Hit, Item, Match
from monitor.outbox import LEASE, Outbox, backoff
from monitor.posting import prepare, record
from monitor.store import Store
from tests.conftest import NOW
from tests.slack_server import SlackServer

CHANNEL = Channel(name="ai-infra", slack_channel="ai-infra", max_stories=120, per_source=0)
NO_RETRY = RetryPolicy(retries=0, backoff=0.01, timeout=5)


COMPANIES = ["Nvidia", "Oracle", "Microsoft", "Equinix", "CoreWeave", "Nebius", "Meta", "Amazon",
             "Google", "Digital Realty", "Iberdrola", "Mistral", "Scaleway", "Cerebras"]
PLACES = ["Texas", "Ohio", "Dublin", "Frankfurt", "Milan", "Oslo", "Lyon", "Madrid", "Warsaw",
          "Lisbon", "Arizona", "Georgia", "Quebec", "Jakarta", "Osaka", "Sydney"]


def item(n: int, source: str = "") -> Item:
    who, where = COMPANIES[n % len(COMPANIES)], PLACES[n // len(COMPANIES) % len(PLACES)]
    article = Article(f"uid-{n}", f"https://news{n}.example/story-{n}",
                      f"{who} plans a {n * 10 + 100} MW AI campus in {where}",
                      summary=f"Story {n} is about a distinct data centre project.",
                      content=f"Story {n} is about a distinct data centre project.",
                      published=NOW - timedelta(hours=1), source=source or f"Outlet {n}")
    hit = Hit("data centre*", "summary", "data centre", 0, 11, 0)
    return Item(article, (Match("ai-infrastructure", 5.0 + n % 7, (hit,)),),
                summary=f"Operator {n} will build campus {n}. " * 8)


def stored(store: Store, items: list[Item], when: datetime = NOW) -> None:
    with store.begin() as c:
        store.save_articles([i.article for i in items], when, c)
        store.save_matches({i.article.uid: list(i.matches) for i in items}, when, c)


@pytest.fixture
def slack() -> SlackServer:
    with SlackServer() as server:
        yield server  # type: ignore[misc]


def prepared_digest(store: Store, items: list[Item], tmp_path: Path, now: datetime = NOW):  # type: ignore[no-untyped-def]
    config = load_config(None, environ={})
    return prepare(CHANNEL, items, now=now, since=None, outbox=Outbox(store), mode="bot",
                   config=config)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_a_digest_is_stored_before_sending_then_sent_in_threaded_parts(
        store: Store, slack: SlackServer, tmp_path: Path) -> None:
    items = [item(n) for n in range(90)]
    stored(store, items)
    prepared = prepared_digest(store, items, tmp_path)
    assert len(prepared.parts) >= 3
    digest_id = record(store, prepared, NOW)
    assert digest_id is not None
    (pending,) = Outbox(store).pending()
    assert pending.parts_total == len(prepared.parts) and pending.parts_sent == 0
    sender = BotSender(slack.token, base_url=slack.api_url, policy=NO_RETRY)
    result = Outbox(store).send(pending, sender, "ai-infra", Clock(NOW))
    assert result is not None and result.done and result.sent == len(prepared.parts)
    messages = slack.messages
    assert len(messages) == len(prepared.parts)
    assert messages[0].thread_ts is None
    assert all(m.thread_ts == messages[0].ts for m in messages[1:])
    assert all(m.unfurl_links is False and m.unfurl_media is False for m in messages)
    assert Outbox(store).pending() == []


class Crash(BaseException):
    """Stands for the process being killed: nothing catches it."""


class Wrapped:
    """A sender around a real one, for faults that happen on our side."""

    verifiable = True

    def __init__(self, inner: Sender) -> None:
        self.inner = inner

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        return self.inner.send(part, channel=channel, thread_ts=thread_ts, key=key)

    def find(self, key: PartKey, *, channel: str, thread_ts: str | None,
             around: datetime) -> Sent | None:
        return self.inner.find(key, channel=channel, thread_ts=thread_ts, around=around)


class CrashAfter(Wrapped):
    def __init__(self, inner: Sender, parts: int) -> None:
        super().__init__(inner)
        self.left = parts

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        if self.left == 0:
            raise Crash()
        self.left -= 1
        return super().send(part, channel=channel, thread_ts=thread_ts, key=key)


def test_a_run_killed_after_part_1_of_3_resumes_with_parts_2_and_3(
        store: Store, slack: SlackServer, tmp_path: Path) -> None:
    items = [item(n) for n in range(90)]
    stored(store, items)
    prepared = prepared_digest(store, items, tmp_path)
    parts = prepared.parts[:3]
    assert len(parts) == 3
    record(store, prepared.__class__(prepared.channel, prepared.digest, parts), NOW)
    sender = BotSender(slack.token, base_url=slack.api_url, policy=NO_RETRY)
    (pending,) = Outbox(store).pending()
    with pytest.raises(Crash):
        Outbox(store).send(pending, CrashAfter(sender, 1), "ai-infra", Clock(NOW))
    assert len(slack.messages) == 1
    # A restart right away finds the claim still held by the dead run ...
    (pending,) = Outbox(store).pending()
    assert pending.parts_sent == 1
    assert Outbox(store).send(pending, sender, "ai-infra", Clock(NOW)) is None
    # ... and takes over once its lease has expired.
    later = Clock(NOW + LEASE + timedelta(seconds=1))
    result = Outbox(store).send(pending, sender, "ai-infra", later)
    assert result is not None and result.done and result.sent == 2
    texts = [m.text for m in slack.messages]
    assert texts == [p.text for p in parts]
    assert slack.messages[2].thread_ts == slack.messages[0].ts


def test_a_day_long_slack_outage_loses_nothing_and_repeats_nothing(
        store: Store, slack: SlackServer, tmp_path: Path) -> None:
    items = [item(n) for n in range(30)]
    stored(store, items)
    prepared = prepared_digest(store, items, tmp_path)
    record(store, prepared, NOW)
    sender = BotSender(slack.token, base_url=slack.api_url, policy=NO_RETRY)
    clock = Clock(NOW)
    slack.server_error(times=10_000, status=503)
    attempts = 0
    while clock.now < NOW + timedelta(days=1):
        for pending in Outbox(store).pending():
            result = Outbox(store).send(pending, sender, "ai-infra", clock)
            if result is not None:
                attempts += 1
                assert not result.done and "503" in (result.error or "")
        clock.now += timedelta(minutes=5)
    assert slack.messages == []
    (pending,) = Outbox(store).pending()
    assert pending.attempts == attempts
    assert 5 < attempts < 100  # backed off, not hammered every five minutes
    slack.state.script.clear()
    clock.now = pending.next_attempt or clock.now
    result = Outbox(store).send(pending, sender, "ai-infra", clock)
    assert result is not None and result.done
    assert len(slack.messages) == len(prepared.parts)
    assert Outbox(store).pending() == []
    for _ in range(3):  # later runs have nothing left to send
        assert Outbox(store).pending() == []
    assert len(slack.messages) == len(prepared.parts)


def test_a_failure_midway_keeps_the_rest_pending(store: Store, slack: SlackServer,
                                                 tmp_path: Path) -> None:
    items = [item(n) for n in range(30)]
    stored(store, items)
    prepared = prepared_digest(store, items, tmp_path)
    record(store, prepared, NOW)
    sender = BotSender(slack.token, base_url=slack.api_url, policy=NO_RETRY)
    (pending,) = Outbox(store).pending()
    first = Outbox(store).send(pending, _FailSecond(sender, slack), "ai-infra", Clock(NOW))
    assert first is not None and not first.done and first.sent == 1
    (pending,) = Outbox(store).pending()
    assert pending.parts_sent == 1 and pending.next_attempt is not None
    assert NOW + backoff(1) / 2 <= pending.next_attempt <= NOW + backoff(1)  # with jitter
    result = Outbox(store).send(pending, sender, "ai-infra", Clock(NOW + timedelta(minutes=1)))
    assert result is not None and result.done
    assert len(slack.messages) == len(prepared.parts)


class _FailSecond(Wrapped):
    def __init__(self, inner: Sender, slack: SlackServer) -> None:
        super().__init__(inner)
        self.slack, self.calls = slack, 0

    def send(self, part: MessagePart, *, channel: str, thread_ts: str | None,
             key: PartKey) -> Sent:
        self.calls += 1
        if self.calls == 2:
            self.slack.server_error(times=1, status=500)
        return super().send(part, channel=channel, thread_ts=thread_ts, key=key)


def test_two_runs_at_once_do_not_both_send(store: Store, tmp_path: Path) -> None:
    items = [item(n) for n in range(3)]
    stored(store, items)
    record(store, prepared_digest(store, items, tmp_path), NOW)
    (pending,) = Outbox(store).pending()
    other = Store(store.url)
    try:
        tokens = [Outbox(store).claim(pending.id, NOW), Outbox(other).claim(pending.id, NOW)]
    finally:
        other.close()
    assert sum(t is not None for t in tokens) == 1


def test_stories_already_posted_to_a_channel_never_go_there_again(
        store: Store, tmp_path: Path) -> None:
    first = [item(n) for n in range(3)]
    stored(store, first)
    record(store, prepared_digest(store, first, tmp_path), NOW)
    # The same three stories again (one from another outlet, reworded), and one new story.
    again = [*first, item(99)]
    repost = item(1, source="Another Outlet")
    repost = Item(Article("uid-repost", "https://other.example/x", repost.article.title,
                          repost.article.summary, repost.article.content,
                          repost.article.published, "Another Outlet"), repost.matches)
    stored(store, [item(99), repost], NOW + timedelta(hours=1))
    later = prepared_digest(store, [*again, repost], tmp_path, NOW + timedelta(hours=1))
    assert [s.lead.article.uid for s in later.digest.stories] == ["uid-99"]


def test_an_empty_window_posts_nothing_unless_post_empty(store: Store, tmp_path: Path) -> None:
    config = load_config(None, environ={})
    quiet = prepare(CHANNEL, [], now=NOW, since=None, outbox=Outbox(store), mode="bot",
                    config=config)
    assert record(store, quiet, NOW) is None
    loud_channel = Channel(name="loud", slack_channel="loud", post_empty=True)
    loud = prepare(loud_channel, [], now=NOW, since=None, outbox=Outbox(store), mode="bot",
                   config=config)
    assert record(store, loud, NOW) is not None
    assert len(loud.parts) == 1 and "nothing new" in loud.parts[0].text


def test_a_webhook_digest_numbers_its_messages(store: Store, slack: SlackServer,
                                              tmp_path: Path) -> None:
    items = [item(n) for n in range(30)]
    stored(store, items)
    config = load_config(None, environ={})
    channel = Channel(name="hook", webhook=True, max_stories=60, per_source=0)
    prepared = prepare(channel, items, now=NOW, since=None, outbox=Outbox(store),
                       mode="webhook", config=config)
    record(store, prepared, NOW)
    (pending,) = Outbox(store).pending()
    sender = WebhookSender(slack.webhook_url, policy=NO_RETRY)
    result = Outbox(store).send(pending, sender, "hook", Clock(NOW))
    assert result is not None and result.done
    assert all(m.via == "webhook" for m in slack.messages)
    assert len(slack.messages) == len(prepared.parts) > 1
