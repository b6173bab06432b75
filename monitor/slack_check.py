"""`monitor slack check`: does the Slack setup work, and if not, what exactly to fix.

It reads and never posts: auth.test for the token (and, from Slack's `x-oauth-scopes`
header, its scopes), then each configured channel (conversations.info, or
conversations.list for a name) for whether it exists, is archived, and has the bot in it.
With a store it keeps what it learned (channel ids, the history scope) and lifts the hold
on a channel it finds fixed, so its waiting digests go out on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.config import Channel, Config
from monitor.deliver.slack_client import WebhookSender
from monitor.deliver.slack_errors import SlackDeliveryError
from monitor.deliver.slack_http import DEFAULT_API_URL
from monitor.deliver.slack_reads import ChannelInfo, Identity, SlackReader, channel_problem
from monitor.errors import ConfigError
from monitor.posting import channels_for
from monitor.slack_state import SlackState
from monitor.sources.proxy import proxy_for
from monitor.store import Store

# Every scope the bot uses, and what for (slack/manifest.yaml asks for exactly these).
SCOPES = {
    "chat:write": "post digests",
    "channels:read": "find public channels by name and see that the bot is in them",
    "groups:read": "find private channels by name and see that the bot is in them",
    "channels:history": "find a part whose answer was lost instead of posting it twice "
                        "(public channels; without it delivery is at-least-once)",
    "groups:history": "find a part whose answer was lost instead of posting it twice "
                      "(private channels; without it delivery is at-least-once)",
}
_FIX = "add it to the app (slack/manifest.yaml lists every scope) and reinstall the app"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the check: fine, or a problem with its fix."""

    ok: bool
    text: str
    channel: str = ""  # the [[channels]] name it is about, if any
    info: ChannelInfo | None = None  # what Slack said of that channel


Reader = Callable[[str, str], SlackReader]  # (token, base url) -> reader


def check_slack(config: Config, channel_name: str | None = None, *,
                reader: Reader | None = None, store: Store | None = None,
                now: datetime | None = None) -> list[Finding]:
    """Every finding about the Slack setup of the configured (or the named) channel."""
    channels = channels_for(config, channel_name)
    bots = [c for c in channels if c.slack_channel and not c.webhook]
    hooks = [c for c in channels if c.webhook]
    if not bots and not hooks:
        return [Finding(False, "no Slack channel is configured, so digests go to the terminal: "
                               "add [[channels]] with slack_channel (and SLACK_BOT_TOKEN), "
                               "or set SLACK_WEBHOOK_URL")]
    findings = [_webhook(config, c) for c in hooks]
    if bots:
        make = reader or (lambda token, url: SlackReader(
            token, base_url=url, proxy=proxy_for(url, config.fetch.proxy)))
        findings += _bot(config, bots, make)
    if store is not None and now is not None:
        findings += _keep(SlackState(store), bots, findings, now)
    return findings


def _keep(state: SlackState, channels: Sequence[Channel], findings: Sequence[Finding],
          now: datetime) -> list[Finding]:
    """Store the channel ids found; lift the hold on each channel found fixed."""
    token_ok = any(f.ok and f.text.startswith("token:") for f in findings)
    scopes_ok = not any(not f.ok and f.text.startswith("scopes:") for f in findings)
    said = []
    for channel in channels:
        found = next((f for f in findings if f.channel == channel.name), None)
        if found is None or found.info is None:
            continue
        state.learned(channel.name, channel.slack_channel, now, channel_id=found.info.id,
                      private=found.info.private)
        if found.ok and token_ok and scopes_ok and state.unblock(channel.name):
            said.append(Finding(True, f"channel {channel.name}: fixed; its waiting digests go "
                                      "out on the next run", channel.name))
    return said


def _webhook(config: Config, channel: Channel) -> Finding:
    if not config.slack_webhook_url:
        return Finding(False, f"channel {channel.name} posts by webhook but SLACK_WEBHOOK_URL "
                              "is not set: set it to the incoming webhook's URL", channel.name)
    try:
        WebhookSender(config.slack_webhook_url)
    except ConfigError as exc:
        return Finding(False, str(exc), channel.name)
    return Finding(True, f"channel {channel.name}: SLACK_WEBHOOK_URL is set (a webhook cannot "
                         "be checked without posting; its delivery is at-least-once)",
                   channel.name)


def _bot(config: Config, channels: Sequence[Channel], make: Reader) -> list[Finding]:
    if not config.slack_bot_token:
        names = ", ".join(c.name for c in channels)
        return [Finding(False, f"SLACK_BOT_TOKEN is not set, and channels {names} post with "
                               "a bot token: set it to the app's Bot User OAuth Token (xoxb-…)")]
    reader = make(config.slack_bot_token, config.slack_api_url or DEFAULT_API_URL)
    try:
        who = reader.identity()
    except SlackDeliveryError as exc:
        return [Finding(False, f"token: {exc}")]
    workspace = f" in workspace {who.team}" if who.team else ""
    findings = [Finding(True, f"token: valid, the bot is @{who.user}{workspace}")]
    infos = []
    for channel in channels:
        finding = _channel(reader, who, channel)
        findings.append(finding)
        infos.append(finding.info)
    return findings + _scopes(who, infos)


def _channel(reader: SlackReader, who: Identity, channel: Channel) -> Finding:
    target = channel.slack_channel
    try:
        info = reader.channel(target)
    except SlackDeliveryError as exc:
        if exc.code == "missing_scope":
            return Finding(False, f"channel {channel.name}: {target} was not checked: the token "
                                  "may not read channels (see the scopes below)", channel.name)
        return Finding(False, f"channel {channel.name}: {exc}", channel.name)
    problem = channel_problem(info, target, bot=who.user)
    if problem is not None:
        return Finding(False, f"channel {channel.name}: {problem}", channel.name, info)
    assert info is not None
    kind = "private" if info.private else "public"
    return Finding(True, f"channel {channel.name}: #{info.name} ({info.id}, {kind}), the bot "
                         "is a member", channel.name, info)


def _scopes(who: Identity, infos: Sequence[ChannelInfo | None]) -> list[Finding]:
    if who.scopes is None:
        return [Finding(True, "scopes: Slack did not say which scopes the token has "
                              "(no x-oauth-scopes header), so they were not checked")]
    needed = {"chat:write", "channels:read", "channels:history"}
    # a channel not found may be a private one the bot cannot see without groups:read
    if any(info is None or info.private for info in infos):
        needed |= {"groups:read", "groups:history"}
    missing = sorted(needed - who.scopes)
    found = [Finding(False, f"scopes: the token lacks {scope}, needed to {SCOPES[scope]}: "
                            f"{_FIX}") for scope in missing]
    return found or [Finding(True, f"scopes: {', '.join(sorted(needed))} granted")]
