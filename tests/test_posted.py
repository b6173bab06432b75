"""Posted stories read back with their Slack message; follow-ups reach that message's thread
once (against the loopback Slack), a repeat posts nothing, a webhook shows the update only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import Channel, Config, load_config
from monitor.model import Article, Hit, Item, Match
from monitor.outbox import Outbox
from monitor.posted import posted_stories
from monitor.posting import prepare, record
from monitor.sending import flush
from monitor.store import Store
from tests.slack_server import Failure, Posted, SlackServer
from tests.test_outbox import Clock, stored

FIXTURE = Path(__file__).parent / "data" / "stories" / "followups.json"
FIRST = datetime(2026, 2, 5, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)


def fixture_items(*uids: str) -> list[Item]:
    rows = {r["uid"]: r for r in json.loads(FIXTURE.read_text(encoding="utf-8"))}
    hit = Hit("AI data cent*", "title", "AI data centre", 0, 14, 0)
    return [Item(Article(uid=u, url=rows[u]["url"], title=rows[u]["title"],
                         summary=rows[u]["summary"], source=rows[u]["source"],
                         published=datetime.fromisoformat(rows[u]["published"])),
                 (Match("ai-infrastructure", 6.0, (hit,)),)) for u in uids]


@pytest.fixture
def clock() -> Clock:
    return Clock(FIRST)


@pytest.fixture
def slack(clock: Clock) -> Iterator[SlackServer]:
    with SlackServer(clock=lambda: clock.now.timestamp()) as server:
        yield server


def bot_config(tmp_path: Path, slack: SlackServer) -> Config:
    (tmp_path / "monitor.toml").write_text('[[channels]]\nname = "ai-infra"\n'
                                           'slack_channel = "C0AIINFRA"\n', encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.api_url}
    return load_config(str(tmp_path / "monitor.toml"), environ=env)


def webhook_config(tmp_path: Path, slack: SlackServer) -> Config:
    (tmp_path / "monitor.toml").write_text('[[channels]]\nname = "ai-infra"\nwebhook = true\n',
                                           encoding="utf-8")
    env = {"SLACK_WEBHOOK_URL": slack.webhook_url, "SLACK_BOT_TOKEN": slack.token,
           "SLACK_API_URL": slack.api_url}
    return load_config(str(tmp_path / "monitor.toml"), environ=env)


def post(store: Store, config: Config, channel: Channel, items: list[Item], clock: Clock,
         mode: str = "bot") -> int | None:
    """Store `items`, build the channel's digest of them at `clock.now`, and send it."""
    stored(store, items, clock.now)
    prepared = prepare(channel, items, now=clock.now, since=None, outbox=Outbox(store),
                       mode=mode, config=config)  # type: ignore[arg-type]
    digest_id = record(store, prepared, clock.now)
    if digest_id is not None:
        assert all(r.done for r in flush(store, config, [channel], clock))
    return digest_id


def in_thread(slack: SlackServer, ts: str) -> list[Posted]:
    return [m for m in slack.messages if m.thread_ts == ts]


