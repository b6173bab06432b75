"""Digests for channels: gather a window's matches, build, store in the outbox, send.

The edge where the store, the digest builder, the renderers and Slack meet. Console
delivery (no Slack configured) prints the digest and records it as sent, so windows
and "already posted" work the same way. `sending.py` sends what the outbox holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitor.config import Channel, Config
from monitor.deliver.slack import DEFAULT_TITLE, MessagePart, Mode, render_digest
from monitor.deliver.slack_client import BotSender, Sender, WebhookSender
from monitor.deliver.slack_errors import SlackDeliveryError
from monitor.deliver.slack_reads import SlackReader
from monitor.digest import build_digest
from monitor.errors import ConfigError
from monitor.model import Digest, Item, Rule, Story, Tracker
from monitor.outbox import Outbox
from monitor.pipeline import summarise_item
from monitor.posted import posted_stories
from monitor.rules.load import load_rules
from monitor.sources.policy import feed_health
from monitor.sources.proxy import proxy_for
from monitor.store import Store
from monitor.summarise import Summariser
from monitor.tracker import stored_items

POSTED_MEMORY = timedelta(days=7)  # how far back "already posted" looks for the same story
FOLLOWUP_MEMORY = timedelta(days=90)  # how far back news about a posted story is an update
DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class Prepared:
    channel: Channel
    digest: Digest
    parts: tuple[MessagePart, ...]  # empty for console delivery


def console_channel() -> Channel:
    """Where a digest goes when no channel is configured: the terminal."""
    return Channel(name="console")


def channels_for(config: Config, name: str | None = None) -> list[Channel]:
    """The configured channels (or the one named); a webhook-only setup gets one channel."""
    channels = list(config.channels)
    if not channels and config.slack_webhook_url:
        channels = [Channel(name="webhook", webhook=True)]
    if not channels:
        channels = [console_channel()]
    if name is None:
        return channels
    chosen = [c for c in channels if c.name == name]
    if not chosen:
        known = ", ".join(c.name for c in channels)
        raise ConfigError(f"no channel named {name!r} in the config; the channels are: {known}")
    return chosen


def sender_for(channel: Channel, config: Config) -> Sender | None:
    """The Slack sender for a channel; None means console delivery."""
    if channel.webhook:
        if not config.slack_webhook_url:
            raise ConfigError(f"channel {channel.name!r} posts by webhook but SLACK_WEBHOOK_URL "
                              "is not set; set it to the incoming webhook's URL")
        return WebhookSender(config.slack_webhook_url,
                             proxy=proxy_for(config.slack_webhook_url, config.fetch.proxy))
    if channel.slack_channel:
        if not config.slack_bot_token:
            raise ConfigError(f"channel {channel.name!r} needs SLACK_BOT_TOKEN to post to "
                              f"{channel.slack_channel}; set it, or use webhook = true")
        base_url = config.slack_api_url or DEFAULT_API_URL
        return BotSender(config.slack_bot_token, base_url=base_url,
                         proxy=proxy_for(base_url, config.fetch.proxy))
    return None


def gather(store: Store, channel: Channel, since: datetime | None, until: datetime,
           summarise: Callable[[Item], Item]) -> list[Item]:
    """The channel's matched items first seen in the window, with their facts, summarised."""
    return [summarise(item) for item in stored_items(store, since, until, channel.rules)]


def slack_mode(channel: Channel) -> Mode | None:
    """How a channel's digest is rendered: for a bot, a webhook, or (None) the terminal."""
    if channel.webhook:
        return "webhook"
    return "bot" if channel.slack_channel else None


