"""Slack senders against the loopback fake Slack: success, threading, retries, error sentences."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from monitor.deliver.slack import MessagePart, render_digest
from monitor.deliver.slack_client import (
    WEBHOOK_TS,
    BotSender,
    PartKey,
    RetryPolicy,
    Sender,
    Sent,
    SlackDeliveryError,
    WebhookSender,
)
from monitor.deliver.slack_errors import NoHistoryAccess
from monitor.errors import ConfigError, DeliveryError
from monitor.model import Article, Digest, Item, Section, Story
from tests.slack_server import ALL_SCOPES, Failure, SlackServer, block_errors

FAST = RetryPolicy(retries=2, backoff=0.01, timeout=5)
ONE_RETRY = RetryPolicy(retries=1, backoff=0.01, timeout=5)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk's webhook client sends even loopback requests through a proxy from the env
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def part(index: int = 1, total: int = 1, *, thread: bool = False, blocks: int = 1) -> MessagePart:
    body = {"type": "section", "text": {"type": "mrkdwn", "text": f"part {index}"}}
    return MessagePart(index, total, f"part {index}", (body,) * blocks, thread)


def digest(stories: int) -> Digest:
    summary = "A sentence about GPUs, power and money for new data centres. " * 40
    made = tuple(
        Story(
            str(i), Item(Article(str(i), f"https://n.example.com/{i}", f"Story {i}"), (), summary)
        )
        for i in range(stories)
    )
    return Digest("ai-infra", NOW, None, NOW, (Section("Compute", made),))


def bot(slack: SlackServer, policy: RetryPolicy = FAST) -> BotSender:
    return BotSender(slack.token, base_url=slack.api_url, policy=policy)


def webhook(slack: SlackServer, policy: RetryPolicy = FAST) -> WebhookSender:
    return WebhookSender(slack.webhook_url, policy=policy)


SENDERS: dict[str, Callable[[SlackServer, RetryPolicy], Sender]] = {"bot": bot, "webhook": webhook}


def key(index: int = 1) -> PartKey:
    return PartKey(7, f"k7:{index}")


def post(sender: Sender, parts: list[MessagePart], channel: str) -> list[Sent]:
    """Every part in order, replies threaded under part 1 (as the outbox does)."""
    done: list[Sent] = []
    for p in parts:
        thread = done[0].ts if p.thread and done else None
        done.append(sender.send(p, channel=channel, thread_ts=thread, key=key(p.index)))
        channel = done[0].channel_id or channel
    return done


def test_bot_posts_every_part_threads_replies_and_tags_each_with_metadata(
    slack: SlackServer,
) -> None:
    parts = render_digest(digest(20), mode="bot")
    assert len(parts) > 2
    done = post(bot(slack), parts, "#ai-infra")
    posted = slack.messages
    assert [m.ts for m in posted] == [d.ts for d in done]
    assert {m.channel for m in posted} == {"C0AIINFRA"} and done[0].channel_id == "C0AIINFRA"
    assert [m.requested for m in posted[1:]] == ["C0AIINFRA"] * (len(posted) - 1)
    assert posted[0].thread_ts is None
    assert {m.thread_ts for m in posted[1:]} == {posted[0].ts}
    assert {(m.unfurl_links, m.unfurl_media) for m in posted} == {(False, False)}
    assert [m.blocks for m in posted] == [list(p.blocks) for p in parts]
    assert [m.text for m in posted] == [p.text for p in parts]
    assert posted[1].metadata == {"event_type": "monitor_digest_part",
                                  "event_payload": {"digest_id": 7, "part_key": "k7:2"}}
    assert done[0].scopes == ALL_SCOPES


def test_webhook_posts_every_part_in_order(slack: SlackServer) -> None:
    parts = render_digest(digest(20), mode="webhook")
    done = post(webhook(slack), parts, "ignored")
    assert {d.ts for d in done} == {WEBHOOK_TS}
    assert [m.text for m in slack.messages] == [p.text for p in parts]
    assert {(m.via, m.unfurl_links, m.unfurl_media) for m in slack.messages} == {
        ("webhook", False, False)
    }


def test_find_a_part_by_its_metadata_in_the_channel_and_in_the_thread(
    slack: SlackServer,
) -> None:
    sender = bot(slack)
    parts = [part(1, 3), part(2, 3, thread=True), part(3, 3, thread=True)]
    done = post(sender, parts, "ai-infra")
    around = datetime.fromtimestamp(float(done[0].ts), UTC)
    assert sender.find(key(1), channel="ai-infra", thread_ts=None,
                       around=around) == Sent(done[0].ts, "C0AIINFRA")
    assert sender.find(key(3), channel="C0AIINFRA", thread_ts=done[0].ts,
                       around=around) == Sent(done[2].ts, "C0AIINFRA")
    assert sender.find(key(4), channel="C0AIINFRA", thread_ts=done[0].ts, around=around) is None
    # outside the window around the attempt, it is not looked for
    assert sender.find(key(1), channel="C0AIINFRA", thread_ts=None,
                       around=around + timedelta(hours=2)) is None
    assert sender.find(key(1), channel="#nowhere", thread_ts=None, around=around) is None


def test_find_pages_through_a_busy_channel(slack: SlackServer) -> None:
    client = WebClient(token=slack.token, base_url=slack.api_url)
    sender = bot(slack)
    sent = sender.send(part(), channel="C0AIINFRA", thread_ts=None, key=key(1))
    for n in range(450):  # newer messages: the part is on the third page
        client.chat_postMessage(channel="C0AIINFRA", text=f"chatter {n}")
    around = datetime.fromtimestamp(float(sent.ts), UTC)
    assert sender.find(key(1), channel="C0AIINFRA", thread_ts=None, around=around) == Sent(sent.ts, "C0AIINFRA")
    assert slack.calls("conversations.history") == 3


def test_find_without_the_history_scope_says_delivery_is_at_least_once() -> None:
    with SlackServer(scopes=ALL_SCOPES - {"channels:history"}) as slack:
        sender = bot(slack)
        sender.send(part(), channel="C0AIINFRA", thread_ts=None, key=key(1))
        with pytest.raises(NoHistoryAccess) as caught:
            sender.find(key(1), channel="C0AIINFRA", thread_ts=None, around=NOW)
    assert str(caught.value).startswith(
        "The bot may not read the history of C0AIINFRA (it lacks channels:history): "
        "delivery there is at-least-once until the scope is granted")


def test_find_by_name_without_channels_read_says_delivery_is_at_least_once() -> None:
    with (SlackServer(scopes=ALL_SCOPES - {"channels:read"}) as slack,
          pytest.raises(NoHistoryAccess) as caught):
        bot(slack).find(key(1), channel="#ai-infra", thread_ts=None, around=NOW)
    assert "(it lacks channels:read)" in str(caught.value)


@pytest.mark.parametrize("kind", SENDERS)
def test_a_short_rate_limit_is_waited_out(slack: SlackServer, kind: str) -> None:
    slack.rate_limit(times=1, retry_after=1)
    start = time.monotonic()
    sent = SENDERS[kind](slack, FAST).send(part(), channel="ai-infra", thread_ts=None,
                                           key=key())
    assert time.monotonic() - start >= 1.0
    assert sent.ts == (slack.messages[0].ts if kind == "bot" else WEBHOOK_TS)
    assert len(slack.requests) == 2 and len(slack.messages) == 1


@pytest.mark.parametrize("kind", SENDERS)
def test_a_long_retry_after_is_not_waited_out_here(slack: SlackServer, kind: str) -> None:
    slack.rate_limit(times=1, retry_after=120)
    start = time.monotonic()
    with pytest.raises(SlackDeliveryError) as caught:
        SENDERS[kind](slack, FAST).send(part(), channel="ai-infra", thread_ts=None, key=key())
    assert time.monotonic() - start < 5
    assert caught.value.transient and not caught.value.uncertain
    assert caught.value.retry_after == 120
    assert str(caught.value) == "Slack is rate-limiting the bot: the digest goes on after 120 s."


@pytest.mark.parametrize("kind", SENDERS)
@pytest.mark.parametrize("trouble", ["500", "502", "503", "drop", "accept-drop", "accept-500"])
def test_a_post_is_never_retried_blindly(slack: SlackServer, kind: str, trouble: str) -> None:
    accept = trouble.startswith("accept")
    status = 200 if trouble.endswith("drop") else int(trouble.split("-")[-1])
    slack.script(Failure(status, "internal_error" if status != 200 else "",
                         drop=trouble.endswith("drop"), accept=accept))
    with pytest.raises(SlackDeliveryError) as caught:
        SENDERS[kind](slack, FAST).send(part(), channel="ai-infra", thread_ts=None, key=key())
    assert caught.value.transient and caught.value.uncertain
    assert len(slack.requests) == 1  # one request: Slack may have the message
    assert len(slack.messages) == (1 if accept else 0)


def test_a_timeout_after_slack_accepted_is_uncertain(slack: SlackServer) -> None:
    slack.script(Failure(accept=True, pause=3))
    quick = RetryPolicy(retries=2, backoff=0.01, timeout=1)
    with pytest.raises(SlackDeliveryError) as caught:
        bot(slack, quick).send(part(), channel="ai-infra", thread_ts=None, key=key())
    assert caught.value.uncertain and str(caught.value).startswith("The answer from Slack at ")
    assert len(slack.messages) == 1 and len(slack.requests) == 1


def test_reads_are_retried(slack: SlackServer) -> None:
    sender = bot(slack)
    sent = sender.send(part(), channel="C0AIINFRA", thread_ts=None, key=key())
    slack.script(Failure(503, "service_unavailable", method="conversations.history"))
    slack.script(Failure(drop=True, method="conversations.history"))
    around = datetime.fromtimestamp(float(sent.ts), UTC)
    assert sender.find(key(), channel="C0AIINFRA", thread_ts=None, around=around) == Sent(sent.ts, "C0AIINFRA")
    assert slack.calls("conversations.history") == 3


@pytest.mark.parametrize("kind", SENDERS)
def test_unreachable_is_transient_and_names_the_right_variable(kind: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on the port any more, so every connection is refused
    sender: Sender = (
        BotSender("xoxb-x", base_url=f"http://127.0.0.1:{port}/api/", policy=ONE_RETRY)
        if kind == "bot"
        else WebhookSender(f"http://127.0.0.1:{port}/services/T/B/X", policy=ONE_RETRY)
    )
    with pytest.raises(SlackDeliveryError) as caught:
        sender.send(part(), channel="ai-infra", thread_ts=None, key=key())
    assert caught.value.transient and not caught.value.uncertain
    where = "Slack" if kind == "bot" else "the Slack incoming webhook"
    variable = "SLACK_API_URL" if kind == "bot" else "SLACK_WEBHOOK_URL"
    assert str(caught.value) == (
        f"Could not reach {where} at 127.0.0.1:{port} (Connection refused): check the "
        f"network, the proxy settings or {variable}; the digest will be sent on a later run.")


def oversized() -> MessagePart:
    return part(blocks=51)


def too_long() -> MessagePart:
    text = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}
    return MessagePart(1, 1, "t", (text,) * 5)


@pytest.mark.parametrize(
    ("setup", "token", "channel", "message", "expected"),
    [
        (
            None,
            "xoxb-wrong-s3cr3t",
            "ai-infra",
            part,
            "Slack rejected the bot token (invalid_auth): "
            "set SLACK_BOT_TOKEN to the app's current bot token (xoxb-…).",
        ),
        (
            None,
            "",
            "ai-infra",
            part,
            "Slack rejected the bot token (not_authed): "
            "set SLACK_BOT_TOKEN to the app's current bot token (xoxb-…).",
        ),
        (
            "token_revoked",
            None,
            "ai-infra",
            part,
            "The Slack bot token was revoked (token_revoked): "
            "reinstall the app and set SLACK_BOT_TOKEN to its new token.",
        ),
        (
            "missing_scope",
            None,
            "ai-infra",
            part,
            "The Slack bot token lacks the chat:write scope (missing_scope): add it to the app "
            "(slack/manifest.yaml lists every scope) and reinstall the app.",
        ),
        (
            None,
            None,
            "#nowhere",
            part,
            "Slack has no channel #nowhere that the bot can see "
            "(channel_not_found): check slack_channel in the config "
            "(a private channel must invite the bot first).",
        ),
        (
            None,
            None,
            "#outside",
            part,
            "The bot is not a member of #outside (not_in_channel): "
            "invite it with /invite @<the bot's name> (`monitor slack check` shows it).",
        ),
        (
            None,
            None,
            "#old",
            part,
            "Slack channel #old is archived (is_archived): "
            "unarchive it or set slack_channel to another channel.",
        ),
        (
            None,
            None,
            "ai-infra",
            oversized,
            "Slack refused the message as malformed (invalid_blocks): "
            "this is a bug in monitor's Slack renderer, please report it.",
        ),
        (
            None,
            None,
            "ai-infra",
            too_long,
            "Slack refused the message as malformed "
            "(msg_blocks_too_long): this is a bug in monitor's Slack renderer, please report it.",
        ),
        (
            "weird_error",
            None,
            "ai-infra",
            part,
            "Slack refused the request (weird_error): look the code up at "
            "https://docs.slack.dev/reference/methods/chat.postMessage and fix the cause.",
        ),
    ],
)
def test_bot_permanent_errors_are_one_sentence(
    slack: SlackServer,
    setup: str | None,
    token: str | None,
    channel: str,
    message: Callable[[], MessagePart],
    expected: str,
) -> None:
    if setup:
        slack.api_error(setup)
    sender = BotSender(slack.token if token is None else token, base_url=slack.api_url, policy=FAST)
    with pytest.raises(SlackDeliveryError) as caught:
        sender.send(message(), channel=channel, thread_ts=None, key=key())
    assert str(caught.value) == expected
    assert not caught.value.transient
    assert isinstance(caught.value, DeliveryError)
    assert slack.messages == []


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            None,
            "The Slack incoming webhook no longer exists (no_service): "
            "create a new one in the Slack app and set SLACK_WEBHOOK_URL to its URL.",
        ),
        (
            Failure(404, "no_service"),
            "The Slack incoming webhook no longer exists (no_service): "
            "create a new one in the Slack app and set SLACK_WEBHOOK_URL to its URL.",
        ),
        (
            Failure(410, ""),
            "The Slack incoming webhook no longer exists (no_service): "
            "create a new one in the Slack app and set SLACK_WEBHOOK_URL to its URL.",
        ),
        (
            Failure(410, "channel_is_archived"),
            "The incoming webhook's channel is archived "
            "(channel_is_archived): unarchive it or create a webhook for another channel.",
        ),
        (
            Failure(404, "channel_not_found"),
            "The incoming webhook's channel no longer exists "
            "(channel_not_found): create a webhook for another channel and set SLACK_WEBHOOK_URL "
            "to its URL.",
        ),
        (
            Failure(403, "invalid_token"),
            "Slack rejected the incoming webhook URL (invalid_token): "
            "copy the webhook's current URL into SLACK_WEBHOOK_URL.",
        ),
        (
            Failure(403, "action_prohibited"),
            "The Slack workspace does not let this webhook post "
            "(action_prohibited): ask a workspace admin to allow it.",
        ),
        (
            Failure(400, "invalid_blocks"),
            "Slack refused the message as malformed (invalid_blocks): "
            "this is a bug in monitor's Slack renderer, please report it.",
        ),
        (
            Failure(418, "<html>\n teapot </html>"),
            "Slack refused the webhook post "
            "(HTTP 418, <html> teapot </html>): check SLACK_WEBHOOK_URL and the webhook's settings "
            "in the Slack app.",
        ),
    ],
)
def test_webhook_permanent_errors_are_one_sentence(
    slack: SlackServer, failure: Failure | None, expected: str
) -> None:
    url = slack.webhook_url
    if failure is None:
        url = slack.url + "/services/T0TEAM/B0HOOK/deleted"
    else:
        slack.script(failure)
    with pytest.raises(SlackDeliveryError) as caught:
        WebhookSender(url, policy=FAST).send(part(), channel="x", thread_ts=None, key=key())
    assert str(caught.value) == expected
    assert not caught.value.transient


def test_webhook_rejects_oversized_blocks_like_slack(slack: SlackServer) -> None:
    with pytest.raises(SlackDeliveryError) as caught:
        webhook(slack).send(oversized(), channel="x", thread_ts=None, key=key())
    assert caught.value.code == "invalid_blocks" and not caught.value.transient


def test_not_a_webhook_url_is_a_config_error_without_the_url() -> None:
    with pytest.raises(ConfigError) as caught:
        WebhookSender("hooks.slack.example/services/T/B/s3cr3t")
    assert "s3cr3t" not in str(caught.value)


def test_secrets_stay_out_of_errors_and_logs(
    slack: SlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_hook = slack.url + "/services/T0TEAM/B0HOOK/n0t-th1s-0ne"
    senders: list[Sender] = [
        BotSender("xoxb-wrong-s3cr3t", base_url=slack.api_url, policy=ONE_RETRY),
        WebhookSender(secret_hook, policy=ONE_RETRY),
        webhook(slack, ONE_RETRY),
        bot(slack, ONE_RETRY),
    ]
    errors = []
    for sender in senders:
        slack.drop_connection(times=2)
        with pytest.raises(SlackDeliveryError) as caught:
            sender.send(part(), channel="ai-infra", thread_ts=None, key=key())
        errors.append(str(caught.value))
    for sender in senders[:2]:
        with pytest.raises(SlackDeliveryError) as caught:
            sender.send(part(), channel="ai-infra", thread_ts=None, key=key())
        errors.append(str(caught.value))
    seen = caplog.text + "\n".join(errors)
    for secret in ("xoxb-wrong-s3cr3t", slack.token, "n0t-th1s-0ne", slack.state.webhook_path):
        assert secret not in seen
    assert len(slack.requests) == 6  # one drop for each post (never retried blindly), then 2


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(count: int, size: int = 5) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * size}] * count}


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([section("x")] * 50, None),
        ([section("x")] * 51, "invalid_blocks"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 150}}], None),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "invalid_blocks"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "invalid_blocks"),
        ([section("s" * 3000)], None),
        ([section("s" * 3001)], "invalid_blocks"),
        ([section("😀" * 1501)], "invalid_blocks"),  # astral characters count twice
        ([section("")], "invalid_blocks"),
        ([section(f"<https://x.example/{'a' * 3000}|x>")], "invalid_blocks"),
        ([context(10)], None),
        ([context(11)], "invalid_blocks"),
        ([context(1, 2001)], "invalid_blocks"),
        ([context(0)], "invalid_blocks"),
        ([section("s" * 3000)] * 4, None),
        ([section("s" * 3000)] * 4 + [context(1)], "msg_blocks_too_long"),
        ([{"type": "image"}], "invalid_blocks"),
    ],
)
def test_fake_slack_enforces_block_kit_limits(
    slack: SlackServer, blocks: list[dict[str, Any]], error: str | None
) -> None:
    assert block_errors(blocks) == error
    client = WebClient(token=slack.token, base_url=slack.api_url)
    if error is None:
        client.chat_postMessage(channel="ai-infra", text="t", blocks=blocks)
    else:
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="ai-infra", text="t", blocks=blocks)
        assert caught.value.response["error"] == error


def test_fake_slack_takes_form_posts_with_the_token_in_the_body(slack: SlackServer) -> None:
    client = WebClient(base_url=slack.api_url)
    blocks = json.dumps([section("hello")])
    params = {"token": slack.token, "channel": "#ai-infra", "text": "hi", "blocks": blocks}
    response = client.api_call("chat.postMessage", params=params)
    (posted,) = slack.messages
    assert (posted.channel, posted.text, posted.blocks) == ("C0AIINFRA", "hi", [section("hello")])
    assert response["ts"] == posted.ts
    assert client.api_call("auth.test", params={"token": slack.token})["user"] == "monitor-bot"


def test_a_name_among_too_many_channels_is_not_taken_for_a_missing_channel(
        slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.deliver.slack_reads as reads

    monkeypatch.setattr(reads, "MAX_PAGES", 1)
    slack.state.channels |= {f"extra-{n}": f"C0EXTRA{n:02d}" for n in range(1500)}
    with pytest.raises(SlackDeliveryError) as caught:
        bot(slack).reader.channel("#nowhere")
    assert caught.value.transient and "set slack_channel to the channel's id" in str(caught.value)


def test_the_fake_answers_permalinks_for_posted_messages(slack: SlackServer) -> None:
    sent = bot(slack).send(part(), channel="ai-infra", thread_ts=None, key=key())
    client = WebClient(token=slack.token, base_url=slack.api_url)
    link = client.chat_getPermalink(channel="C0AIINFRA", message_ts=sent.ts)["permalink"]
    assert link == f"https://test.slack.example/archives/C0AIINFRA/p{sent.ts.replace('.', '')}"
    with pytest.raises(SlackApiError):
        client.chat_getPermalink(channel="C0AIINFRA", message_ts="1.000001")