def test_posted_stories_come_back_lead_first_with_the_message_that_carried_them(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = bot_config(tmp_path, slack)
    post(store, config, config.channels[0], fixture_items("e-halvard-2", "e-halvard-1"), clock)
    (story,) = posted_stories(store, "ai-infra", FIRST - timedelta(days=1))
    (message,) = slack.messages
    assert (story.channel_id, story.ts, story.posted_at) == ("C0AIINFRA", message.ts, FIRST)
    assert {a.uid for a in story.articles} == {"e-halvard-1", "e-halvard-2"}
    assert story.articles[0].title in message.text  # the lead, whatever order it was posted in
    assert posted_stories(store, "ai-infra", FIRST + timedelta(hours=1)) == []


def test_a_follow_up_is_marked_in_the_digest_and_replies_once_in_the_earlier_thread(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = bot_config(tmp_path, slack)
    (channel,) = config.channels
    post(store, config, channel, fixture_items("e-halvard-1", "e-halvard-2"), clock)
    (earlier,) = slack.messages
    clock.now = LATER
    post(store, config, channel, fixture_items("l-halvard-ground-1", "l-halvard-ground-2"), clock)
    digest, reply = slack.messages[1:]
    link = f"https://test.slack.example/archives/C0AIINFRA/p{earlier.ts.replace('.', '')}"
    shown = json.dumps(digest.blocks)
    assert "*Update:*" in shown and link in shown and "new: under construction" in shown
    assert digest.thread_ts is None and "Update: Halvard Cloud breaks ground" in digest.text
    assert (reply.channel, reply.thread_ts) == ("C0AIINFRA", earlier.ts)
    assert "Halvard Cloud breaks ground" in json.dumps(reply.blocks)
    # the update joined the story it updates: another outlet's repeat of it goes nowhere
    clock.now = LATER + timedelta(hours=6)
    repeat = [Item(Article("l-ground-3", "https://czech.example/ostrava-building",
                           "Halvard Cloud starts building Ostrava AI data centre",
                           "Work has begun on Halvard Cloud's €4 billion Ostrava AI data centre.",
                           published=LATER, source="Czech Daily"),
                   fixture_items("e-halvard-1")[0].matches)]
    assert post(store, config, channel, repeat, clock) is None
    assert len(slack.messages) == 3


def test_a_repeat_of_a_posted_story_posts_nothing(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = bot_config(tmp_path, slack)
    (channel,) = config.channels
    post(store, config, channel, fixture_items("e-halvard-1", "e-halvard-2"), clock)
    clock.now = FIRST + timedelta(days=1)
    assert post(store, config, channel, fixture_items("l-halvard-repeat"), clock) is None
    assert len(slack.messages) == 1 and slack.calls("chat.postMessage") == 1


@pytest.mark.slow  # the thread read is retried with backoff before the attempt gives up
def test_a_lost_answer_for_the_thread_reply_never_posts_it_twice(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = bot_config(tmp_path, slack)
    (channel,) = config.channels
    post(store, config, channel, fixture_items("e-auron-1"), clock)
    (earlier,) = slack.messages
    clock.now = LATER
    loan = fixture_items("l-auron-loan")
    stored(store, loan, clock.now)
    prepared = prepare(channel, loan, now=clock.now, since=None, outbox=Outbox(store),
                       mode="bot", config=config)
    assert [p.reply_to for p in prepared.parts] == ["", earlier.ts]
    record(store, prepared, clock.now)
    # Slack takes the reply but the answer is lost, and the thread cannot be read just then
    slack.script(Failure(accept=True, drop=True, thread_ts=earlier.ts))
    slack.script(Failure(500, "internal_error", method="conversations.replies"), times=4)
    (first,) = flush(store, config, [channel], clock)
    assert not first.done and first.retry_at is not None
    assert len(in_thread(slack, earlier.ts)) == 1
    clock.now = first.retry_at
    (second,) = flush(store, config, [channel], clock)
    assert second.done and second.found == 1  # looked up in the thread, not posted again
    assert len(in_thread(slack, earlier.ts)) == 1
    assert slack.calls("chat.postMessage") == 3


def test_a_reply_to_a_deleted_message_is_given_up_without_holding_the_channel(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = bot_config(tmp_path, slack)
    (channel,) = config.channels
    post(store, config, channel, fixture_items("e-auron-1"), clock)
    clock.now = LATER
    slack.script(Failure(200, "thread_not_found", thread_ts=slack.messages[0].ts))
    post(store, config, channel, fixture_items("l-auron-loan"), clock)  # asserts it is done
    assert len(slack.messages) == 2 and "Update:" in slack.messages[1].text
    clock.now = LATER + timedelta(hours=1)
    post(store, config, channel, fixture_items("l-solenne"), clock)  # the channel is not held
    assert len(slack.messages) == 3


def test_with_a_webhook_the_update_shows_without_a_permalink_or_a_reply(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = webhook_config(tmp_path, slack)
    (channel,) = config.channels
    post(store, config, channel, fixture_items("e-halvard-1"), clock, mode="webhook")
    clock.now = LATER
    post(store, config, channel, fixture_items("l-halvard-ground-1"), clock, mode="webhook")
    assert [m.via for m in slack.messages] == ["webhook", "webhook"]
    shown = json.dumps(slack.messages[1].blocks, ensure_ascii=False)
    assert "*Update:*" in shown and "update of “" in shown and "(Thu 5 Feb 2026)" in shown
    assert "archives" not in shown and slack.calls("chat.getPermalink") == 0
