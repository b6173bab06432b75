"""Flushing the outbox per channel: order within a channel, independence between channels."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import Channel, Config, load_config
from monitor.outbox import Outbox
from monitor.posting import flush, prepare, record
from monitor.store import Store
from tests.conftest import NOW
from tests.slack_server import SlackServer
from tests.test_outbox import Clock, item, stored


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def slack(clock: Clock) -> Iterator[SlackServer]:
    with SlackServer(clock=lambda: clock.now.timestamp()) as server:
        yield server


def configured(tmp_path: Path, slack: SlackServer, *channels: tuple[str, str]) -> Config:
    text = "".join(f'[[channels]]\nname = "{name}"\nslack_channel = "{target}"\n'
                   for name, target in channels)
    (tmp_path / "monitor.toml").write_text(text, encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": slack.token, "SLACK_API_URL": slack.api_url}
    return load_config(str(tmp_path / "monitor.toml"), environ=env)


def pending_digest(store: Store, config: Config, channel: Channel, first: int) -> int:
    items = [item(n) for n in range(first, first + 3)]
    stored(store, items)
    prepared = prepare(channel, items, now=NOW, since=None, outbox=Outbox(store), mode="bot",
                       config=config)
    digest_id = record(store, prepared, NOW)
    assert digest_id is not None
    return digest_id


def test_a_long_retry_after_in_one_channel_does_not_hold_up_the_others(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "C0AIINFRA"), ("compute", "C0COMPUTE"))
    busy, calm = config.channels
    pending_digest(store, config, busy, 0)
    pending_digest(store, config, calm, 10)
    slack.rate_limit(retry_after=600, channel="C0AIINFRA")
    start = time.monotonic()
    results = {r.channel: r for r in flush(store, config, config.channels, clock)}
    assert time.monotonic() - start < 5  # nobody sat out the ten minutes
    assert results["compute"].done and [m.channel for m in slack.messages] == ["C0COMPUTE"]
    waiting = results["ai-infra"]
    assert not waiting.done and not waiting.permanent
    assert waiting.retry_at is not None and waiting.retry_at >= NOW + timedelta(seconds=600)
    clock.now = waiting.retry_at
    (again,) = flush(store, config, config.channels, clock)
    assert again.done and [m.channel for m in slack.messages] == ["C0COMPUTE", "C0AIINFRA"]


def test_a_channel_sends_its_digests_in_order(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "C0AIINFRA"))
    (channel,) = config.channels
    first = pending_digest(store, config, channel, 0)
    second = pending_digest(store, config, channel, 10)
    slack.server_error(status=503)  # not accepted: the first digest waits for its retry
    (failed,) = flush(store, config, config.channels, clock)
    assert failed.digest_id == first and not failed.done and slack.messages == []
    (waiting,) = flush(store, config, config.channels, clock)
    assert waiting.digest_id == first and not waiting.attempted  # the second waits behind it
    assert waiting.retry_at is not None
    clock.now = waiting.retry_at
    results = flush(store, config, config.channels, clock)
    assert [(r.digest_id, r.done) for r in results] == [(first, True), (second, True)]
    assert len(slack.messages) == 2


def test_a_missing_token_fails_its_channel_only(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "C0AIINFRA"))
    (channel,) = config.channels
    pending_digest(store, config, channel, 0)
    no_token = load_config(str(tmp_path / "monitor.toml"), environ={})
    (result,) = flush(store, no_token, no_token.channels, clock)
    assert result.permanent and not result.done
    assert result.error == ("channel 'ai-infra' needs SLACK_BOT_TOKEN to post to C0AIINFRA; "
                            "set it, or use webhook = true")
