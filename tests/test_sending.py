"""Sending the outbox per channel: order, independence, permanent errors, what status says."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.claims import Owner, start_time, this_process
from monitor.config import Channel, Config, load_config
from monitor.outbox import Outbox
from monitor.posting import prepare, record
from monitor.schema import digests
from monitor.sending import delivery_report, flush
from monitor.slack_state import SlackState
from monitor.store import Store
from tests.conftest import NOW
from tests.slack_server import ALL_SCOPES, Failure, SlackServer
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


def calls(slack: SlackServer) -> int:
    return sum(path.startswith("/api/") for path in slack.requests)


@pytest.mark.parametrize(("target", "setup", "expected"), [
    ("#outside", None, "The bot is not a member of #outside (not_in_channel)"),
    ("#nowhere", None, "Slack has no channel #nowhere that the bot can see"),
    ("C0ARCHIVE", None, "Slack channel C0ARCHIVE is archived (is_archived)"),
    ("C0COMPUTE", "missing_scope", "The Slack bot token lacks the chat:write scope"),
    ("C0COMPUTE", "revoked", "The Slack bot token was revoked (token_revoked)"),
    ("C0COMPUTE", "not_in_channel", "The bot is not a member of C0COMPUTE (not_in_channel)"),
])
def test_a_permanent_error_costs_one_call_a_day(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path, target: str,
        setup: str | None, expected: str) -> None:
    config = configured(tmp_path, slack, ("broken", target), ("fine", "C0AIINFRA"))
    broken, fine = config.channels
    pending_digest(store, config, broken, 0)
    if setup == "missing_scope":
        slack.state.scopes.discard("chat:write")
    elif setup == "revoked":
        slack.state.revoked = True
    elif setup == "not_in_channel":  # its id is known, the bot was removed since
        SlackState(store).learned("broken", target, NOW, channel_id=target, private=False)
        slack.state.not_member.add(target)
    first = {r.channel: r for r in flush(store, config, [broken], clock)}["broken"]
    assert first.permanent and first.error is not None and first.error.startswith(expected)
    assert calls(slack) == 1
    for hours in (0, 1, 12, 23):  # every run within the day: no call at all
        clock.now = NOW + timedelta(hours=hours)
        (held,) = flush(store, config, [broken], clock)
        assert held.permanent and not held.attempted and held.error == first.error
    assert calls(slack) == 1
    if setup not in ("missing_scope", "revoked"):  # a channel's problem: the others go on
        pending_digest(store, config, fine, 10)
        assert [r.done for r in flush(store, config, [fine], clock)] == [True]
    problems = delivery_report(config, store, clock.now).problems
    assert len(problems) == 1 and problems[0].startswith(f"broken: {expected}")
    assert "the next attempt comes when the token or the config changes" in problems[0]
    before = calls(slack)
    clock.now = NOW + timedelta(days=1, minutes=1)  # a day later: one call again
    (again,) = flush(store, config, [broken], clock)
    assert again.permanent and again.attempted and calls(slack) == before + 1


def test_a_bad_token_holds_every_bot_channel_for_one_call(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = configured(tmp_path, slack, ("a", "C0AIINFRA"), ("b", "C0COMPUTE"))
    for n, channel in enumerate(config.channels):
        pending_digest(store, config, channel, n * 10)
    wrong = load_config(str(tmp_path / "monitor.toml"),
                        environ={"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_API_URL": slack.api_url})
    results = flush(store, wrong, wrong.channels, clock)
    assert [(r.channel, r.attempted, r.permanent) for r in results] == \
        [("a", True, True), ("b", False, True)]
    assert calls(slack) == 1 and "invalid_auth" in (results[1].error or "")
    assert len(delivery_report(wrong, store, NOW).problems) == 1  # one line names the token
    assert "xoxb-wrong" not in repr(results) + repr(SlackState(store).all())
    # the right token is set: the fingerprint changes, both go at once
    assert [r.done for r in flush(store, config, config.channels, clock)] == [True, True]
    assert delivery_report(config, store, NOW).problems == []


def test_a_config_change_lifts_the_hold_at_once(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "#outside"))
    pending_digest(store, config, config.channels[0], 0)
    (held,) = flush(store, config, config.channels, clock)
    assert held.permanent
    fixed = configured(tmp_path, slack, ("ai-infra", "#ai-infra"))
    (done,) = flush(store, fixed, fixed.channels, clock)
    assert done.done and slack.messages[0].channel == "C0AIINFRA"


def test_a_resumed_digest_threads_in_the_channel_part_1_went_to(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "#ai-infra"))
    items = [item(n) for n in range(90)]
    stored(store, items)
    prepared = prepare(Channel("ai-infra", "#ai-infra", max_stories=120, per_source=0), items,
                       now=NOW, since=None, outbox=Outbox(store), mode="bot", config=config)
    record(store, prepared, NOW)
    slack.script(Failure(accept=True))
    slack.script(Failure(503, "service_unavailable"))  # part 2 refused: the digest waits
    (first,) = flush(store, config, config.channels, clock)
    assert first.sent == 1 and first.retry_at is not None
    assert SlackState(store).get("ai-infra").channel_id == "C0AIINFRA"  # type: ignore[union-attr]
    # the channel is renamed in the config meanwhile: the digest stays where it began
    moved = configured(tmp_path, slack, ("ai-infra", "#compute"))
    clock.now = first.retry_at
    (done,) = flush(store, moved, moved.channels, clock)
    assert done.done
    replies = slack.messages[1:]
    assert replies and {(m.channel, m.requested, m.thread_ts) for m in replies} == \
        {("C0AIINFRA", "C0AIINFRA", slack.messages[0].ts)}


def test_without_the_history_scope_status_says_at_least_once_and_the_log_once(
        store: Store, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with SlackServer(scopes=ALL_SCOPES - {"channels:history"},
                     clock=lambda: clock.now.timestamp()) as slack:
        config = configured(tmp_path, slack, ("ai-infra", "C0AIINFRA"))
        for first in (0, 10):
            pending_digest(store, config, config.channels[0], first)
            assert [r.done for r in flush(store, config, config.channels, clock)] == [True]
    (note,) = delivery_report(config, store, NOW).notes
    assert note.startswith("ai-infra: delivery is at-least-once until the bot may read the "
                           "channel's history")
    assert caplog.text.count("slack.at_least_once") == 1


def test_a_digest_another_live_run_holds_is_left_to_it(
        store: Store, slack: SlackServer, clock: Clock, tmp_path: Path) -> None:
    config = configured(tmp_path, slack, ("ai-infra", "C0AIINFRA"))
    digest_id = pending_digest(store, config, config.channels[0], 0)
    parent = os.getppid()  # alive, on this host: its claim stands until its lease ends
    owner = Owner(parent, this_process().host, start_time(parent) or "")
    with store.begin() as c:
        c.execute(digests.update().values(claimed_by="theirs", claim_owner=owner.encode(),
                                          claimed_until=NOW + timedelta(seconds=30)))
    (held,) = flush(store, config, config.channels, clock)
    assert (held.digest_id, held.attempted, held.error) == \
        (digest_id, False, "another monitor run is sending it right now")
    assert slack.messages == []
