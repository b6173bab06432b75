"""`monitor slack check`: does the Slack setup work, and if not, what exactly to fix.

It reads and never posts: auth.test for the token (and, from Slack's `x-oauth-scopes`
header, its scopes), then each configured channel (conversations.info, or
conversations.list for a name) for whether it exists, is archived, and has the bot in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.config import Channel, Config
from monitor.deliver.slack_client import WebhookSender
from monitor.deliver.slack_errors import SlackDeliveryError, api_error
from monitor.deliver.slack_http import DEFAULT_API_URL
from monitor.deliver.slack_reads import ChannelInfo, Identity, SlackReader
from monitor.errors import ConfigError
from monitor.posting import channels_for

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


def check_slack(config: Config, channel_name: str | None = None,
                reader: Reader | None = None) -> list[Finding]:
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
        make = reader or (lambda token, url: SlackReader(token, base_url=url))
        findings += _bot(config, bots, make)
    return findings


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
    if info is None:
        problem = api_error("channel_not_found", channel=target)
    elif info.archived:
        problem = api_error("is_archived", channel=target)
    elif not info.member:
        problem = api_error("not_in_channel", channel=target, bot=who.user)
    else:
        kind = "private" if info.private else "public"
        return Finding(True, f"channel {channel.name}: #{info.name} ({info.id}, {kind}), the "
                             "bot is a member", channel.name, info)
    return Finding(False, f"channel {channel.name}: {problem}", channel.name, info)


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