def prepare(channel: Channel, items: Sequence[Item], *, now: datetime, since: datetime | None,
            outbox: Outbox | None, mode: Mode | None, config: Config,
            notes: Sequence[str] = (), title: str = DEFAULT_TITLE,
            tracker: Tracker | None = None) -> Prepared:
    """Group, rank and render a digest of `items` for a channel (nothing stored yet).

    With an outbox, what the channel already received is left out; a `tracker` (the
    week in figures, `tracker.week_tracker`) ends the digest.
    """
    posted = outbox.posted_articles(channel.name, now - POSTED_MEMORY) if outbox else []
    earlier = posted_stories(outbox.store, channel.name, now - FOLLOWUP_MEMORY) if outbox else []
    already = outbox.posted_uids(channel.name) if outbox else set()
    fresh = [i for i in items if i.article.uid not in already]
    digest = build_digest(channel.name, fresh, now=now, since=since, until=now,
                          max_stories=channel.max_stories, per_source=channel.per_source,
                          sections=channel.sections, posted=posted, notes=notes,
                          rule_names=section_titles(load_rules(config.rules).rules),
                          earlier=earlier)
    digest = with_permalinks(digest, config)
    if tracker is not None:
        digest = replace(digest, tracker=tracker)
    parts = tuple(render_digest(digest, mode=mode, title=title, tz=config.zone)) if mode else ()
    return Prepared(channel, digest, parts)


def with_permalinks(digest: Digest, config: Config) -> Digest:
    """The digest with a link to each updated story's Slack message, where a bot posted it.

    Without a bot token, or when Slack cannot say (the message is gone, Slack is down), the
    update shows the earlier story's title and date without the link.
    """
    wanted = [s for s in digest.stories if s.update and s.update.ts and s.update.channel_id]
    if not wanted or not config.slack_bot_token:
        return digest
    base_url = config.slack_api_url or DEFAULT_API_URL
    reader = SlackReader(config.slack_bot_token, base_url=base_url,
                         proxy=proxy_for(base_url, config.fetch.proxy))
    links: dict[str, Story] = {}
    for story in wanted:
        assert story.update is not None
        try:
            found = reader.permalink(story.update.channel_id, story.update.ts)
        except SlackDeliveryError:
            found = None
        if found:
            links[story.id] = replace(story, update=replace(story.update, permalink=found))
    return replace(digest, sections=tuple(
        replace(section, stories=tuple(links.get(s.id, s) for s in section.stories))
        for section in digest.sections))


def section_titles(rules: Sequence[Rule]) -> dict[str, str]:
    """Readable section titles: a rule's name, and "rule#group" for its signal groups."""
    titles = {rule.id: rule.name or rule.id for rule in rules}
    for rule in rules:
        for index, group in enumerate(rule.signals):
            label = (group.name or f"group {index + 1}").replace("-", " ")
            titles[f"{rule.id}#{index}"] = f"{rule.name or rule.id}: {label}"
    return titles


def record(store: Store, prepared: Prepared, now: datetime,
           origin: str = "digest") -> int | None:
    """Put a prepared digest in the outbox; None when it is empty and not to be posted.

    An empty digest is still noted (as sent, with nothing to send), so the channel's
    window and schedule move on. The week in figures is news of its own: a digest that
    carries it is posted even with no new story.
    """
    outbox = Outbox(store)
    digest = prepared.digest
    if not digest.stories and digest.tracker is None and not prepared.channel.post_empty:
        outbox.add(prepared.digest, (), now, status="empty", origin=origin)
        return None
    return outbox.add(prepared.digest, prepared.parts, now, origin=origin)


def health_notes(config: Config, store: Store, now: datetime) -> list[str]:
    """One line per feed failing for longer than `feed_health_after` (or dead)."""
    if config.feed_health_after is None:
        return []
    states = store.feed_states(f.url for f in config.feeds)
    names = {f.url: f.name for f in config.feeds}
    lines = (feed_health(state, now, config.feed_health_after, name=names.get(url, ""),
                         zone=config.zone) for url, state in states.items())
    return [line for line in lines if line]


def with_summary(summariser: Summariser | None, sentences: int,
                 budget: int) -> Callable[[Item], Item]:
    """A function that fills an item's summary (unchanged when there is no summariser)."""
    def apply(item: Item) -> Item:
        if summariser is None:
            return item
        return summarise_item(summariser, item, sentences, budget)
    return apply
